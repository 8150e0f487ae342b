#include "agent/channel/rotation_handler.hpp"

#include "agent/channel/local_client_ca.hpp"
#include "shared/core/log.hpp"
#include "shared/pki/certificate.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace phoenix::agent {
namespace net = boost::asio;
using protocol::MessageType;

namespace {
constexpr const char* kLog = "docker-rotation";

std::string text_field(const nlohmann::json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

RotationHandler::RotationHandler(net::io_context& ioc, fs::FileSystem& fs, AgentConfig config,
                                 std::function<std::string()> next_id)
    : ioc_(ioc),
      config_(std::move(config)),
      next_id_(std::move(next_id)),
      outcomes_(fs, config_.state_dir) {}

RotationHandler::~RotationHandler() {
  if (worker_.joinable()) worker_.join();
}

void RotationHandler::on_connection(const std::shared_ptr<ChannelConnection>& connection) {
  connection_ = connection;
  if (!active_) return;
  active_->answer_to.clear();  // those commands died with the old connection
  if (!active_->applying) {
    log::info(kLog, "rotation " + active_->rotation_id + " was waiting for signatures on a lost connection: dropped");
    active_.reset();
  }
}

void RotationHandler::answer(ChannelConnection& connection, const std::string& command_id,
                             const std::string& rotation_id, const RotationOutcome& outcome) {
  if (outcome.succeeded) {
    connection.send(protocol::encode(protocol::make_result(next_id_(), command_id, outcome.result_body(rotation_id))));
  } else {
    connection.send(protocol::encode(
        protocol::make_error_reply(next_id_(), command_id, outcome.error_code, outcome.error_message)));
  }
}

void RotationHandler::on_command(ChannelConnection& connection, const protocol::Envelope& message) {
  const std::string rotation_id = text_field(message.body, "rotation_id");
  if (!valid_rotation_id(rotation_id)) {
    return connection.send(protocol::encode(protocol::make_error_reply(
        next_id_(), message.id, "invalid_body", "rotate_docker_tls needs a rotation_id of [A-Za-z0-9._-]{1,64}")));
  }
  if (auto recorded = outcomes_.find(rotation_id)) {
    log::info(kLog, "rotation " + rotation_id + " was already done here: answering from the record");
    return answer(connection, message.id, rotation_id, *recorded);
  }
  if (active_) {
    if (active_->rotation_id == rotation_id) {
      active_->answer_to.push_back(message.id);  // answered when it finishes
      return;
    }
    return connection.send(protocol::encode(protocol::make_error_reply(
        next_id_(), message.id, "rotation_busy", "rotation " + active_->rotation_id + " is still in progress here")));
  }
  if (auto settings = rotation_apply_settings(config_); !settings) {
    return connection.send(protocol::encode(
        protocol::make_error_reply(next_id_(), message.id, settings.error().code, settings.error().message)));
  }
  auto requests = make_rotation_requests(vm_, connection.local_address());
  if (!requests) {
    return connection.send(protocol::encode(
        protocol::make_error_reply(next_id_(), message.id, requests.error().code, requests.error().message)));
  }
  Active active;
  active.rotation_id = rotation_id;
  active.answer_to.push_back(message.id);
  active.requests = std::move(*requests);
  active.server_sign_id = next_id_();
  log::notice(kLog, "rotation " + rotation_id + ": new docker server and client keys made; asking the hub to sign the server cert");
  connection.send(protocol::encode(protocol::make_message(
      MessageType::sign_request, active.server_sign_id,
      {{"kind", "docker_server"}, {"csr", active.requests.server_csr_pem}})));
  active_ = std::move(active);
}

bool RotationHandler::on_answer(ChannelConnection& /*connection*/, const protocol::Envelope& message) {
  if (!active_ || active_->applying || !message.re || *message.re != active_->server_sign_id) return false;
  if (message.kind() == MessageType::error) {
    fail_active(text_field(message.body, "code").empty() ? "sign_refused" : text_field(message.body, "code"),
                "the hub refused to sign the docker server certificate: " + text_field(message.body, "message"));
    return true;
  }
  const std::string cert = text_field(message.body, "cert");
  const std::string ca = text_field(message.body, "ca");
  if (cert.empty() || ca.empty()) {
    fail_active("invalid_answer", "the hub's signing answer has no cert/ca");
    return true;
  }
  auto server = pki::Certificate::from_pem(cert);
  if (!server) {
    fail_active("invalid_answer", "the hub's signed server cert does not parse: " + server.error().message);
    return true;
  }
  const std::string operator_ca = text_field(message.body, "operator_ca");
  if (operator_ca.empty()) {
    log::warning(kLog, "rotation " + active_->rotation_id +
                           ": the hub sent no operators' CA; only this VM's own contexts will reach its dockerd");
  }
  const auto now = std::chrono::system_clock::now();
  auto client = make_local_client(vm_, active_->requests.client_csr_pem, operator_ca, server->facts().not_after, now);
  if (!client) {
    fail_active(client.error().code, "cannot make the docker client cert: " + client.error().message);
    return true;
  }
  apply::CertFiles files;
  files.ca_pem = ca;
  files.client_ca_pem = std::move(client->client_ca_pem);
  files.server_cert_pem = cert;
  files.server_key_pem = active_->requests.server_key_pem;
  files.client_cert_pem = std::move(client->client_cert_pem);
  files.client_key_pem = active_->requests.client_key_pem;
  start_apply(std::move(files));
  return true;
}

void RotationHandler::fail_active(const std::string& code, const std::string& message) {
  log::warning(kLog, "rotation " + active_->rotation_id + " failed before any change: " + message);
  RotationOutcome outcome;
  outcome.error_code = code;
  outcome.error_message = message;
  // Not recorded: nothing changed, and the hub may retry the same id.
  if (auto connection = connection_.lock()) {
    for (const auto& id : active_->answer_to) answer(*connection, id, active_->rotation_id, outcome);
  }
  active_.reset();
}

void RotationHandler::start_apply(apply::CertFiles files) {
  auto settings = rotation_apply_settings(config_);
  if (!settings) return fail_active(settings.error().code, settings.error().message);
  active_->applying = true;
  log::notice(kLog, "rotation " + active_->rotation_id + ": certificates signed; applying (dockerd restarts)");
  if (worker_.joinable()) worker_.join();  // the previous apply's thread has finished
  // The work guard keeps the io_context running until the outcome is back on its thread.
  worker_ = std::thread([this, settings = std::move(*settings), files = std::move(files),
                         guard = net::make_work_guard(ioc_)]() mutable {
    auto outcome = apply_rotated_material(settings, files);
    net::post(ioc_, [this, outcome = std::move(outcome)]() mutable { finish(std::move(outcome)); });
  });
}

void RotationHandler::finish(RotationOutcome outcome) {
  const std::string id = active_->rotation_id;
  if (outcome.succeeded) {
    log::notice(kLog, "rotation " + id + " done: dockerd serves serial " + outcome.new_serial + " (was " +
                          (outcome.old_serial.empty() ? std::string("none") : outcome.old_serial) + ")");
  } else {
    log::error(kLog, "rotation " + id + " failed: " + outcome.error_code + ": " + outcome.error_message);
  }
  if (auto saved = outcomes_.save(id, outcome); !saved) {
    log::warning(kLog, "cannot record the outcome of rotation " + id + ": " + saved.error().message);
  }
  if (auto connection = connection_.lock(); connection && !connection->closing()) {
    for (const auto& command : active_->answer_to) answer(*connection, command, id, outcome);
    connection->wake_timer().cancel();  // report the new state now
  }
  active_.reset();
}

}  // namespace phoenix::agent
