#include "hub/netns/netns_layout.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

NetnsConfig three_vms() {
  NetnsConfig c;
  c.vms = {{"vm1", ""}, {"vm2", ""}, {"vm3", "10.77.0.50"}};
  return c;
}

TEST(NetnsLayout, DerivesNamesAddressesAndPaths) {
  const auto config = three_vms();
  ASSERT_TRUE(validate_netns_config(config));
  const auto bridge = bridge_layout(config);
  EXPECT_EQ(bridge.host_cidr, "10.77.0.1/24");
  EXPECT_EQ(bridge.host_address, "10.77.0.1");
  const auto vm2 = vm_layout(config, 1, "/var/lib/phoenix-hub");
  EXPECT_EQ(vm2.netns, "phx0-vm2");
  EXPECT_EQ(vm2.netns_path, "/var/run/netns/phx0-vm2");
  EXPECT_EQ(vm2.veth_host, "phx0h1");
  EXPECT_EQ(vm2.veth_vm, "phx0v1");
  EXPECT_EQ(vm2.address, "10.77.0.11");
  EXPECT_EQ(vm2.root, "/var/lib/phoenix-hub/netns/vm2/root");
  EXPECT_EQ(vm2.docker_socket, "/var/lib/phoenix-hub/netns/vm2/run/docker.sock");
  EXPECT_EQ(vm_layout(config, 2, "/s").address, "10.77.0.50");
}

TEST(NetnsLayout, IpCommandsBuildTheNamespaceOnTheBridge) {
  const auto config = three_vms();
  const auto bridge = bridge_layout(config);
  EXPECT_EQ(bridge_up_commands(bridge).front(), (Argv{"link", "add", "phx0", "type", "bridge"}));
  const auto up = vm_network_up_commands(bridge, vm_layout(config, 0, "/s"));
  ASSERT_EQ(up.size(), 8u);
  EXPECT_EQ(up[0], (Argv{"netns", "add", "phx0-vm1"}));
  EXPECT_EQ(up[1], (Argv{"link", "add", "phx0h0", "type", "veth", "peer", "name", "phx0v0"}));
  EXPECT_EQ(up[3], (Argv{"link", "set", "phx0h0", "master", "phx0"}));
  EXPECT_EQ(up[5], (Argv{"-n", "phx0-vm1", "addr", "add", "10.77.0.10/24", "dev", "phx0v0"}));
  EXPECT_EQ(netns_delete_command(vm_layout(config, 0, "/s")), (Argv{"netns", "delete", "phx0-vm1"}));
  // Every interface name fits the kernel's 15 characters.
  auto wide = three_vms();
  wide.bridge = "abcdefghij";
  for (std::size_t i = 0; i < wide.vms.size(); ++i) {
    EXPECT_LE(vm_layout(wide, i, "/s").veth_host.size(), 15u);
  }
}

TEST(NetnsLayout, RefusesBadConfigNamingTheKey) {
  const struct {
    void (*mutate)(NetnsConfig&);
    const char* key;
  } cases[] = {
      {[](NetnsConfig& c) { c.bridge = "Phx-0"; }, "netns.bridge"},
      {[](NetnsConfig& c) { c.bridge = "abcdefghijk"; }, "netns.bridge"},
      {[](NetnsConfig& c) { c.subnet = "10.77.0.0"; }, "netns.subnet"},
      {[](NetnsConfig& c) { c.subnet = "10.77.0.0/30"; }, "netns.subnet"},
      {[](NetnsConfig& c) { c.subnet = "fd00::/64"; }, "netns.subnet"},
      {[](NetnsConfig& c) { c.vms.clear(); }, "netns.vms"},
      {[](NetnsConfig& c) { c.vms[1].name = "../x"; }, "netns.vms[1].name"},
      {[](NetnsConfig& c) { c.vms[1].name = "vm1"; }, "netns.vms[1].name"},
      {[](NetnsConfig& c) { c.vms[2].address = "10.78.0.5"; }, "netns.vms[2].address"},
      {[](NetnsConfig& c) { c.vms[2].address = "10.77.0.1"; }, "netns.vms[2].address"},
      {[](NetnsConfig& c) { c.vms[2].address = "10.77.0.255"; }, "netns.vms[2].address"},
      {[](NetnsConfig& c) { c.vms[2].address = "10.77.0.10"; }, "netns.vms[2].address"},
  };
  for (const auto& c : cases) {
    auto config = three_vms();
    c.mutate(config);
    const auto valid = validate_netns_config(config);
    ASSERT_FALSE(valid) << c.key;
    EXPECT_EQ(valid.error().code, "invalid_config");
    EXPECT_EQ(valid.error().message.rfind(c.key, 0), 0u) << valid.error().message;
  }
}

}  // namespace
}  // namespace phoenix::hub
