#include "agent/apply/apply_command.hpp"

#include "agent/apply/apply_executor.hpp"
#include "agent/apply/apply_lock.hpp"
#include "agent/apply/failpoint.hpp"
#include "agent/apply/material_validation.hpp"
#include "agent/apply/real_apply_environment.hpp"
#include "agent/docker/user_account.hpp"
#include "shared/cli/command_table.hpp"
#include "shared/process/command_line.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace phoenix::agent {
namespace {

namespace po = boost::program_options;
using apply::ApplyReport;

// Exit codes (documented in --help).
constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;      // nothing changed: bad input or a check failed before the swap
constexpr int kExitUsage = 2;
constexpr int kExitRolledBack = 3;   // the new set failed; dockerd is back on the previous set
constexpr int kExitManual = 4;       // the rollback failed too, or the journal is unreadable

constexpr const char* kUsage =
    "phoenix-agent docker apply --ca CA.pem --server-cert S.pem --server-key S.key\n"
    "       --client-cert C.pem --client-key C.key [--root DIR] [--state-dir DIR]\n"
    "       [--listen tcp://0.0.0.0:2376] [--docker-socket PATH] [--restart-command \"CMD\"]\n"
    "       [--users root,alice] [--verify-timeout 30]\n\n"
    "Sets up dockerd's TLS (/etc/docker/daemon.json, /etc/docker/tls/) and each user's `phoenix`\n"
    "docker context from the given files: validate, stage, back up, swap, restart dockerd, verify a\n"
    "real TLS /_ping serves the new cert, write and verify the contexts; on any failure restore the\n"
    "previous set, restart and verify it. A journal in the state dir makes an interrupted run\n"
    "converge first (roll back, or finish when dockerd had already verified the new set).\n"
    "Exit: 0 verified; 1 refused, nothing changed; 2 usage; 3 failed and rolled back;\n"
    "4 rollback failed or journal unreadable (see the message). Under --root there is no default\n"
    "restart command. PHOENIX_FAILPOINT=<step> (tests only) kills the process with exit 137 right\n"
    "after that step is journaled; it does nothing when unset";

void progress(const std::string& line) { std::cerr << "docker apply: " << line << std::endl; }

Result<std::string> read_input(const fs::FileSystem& fs, const std::string& flag, const std::string& path) {
  auto text = fs.read_file(path);
  if (!text) return make_error("input_unreadable", "cannot read " + flag + " " + path + ": " + text.error().message);
  return *text;
}

void print_report(const char* what, const ApplyReport& r) {
  std::cout << what << ": " << (r.succeeded ? "verified" : "not applied") << "\n"
            << "  step:          " << apply::to_string(r.final_step) << "\n"
            << "  new set:       " << r.new_set << " (serial " << r.new_serial << ")\n"
            << "  previous set:  " << r.old_set.value_or("(none)")
            << (r.old_serial ? " (serial " + *r.old_serial + ")" : std::string()) << "\n";
  if (!r.served_serial.empty()) std::cout << "  dockerd serves serial " << r.served_serial << "\n";
  if (r.succeeded) {
    std::cout << "  phoenix context current for:";
    for (const auto& u : r.users) std::cout << " " << u;
    std::cout << "\n";
  }
  if (r.failure) std::cout << "  failure:       " << r.failure->code << ": " << r.failure->message << "\n";
  std::cout.flush();
}

int exit_code_for(const ApplyReport& r) {
  if (r.succeeded) return kExitOk;
  if (r.final_step == apply::Step::rollback_failed) return kExitManual;
  return kExitRolledBack;
}

}  // namespace

