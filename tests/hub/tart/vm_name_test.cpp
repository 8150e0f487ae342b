#include "hub/vms/vm_name.hpp"
#include "hub/vms/vm_service.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

TEST(VmName, AcceptsOrdinaryNames) {
  for (const std::string& name : std::vector<std::string>{"vm1", "my-vm_2.test", "A", "0", "a..", "x.y-z_1",
                                 std::string(64, 'a')}) {
    EXPECT_TRUE(is_valid_vm_name(name)) << name;
    EXPECT_TRUE(validate_vm_name(name)) << name;
  }
}

TEST(VmName, RefusesHostileAndMalformedNames) {
  const std::string too_long(65, 'a');
  const std::string huge(200, 'b');
  for (const std::string& name : std::vector<std::string>{"", ".", "..", "../x", "..%2f", "%2e%2e%2f", "a;id", "-rf", "$(id)", "`id`", "a b",
        "a/b", "a\\b", ".hidden", "_x", "-", "vm\n", std::string("vm\0x", 4), "v\xc3\xa9m",
        "\xe2\x80\x8bvm", too_long, huge}) {
    auto result = validate_vm_name(name);
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(result.error().code, "invalid_name");
  }
}

TEST(VmName, MessageDoesNotEchoAHugeOrBinaryName) {
  auto result = validate_vm_name(std::string(200, 'x') + "\x01");
  ASSERT_FALSE(result);
  EXPECT_LT(result.error().message.size(), 200u);
  EXPECT_EQ(result.error().message.find('\x01'), std::string::npos);
}

TEST(VmInfoJson, CarriesKnownFactsOnly) {
  VmInfo vm;
  vm.name = "vm1";
  vm.state = "running";
  vm.running = true;
  vm.source = "local";
  vm.cpu = 4;
  vm.size_gb = 12;
  const auto json = to_json(vm);
  EXPECT_EQ(json.at("name"), "vm1");
  EXPECT_EQ(json.at("state"), "running");
  EXPECT_EQ(json.at("running"), true);
  EXPECT_EQ(json.at("source"), "local");
  EXPECT_EQ(json.at("cpu"), 4);
  EXPECT_EQ(json.at("size_gb"), 12);
  EXPECT_FALSE(json.contains("os"));
  EXPECT_FALSE(json.contains("memory_mb"));
  EXPECT_FALSE(json.contains("accessed"));
}

}  // namespace
}  // namespace phoenix::hub
