#pragma once
// The netns driver's plan (SPEC "VM drivers"): every VM a network namespace on one Linux
// bridge, with its own dockerd and phoenix-agent, so the whole product runs end to end on one
// Linux machine. This file is the pure part: names, addresses, paths and the exact `ip`
// commands, derived from the config with no I/O, so they are unit-tested and the I/O layer
// only runs them.
#include "shared/core/error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace phoenix::hub {

struct NetnsVmConfig {
  std::string name;
  std::string address;  // IPv4 inside the subnet; "" = the subnet's .10 + index
};

struct NetnsConfig {
  std::string bridge = "phx0";          // [a-z0-9]{1,10}: veth names derive from it
  std::string subnet = "10.77.0.0/24";  // IPv4, prefix 16..28; the bridge takes .1
  std::vector<NetnsVmConfig> vms;
  std::string agent_path;    // phoenix-agent; "" = found next to phoenix-hub or in PATH dirs
  std::string dockerd_path;  // "" = /usr/sbin/dockerd or /usr/bin/dockerd
};

// Checks names, the subnet and every address (inside the subnet, not the bridge's, unique).
// Errors: "invalid_config" naming the key.
Result<void> validate_netns_config(const NetnsConfig& config);

using Argv = std::vector<std::string>;

struct NetnsVmLayout {
  std::string vm;
  std::string netns;       // "<bridge>-<vm>", the `ip netns` name
  std::string netns_path;  // /var/run/netns/<netns>, for nsenter --net=
  std::string veth_host;   // "<bridge>h<index>", on the bridge
  std::string veth_vm;     // "<bridge>v<index>", inside the namespace
  std::string address;     // the VM's IPv4
  int prefix = 24;
  std::string dir;            // <state>/netns/<vm>: the VM's "disk", kept across stop/start
  std::string root;           // <dir>/root: the agent's --root (etc/docker, root's home)
  std::string agent_state;    // <dir>/agent: the agent's --state-dir (identity)
  std::string runtime;        // <dir>/run: dockerd's data/exec roots, removed on stop
  std::string docker_socket;  // <runtime>/docker.sock
};

struct NetnsBridgeLayout {
  std::string bridge;
  std::string host_cidr;  // "10.77.0.1/24"
  std::string host_address;
};

NetnsBridgeLayout bridge_layout(const NetnsConfig& config);
// `index` is the VM's position in config.vms. Call validate_netns_config first.
NetnsVmLayout vm_layout(const NetnsConfig& config, std::size_t index, const std::string& state_dir);

// `ip` invocations (argv after the ip binary), in order.
std::vector<Argv> bridge_up_commands(const NetnsBridgeLayout& bridge);
std::vector<Argv> vm_network_up_commands(const NetnsBridgeLayout& bridge, const NetnsVmLayout& vm);
Argv netns_delete_command(const NetnsVmLayout& vm);  // also removes the veth pair
Argv bridge_delete_command(const NetnsBridgeLayout& bridge);

}  // namespace phoenix::hub