int run_apply_command(const std::vector<std::string>& args) {
  po::options_description options("Options");
  std::string ca, server_cert, server_key, client_cert, client_key, root, state_dir, listen, socket, restart, users;
  int verify_timeout = 30;
  options.add_options()
      ("ca", po::value(&ca)->required(), "docker CA certificate (PEM) that issued both certs")
      ("server-cert", po::value(&server_cert)->required(), "dockerd server certificate (PEM)")
      ("server-key", po::value(&server_key)->required(), "dockerd server key (PEM)")
      ("client-cert", po::value(&client_cert)->required(), "client certificate for the contexts (PEM)")
      ("client-key", po::value(&client_key)->required(), "client key for the contexts (PEM)")
      ("root", po::value(&root)->default_value(""), "prefix for every system path (tests, dry runs)")
      ("state-dir", po::value(&state_dir), "journal and backups (default /var/lib/phoenix-agent, under --root)")
      ("listen", po::value(&listen)->default_value("tcp://0.0.0.0:2376"), "dockerd's TLS listener")
      ("docker-socket", po::value(&socket)->default_value("/var/run/docker.sock"), "dockerd's unix socket")
      ("restart-command", po::value(&restart),
       "command that restarts dockerd (no shell); default: systemctl daemon-reload, then "
       "systemctl restart docker; required with --root")
      ("users", po::value(&users)->default_value("root"), "users whose phoenix context to write, comma-separated")
      ("verify-timeout", po::value(&verify_timeout)->default_value(30), "seconds to wait for dockerd to verify");
  po::variables_map vm;
  if (int rc = cli::parse_options(kUsage, options, args, vm); rc >= 0) return rc;

  apply::ApplySettings settings;
  if (!restart.empty()) {
    auto argv = process::split_command_line(restart);
    if (!argv) {
      std::cerr << "docker apply: --restart-command: " << argv.error().message << "\n";
      return kExitUsage;
    }
    settings.restart_commands = {*argv};
  } else if (!root.empty()) {
    std::cerr << "docker apply: under --root there is no default restart command (it would restart the host's "
                 "dockerd); pass --restart-command \"CMD\"\n";
    return kExitUsage;
  } else {
    settings.restart_commands = {{"systemctl", "daemon-reload"}, {"systemctl", "restart", "docker"}};
  }
  if (verify_timeout <= 0 || verify_timeout > 3600) {
    std::cerr << "docker apply: --verify-timeout must be 1..3600 seconds\n";
    return kExitUsage;
  }
  if (auto port = apply::listen_port(listen); !port) {
    std::cerr << "docker apply: --listen: " << port.error().message << "\n";
    return kExitUsage;
  }
  if (socket.empty() || socket.front() != '/') {
    std::cerr << "docker apply: --docker-socket must be an absolute path\n";
    return kExitUsage;
  }
  settings.paths = docker::SystemPaths::under(root);
  settings.state_dir = vm.count("state-dir") != 0 ? state_dir : fs::prefixed(root, "/var/lib/phoenix-agent");
  settings.listen = listen;
  settings.docker_socket = socket;
  settings.users = docker::split_user_list(users);
  if (settings.users.empty()) settings.users = {"root"};
  settings.verify_timeout = std::chrono::seconds(verify_timeout);

  apply::RealApplyPorts ports;
  fs::RealFileSystem& fs = ports.fs();
  apply::ApplyExecutor executor(ports.environment(progress, apply::exit_at_failpoint), settings);

  progress("validating…");
  apply::CertFiles files;
  files.ca_path = ca;
  files.server_cert_path = server_cert;
  files.server_key_path = server_key;
  files.client_cert_path = client_cert;
  files.client_key_path = client_key;
  const std::pair<std::pair<const char*, const std::string*>, std::string*> inputs[] = {
      {{"--ca", &ca}, &files.ca_pem},
      {{"--server-cert", &server_cert}, &files.server_cert_pem},
      {{"--server-key", &server_key}, &files.server_key_pem},
      {{"--client-cert", &client_cert}, &files.client_cert_pem},
      {{"--client-key", &client_key}, &files.client_key_pem}};
  std::optional<Error> refusal;
  for (const auto& [flag, out] : inputs) {
    auto text = read_input(fs, flag.first, *flag.second);
    if (!text) {
      refusal = text.error();
      break;
    }
    *out = std::move(*text);
  }
  Result<apply::ValidatedMaterial> material = refusal ? Result<apply::ValidatedMaterial>(*refusal)
                                                      : apply::validate_material(files, std::chrono::system_clock::now());
  if (!material) refusal = material.error();

  // One apply at a time on this machine (a second `docker apply`, or the agent).
  // Taken only when something will be written: refused input with no journal to converge
  // leaves the disk exactly as it was.
  const bool journal_present = fs.exists(apply::JournalStore(fs, settings.state_dir).path());
  if (refusal && !journal_present) {
    std::cerr << "docker apply: refused: " << refusal->to_string() << "\n";
    return kExitRefused;
  }
  auto lock = apply::ApplyLock::acquire(settings.state_dir);
  if (!lock) {
    std::cerr << "docker apply: " << lock.error().to_string() << "\n";
    return kExitManual;
  }

  // A journal left by a crashed run (or a failed rollback) is converged before anything new.
  auto converged = executor.converge();
  if (!converged) {
    std::cerr << "docker apply: " << converged.error().to_string() << "\n";
    return kExitManual;
  }
  if (*converged) {
    print_report("previous apply", **converged);
    if ((*converged)->final_step == apply::Step::rollback_failed) {
      std::cerr << "docker apply: the previous apply could not be rolled back; fix dockerd (journalctl -u docker) "
                   "and run again\n";
      return kExitManual;
    }
  }

  if (refusal) {
    std::cerr << "docker apply: refused: " << refusal->to_string() << "\n";
    return kExitRefused;
  }
  for (const std::string& note : material->notes) progress("note: " + note);
  progress("valid: server serial " + material->server_serial + " (until " + material->server_not_after +
           "), client serial " + material->client_serial);

  auto report = executor.apply(*material);
  if (!report) {
    std::cerr << "docker apply: refused: " << report.error().to_string() << "\n";
    return kExitRefused;
  }
  print_report("docker apply", *report);
  if (!report->succeeded) {
    std::cerr << "docker apply: failed: " << (report->failure ? report->failure->code + ": " + report->failure->message : std::string())
              << "\n";
  }
  return exit_code_for(*report);
}

}  // namespace phoenix::agent
