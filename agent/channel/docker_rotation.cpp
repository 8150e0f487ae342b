#include "agent/channel/docker_rotation.hpp"

#include "shared/core/safe_text.hpp"

#include "agent/apply/apply_lock.hpp"
#include "agent/apply/failpoint.hpp"
#include "agent/apply/material_validation.hpp"
#include "agent/apply/real_apply_environment.hpp"
#include "shared/core/log.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/private_key.hpp"

#include <algorithm>

namespace phoenix::agent {
namespace {
constexpr const char* kLog = "docker-rotation";

RotationOutcome failed(std::string code, std::string message, std::string old_serial = {}) {
  RotationOutcome o;
  o.error_code = std::move(code);
  o.error_message = std::move(message);
  o.old_serial = std::move(old_serial);
  return o;
}
}  // namespace

bool valid_rotation_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id == "." || id == "..") return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

Result<apply::ApplySettings> rotation_apply_settings(const AgentConfig& config) {
  apply::ApplySettings settings;
  settings.paths = docker::SystemPaths::under(config.root);
  settings.state_dir = config.state_dir;
  settings.listen = config.docker.listen;
  settings.docker_socket = config.docker_socket;
  settings.users = config.users;
  settings.verify_timeout = config.docker.verify_timeout;
  settings.restart_commands = config.docker.restart_commands;
  if (settings.restart_commands.empty()) {
    if (!config.root.empty()) {
      return make_error("no_restart_command",
                        "the agent runs under --root and has no docker.restart_commands: it will not restart "
                        "the host's dockerd; set docker.restart_commands in agent.json (or --restart-command)");
    }
    settings.restart_commands = {{"systemctl", "daemon-reload"}, {"systemctl", "restart", "docker"}};
  }
  return settings;
}

Result<RotationRequests> make_rotation_requests(const std::string& vm, const std::string& local_ip) {
  auto server_key = pki::PrivateKey::generate_p256();
  if (!server_key) return server_key.error();
  auto client_key = pki::PrivateKey::generate_p256();
  if (!client_key) return client_key.error();
  std::vector<std::string> ips{"127.0.0.1", "::1"};
  if (!local_ip.empty() && local_ip != "127.0.0.1" && local_ip != "::1") ips.push_back(local_ip);
  auto server_csr = pki::CertificateRequest::create(*server_key, vm, {vm, "localhost"}, ips);
  if (!server_csr) return server_csr.error();
  auto client_csr = pki::CertificateRequest::create(*client_key, vm, {}, {});
  if (!client_csr) return client_csr.error();
  return RotationRequests{server_key->to_pem(), server_csr->to_pem(), client_key->to_pem(), client_csr->to_pem()};
}

nlohmann::json RotationOutcome::to_json() const {
  return {{"succeeded", succeeded}, {"old_serial", old_serial}, {"new_serial", new_serial},
          {"not_after", not_after}, {"error_code", error_code}, {"error_message", error_message}};
}

std::optional<RotationOutcome> RotationOutcome::from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("succeeded") || !j["succeeded"].is_boolean()) return std::nullopt;
  RotationOutcome o;
  o.succeeded = j["succeeded"].get<bool>();
  const auto text = [&j](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  o.old_serial = text("old_serial");
  o.new_serial = text("new_serial");
  o.not_after = text("not_after");
  o.error_code = text("error_code");
  o.error_message = text("error_message");
  return o;
}

nlohmann::json RotationOutcome::result_body(const std::string& rotation_id) const {
  return {{"rotation_id", rotation_id}, {"old_serial", old_serial}, {"new_serial", new_serial},
          {"not_after", not_after}};
}

RotationOutcome apply_rotated_material(const apply::ApplySettings& settings, const apply::CertFiles& files) {
  auto material = apply::validate_material(files, std::chrono::system_clock::now());
  if (!material) return failed(material.error().code, "the signed material is unusable: " + material.error().message);
  for (const std::string& note : material->notes) log::warning(kLog, note);
  auto lock = apply::ApplyLock::acquire(settings.state_dir);
  if (!lock) return failed(lock.error().code, lock.error().message);
  apply::RealApplyPorts ports;
  apply::ApplyExecutor executor(
      ports.environment([](const std::string& line) { log::info(kLog, line); }, apply::exit_at_failpoint), settings);
  auto converged = executor.converge();
  if (!converged) return failed(converged.error().code, converged.error().message);
  if (*converged && (*converged)->final_step == apply::Step::rollback_failed) {
    return failed("rollback_failed", "an earlier apply could not be rolled back: fix dockerd first");
  }
  auto report = executor.apply(*material);
  if (!report) return failed(report.error().code, report.error().message);
  RotationOutcome outcome;
  outcome.old_serial = report->old_serial.value_or("");
  if (report->succeeded) {
    outcome.succeeded = true;
    outcome.new_serial = report->new_serial;
    outcome.not_after = material->server_not_after;
    return outcome;
  }
  outcome.error_code = report->failure ? report->failure->code : "apply_failed";
  std::string message = report->failure ? report->failure->message : "the apply failed";
  if (report->final_step == apply::Step::rollback_failed) {
    message += "; the rollback failed too: fix dockerd (journalctl -u docker)";
  } else {
    message += "; rolled back" +
               (report->served_serial.empty() ? std::string() : ": dockerd serves serial " + report->served_serial);
  }
  outcome.error_message = std::move(message);
  return outcome;
}

RotationOutcomes::RotationOutcomes(fs::FileSystem& fs, std::string state_dir)
    : fs_(fs), dir_(std::move(state_dir) + "/rotations") {}

std::string RotationOutcomes::path(const std::string& rotation_id) const { return dir_ + "/" + rotation_id + ".json"; }

std::optional<RotationOutcome> RotationOutcomes::find(const std::string& rotation_id) const {
  if (!valid_rotation_id(rotation_id) || !fs_.exists(path(rotation_id))) return std::nullopt;
  auto text = fs_.read_file(path(rotation_id));
  if (!text) return std::nullopt;
  return RotationOutcome::from_json(nlohmann::json::parse(*text, nullptr, false));
}

Result<void> RotationOutcomes::save(const std::string& rotation_id, const RotationOutcome& outcome) {
  if (!valid_rotation_id(rotation_id)) return make_error("invalid_rotation_id", "bad rotation id");
  if (auto made = fs_.create_directories(dir_, 0700); !made) return made;
  fs::WriteOptions options;
  options.mode = 0600;
  return fs_.write_file_atomic(path(rotation_id), dump_json(outcome.to_json(), 2) + "\n", options);
}

}  // namespace phoenix::agent
