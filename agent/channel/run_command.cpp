#include "agent/channel/run_command.hpp"

#include "shared/core/io_loop.hpp"

#include "agent/apply/pending_apply.hpp"
#include "agent/channel/agent_config.hpp"
#include "agent/channel/agent_runner.hpp"
#include "agent/docker/user_account.hpp"
#include "shared/cli/command_table.hpp"
#include "shared/config/config_object.hpp"
#include "shared/core/log.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/process/command_line.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <iostream>

namespace phoenix::agent {

int run_run_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string config_path = kDefaultAgentConfigPath;
  std::string state_dir, docker_socket, root, users, docker_listen;
  std::vector<std::string> restart_commands;
  long backoff_start_ms = 1000, backoff_cap_ms = 60'000, state_interval_ms = 30'000, renewal_retry_ms = 60'000;
  po::options_description description("Options");
  description.add_options()
      ("config", po::value(&config_path), "agent config file (default /etc/phoenix/agent.json, optional)")
      ("state-dir", po::value(&state_dir), "where the identity is kept (default /var/lib/phoenix-agent)")
      ("docker-socket", po::value(&docker_socket), "dockerd's unix socket (default /var/run/docker.sock)")
      ("root", po::value(&root), "prefix for every system path (tests, dry runs)")
      ("users", po::value(&users), "comma-separated users whose phoenix context is kept (default root)")
      ("docker-listen", po::value(&docker_listen), "dockerd's TLS listener for rotations (default tcp://0.0.0.0:2376)")
      ("restart-command", po::value(&restart_commands),
       "command that restarts dockerd after a rotation (no shell; repeat for several, run in order); "
       "default: systemctl daemon-reload, then systemctl restart docker; required with --root");
  // Test-only knobs: integration tests shrink the timings; not for production use.
  po::options_description hidden("Test-only");
  hidden.add_options()
      ("backoff-start-ms", po::value(&backoff_start_ms))
      ("backoff-cap-ms", po::value(&backoff_cap_ms))
      ("state-interval-ms", po::value(&state_interval_ms))
      ("renewal-retry-ms", po::value(&renewal_retry_ms));
  po::options_description all;
  all.add(description).add(hidden);
  po::variables_map vm;
  // --help shows the public options only.
  for (const auto& arg : args) {
    if (arg == "--help" || arg == "-h") return cli::parse_options("phoenix-agent run", description, args, vm);
  }
  if (int rc = cli::parse_options("phoenix-agent run", all, args, vm); rc >= 0) return rc;

  fs::RealFileSystem files;
  RunnerOptions options;
  try {
    options.config = load_agent_config(files, config_path, vm.count("config") != 0);
  } catch (const config::ConfigError& e) {
    std::cerr << "phoenix-agent run: " << e.what() << "\n";
    return 2;
  }
  if (!state_dir.empty()) options.config.state_dir = state_dir;
  if (!docker_socket.empty()) options.config.docker_socket = docker_socket;
  if (vm.count("root") != 0) options.config.root = root;
  if (vm.count("users") != 0) {
    options.config.users = docker::split_user_list(users);
    if (options.config.users.empty()) {
      std::cerr << "phoenix-agent run: --users is empty; name at least one user (e.g. --users root)\n";
      return 2;
    }
  }
  if (!docker_listen.empty()) {
    if (auto port = apply::listen_port(docker_listen); !port) {
      std::cerr << "phoenix-agent run: --docker-listen: " << port.error().message << "\n";
      return 2;
    }
    options.config.docker.listen = docker_listen;
  }
  if (!restart_commands.empty()) {
    options.config.docker.restart_commands.clear();
    for (const auto& line : restart_commands) {
      auto argv = process::split_command_line(line);
      if (!argv) {
        std::cerr << "phoenix-agent run: --restart-command: " << argv.error().message << "\n";
        return 2;
      }
      options.config.docker.restart_commands.push_back(std::move(*argv));
    }
  }
  options.backoff.start = std::chrono::milliseconds{std::max(1L, backoff_start_ms)};
  options.backoff.cap = std::chrono::milliseconds{std::max(1L, backoff_cap_ms)};
  options.state_interval = std::chrono::milliseconds{std::max(100L, state_interval_ms)};
  options.renewal_retry = std::chrono::milliseconds{std::max(100L, renewal_retry_ms)};

  // First, before the enrollment check: a `docker apply` killed midway converges (dockerd
  // back on one consistent TLS set) even on an un-enrolled VM. Logged, never fatal.
  apply::converge_pending_apply_at_start(options.config.state_dir);

  boost::asio::io_context ioc;
  AgentRunner runner(ioc, files, options);
  // Signals are caught before start() tells systemd READY: a stop right after READY must be
  // a clean stop, not a kill by SIGTERM's default action.
  boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
  signals.async_wait([&runner](const boost::system::error_code& ec, int) {
    if (!ec) runner.stop();
  });
  std::signal(SIGPIPE, SIG_IGN);
  if (auto started = runner.start(); !started) {
    std::cerr << "phoenix-agent run: " << started.error().message << "\n";
    return 1;
  }
  // Returns once the runner has closed the channel and every timer is done.
  // run_io_loop: a handler that still throws is logged and costs only its own work.
  run_io_loop(ioc, "agent");
  return 0;
}

}  // namespace phoenix::agent
