#include "agent/channel/agent_config.hpp"

#include "shared/config/config_object.hpp"

namespace phoenix::agent {

AgentConfig load_agent_config(const fs::FileSystem& fs, const std::string& path, bool explicitly_given) {
  AgentConfig out;
  if (!explicitly_given && !fs.exists(path)) return out;
  const config::ConfigObject object(config::load_json_file(fs, path), path);
  object.reject_unknown_keys({"state_dir", "docker_socket", "users", "root"});
  out.state_dir = object.string("state_dir", out.state_dir);
  out.docker_socket = object.string("docker_socket", out.docker_socket);
  out.root = object.string("root", out.root);
  if (object.has("users")) {
    out.users = object.strings("users");
    if (out.users.empty()) object.fail("users", "name at least one user (e.g. [\"root\"])");
  }
  if (out.state_dir.empty()) object.fail("state_dir", "must not be empty");
  return out;
}

}  // namespace phoenix::agent
