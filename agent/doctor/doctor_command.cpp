#include "agent/doctor/doctor_command.hpp"

#include "agent/docker/user_account.hpp"
#include "agent/doctor/doctor_probe.hpp"
#include "agent/doctor/doctor_render.hpp"
#include "agent/doctor/doctor_report.hpp"
#include "agent/doctor/real_network_probe.hpp"
#include "shared/cli/command_table.hpp"
#include "shared/fs/real_file_system.hpp"

#include <iostream>

namespace phoenix::agent {

int run_doctor_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  doctor::DoctorOptions options;
  std::string users = "root";
  po::options_description description("Options");
  description.add_options()
      ("root", po::value(&options.root), "prefix for every system path (tests, dry runs)")
      ("docker-socket", po::value(&options.docker_socket)->default_value(options.docker_socket),
       "dockerd's unix socket")
      ("users", po::value(&users)->default_value(users), "comma-separated users whose phoenix context is checked")
      ("json", "print one JSON document instead of lines")
      ("fix-docker-host", "comment out every DOCKER_HOST line found (with a marker, undoable)")
      ("restore-docker-host", "undo --fix-docker-host: bring back the lines it commented out")
      ("tls-endpoint", po::value(&options.tls_endpoint),
       "dockerd's TLS listener to probe, HOST:PORT (default 127.0.0.1 and daemon.json's TLS port, else 2376)");
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-agent doctor", description, args, vm); rc >= 0) return rc;

  options.fix_docker_host = vm.count("fix-docker-host") != 0;
  options.restore_docker_host = vm.count("restore-docker-host") != 0;
  options.users = docker::split_user_list(users);
  if (options.fix_docker_host && options.restore_docker_host) {
    std::cerr << "phoenix-agent doctor: --fix-docker-host and --restore-docker-host undo each other; give one\n";
    return 2;
  }
  if (options.users.empty()) {
    std::cerr << "phoenix-agent doctor: --users is empty; name at least one user (e.g. --users root)\n";
    return 2;
  }
  if (!options.tls_endpoint.empty()) {
    if (auto endpoint = doctor::parse_endpoint(options.tls_endpoint); !endpoint) {
      std::cerr << "phoenix-agent doctor: " << endpoint.error().message << "\n";
      return 2;
    }
  }

  fs::RealFileSystem files;
  doctor::RealNetworkProbe network;
  const auto inputs = doctor::gather_inputs(files, network, options, doctor::Clock::now());
  const auto report = doctor::build_report(inputs);
  std::cout << (vm.count("json") != 0 ? doctor::render_json(report) : doctor::render_human(report)) << std::flush;
  return report.exit_code();
}

}  // namespace phoenix::agent
