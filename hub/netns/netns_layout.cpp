#include "hub/netns/netns_layout.hpp"

#include "hub/vms/vm_name.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <set>

namespace phoenix::hub {
namespace {

struct Subnet {
  std::uint32_t network = 0;  // host order
  int prefix = 0;
};

std::optional<std::uint32_t> parse_ipv4(const std::string& text) {
  in_addr addr{};
  if (::inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::string format_ipv4(std::uint32_t host_order) {
  in_addr addr{};
  addr.s_addr = htonl(host_order);
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr, text, sizeof text);
  return text;
}

std::optional<Subnet> parse_subnet(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const auto address = parse_ipv4(text.substr(0, slash));
  int prefix = 0;
  try {
    std::size_t used = 0;
    prefix = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!address || prefix < 16 || prefix > 28) return std::nullopt;
  return Subnet{*address & (~0u << (32 - prefix)), prefix};
}

std::uint32_t mask_of(int prefix) { return ~0u << (32 - prefix); }

Error invalid(const std::string& key, const std::string& problem) {
  return make_error("invalid_config", "netns." + key + ": " + problem);
}

std::string vm_address(const NetnsConfig& config, const Subnet& subnet, std::size_t index) {
  const auto& vm = config.vms[index];
  if (!vm.address.empty()) return vm.address;
  return format_ipv4(subnet.network + 10 + static_cast<std::uint32_t>(index));
}

}  // namespace

Result<void> validate_netns_config(const NetnsConfig& config) {
  if (config.bridge.empty() || config.bridge.size() > 10 ||
      !std::all_of(config.bridge.begin(), config.bridge.end(),
                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); })) {
    return invalid("bridge", "must be 1-10 characters of a-z and 0-9 (veth names are derived from it)");
  }
  const auto subnet = parse_subnet(config.subnet);
  if (!subnet) return invalid("subnet", "must be an IPv4 CIDR with a prefix of 16 to 28, e.g. 10.77.0.0/24");
  if (config.vms.empty()) return invalid("vms", "declare at least one VM, e.g. [{\"name\":\"vm1\"}]");
  if (config.vms.size() > 99) return invalid("vms", "at most 99 VMs");
  const std::uint32_t size = 1u << (32 - subnet->prefix);
  std::set<std::string> names;
  std::set<std::uint32_t> addresses;
  for (std::size_t i = 0; i < config.vms.size(); ++i) {
    const auto& vm = config.vms[i];
    const std::string key = "vms[" + std::to_string(i) + "]";
    if (auto checked = validate_vm_name(vm.name); !checked) return invalid(key + ".name", checked.error().message);
    if (vm.name.size() > 32) return invalid(key + ".name", "at most 32 characters for a netns VM");
    if (!names.insert(vm.name).second) return invalid(key + ".name", "\"" + vm.name + "\" is declared twice");
    const auto address = parse_ipv4(vm_address(config, *subnet, i));
    if (!address) return invalid(key + ".address", "must be an IPv4 address");
    const std::uint32_t offset = *address - subnet->network;
    if ((*address & mask_of(subnet->prefix)) != subnet->network || offset <= 1 || offset >= size - 1) {
      return invalid(key + ".address", format_ipv4(*address) + " is not a host address of " + config.subnet +
                                           " other than the bridge's .1");
    }
    if (!addresses.insert(*address).second) return invalid(key + ".address", format_ipv4(*address) + " is used twice");
  }
  return ok();
}

NetnsBridgeLayout bridge_layout(const NetnsConfig& config) {
  const auto subnet = parse_subnet(config.subnet).value_or(Subnet{});
  NetnsBridgeLayout out;
  out.bridge = config.bridge;
  out.host_address = format_ipv4(subnet.network + 1);
  out.host_cidr = out.host_address + "/" + std::to_string(subnet.prefix);
  return out;
}

NetnsVmLayout vm_layout(const NetnsConfig& config, std::size_t index, const std::string& state_dir) {
  const auto subnet = parse_subnet(config.subnet).value_or(Subnet{});
  NetnsVmLayout out;
  out.vm = config.vms[index].name;
  out.netns = config.bridge + "-" + out.vm;
  out.netns_path = "/var/run/netns/" + out.netns;
  out.veth_host = config.bridge + "h" + std::to_string(index);
  out.veth_vm = config.bridge + "v" + std::to_string(index);
  out.address = vm_address(config, subnet, index);
  out.prefix = subnet.prefix;
  out.dir = state_dir + "/netns/" + out.vm;
  out.root = out.dir + "/root";
  out.agent_state = out.dir + "/agent";
  out.runtime = out.dir + "/run";
  out.docker_socket = out.runtime + "/docker.sock";
  return out;
}

std::vector<Argv> bridge_up_commands(const NetnsBridgeLayout& bridge) {
  return {{"link", "add", bridge.bridge, "type", "bridge"},
          {"addr", "add", bridge.host_cidr, "dev", bridge.bridge},
          {"link", "set", bridge.bridge, "up"}};
}

std::vector<Argv> vm_network_up_commands(const NetnsBridgeLayout& bridge, const NetnsVmLayout& vm) {
  const std::string cidr = vm.address + "/" + std::to_string(vm.prefix);
  return {{"netns", "add", vm.netns},
          {"link", "add", vm.veth_host, "type", "veth", "peer", "name", vm.veth_vm},
          {"link", "set", vm.veth_vm, "netns", vm.netns},
          {"link", "set", vm.veth_host, "master", bridge.bridge},
          {"link", "set", vm.veth_host, "up"},
          {"-n", vm.netns, "addr", "add", cidr, "dev", vm.veth_vm},
          {"-n", vm.netns, "link", "set", vm.veth_vm, "up"},
          {"-n", vm.netns, "link", "set", "lo", "up"}};
}

Argv netns_delete_command(const NetnsVmLayout& vm) { return {"netns", "delete", vm.netns}; }

Argv bridge_delete_command(const NetnsBridgeLayout& bridge) { return {"link", "delete", bridge.bridge}; }

}  // namespace phoenix::hub
