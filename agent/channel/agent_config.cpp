#include "agent/channel/agent_config.hpp"

#include "agent/apply/apply_executor.hpp"
#include "shared/config/config_object.hpp"
#include "shared/process/command_line.hpp"

namespace phoenix::agent {

AgentConfig load_agent_config(const fs::FileSystem& fs, const std::string& path, bool explicitly_given) {
  AgentConfig out;
  if (!explicitly_given && !fs.exists(path)) return out;
  const config::ConfigObject object(config::load_json_file(fs, path), path);
  object.reject_unknown_keys({"state_dir", "docker_socket", "users", "root", "docker"});
  out.state_dir = object.string("state_dir", out.state_dir);
  out.docker_socket = object.string("docker_socket", out.docker_socket);
  out.root = object.string("root", out.root);
  if (object.has("users")) {
    out.users = object.strings("users");
    if (out.users.empty()) object.fail("users", "name at least one user (e.g. [\"root\"])");
  }
  if (out.state_dir.empty()) object.fail("state_dir", "must not be empty");
  const auto docker = object.object("docker");
  docker.reject_unknown_keys({"listen", "restart_commands", "verify_timeout_s"});
  out.docker.listen = docker.string("listen", out.docker.listen);
  if (auto port = apply::listen_port(out.docker.listen); !port) docker.fail("listen", port.error().message);
  if (docker.has("restart_commands")) {
    for (const auto& line : docker.strings("restart_commands")) {
      auto argv = process::split_command_line(line);
      if (!argv || argv->empty()) docker.fail("restart_commands", "cannot split \"" + line + "\" into a command");
      out.docker.restart_commands.push_back(std::move(*argv));
    }
  }
  out.docker.verify_timeout = std::chrono::seconds(docker.integer("verify_timeout_s", 30, 1, 3600));
  return out;
}

}  // namespace phoenix::agent
