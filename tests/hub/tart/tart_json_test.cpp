#include "hub/tart/tart_json.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

// As tart prints it: Swift pretty printing, a local VM, a running one, and cached OCI images.
constexpr const char* kList = R"([
  {
    "Accessed" : "2026-11-25T10:00:00Z",
    "Disk" : 50,
    "Name" : "vm1",
    "Running" : false,
    "Size" : 21,
    "Source" : "local",
    "State" : "stopped"
  },
  {
    "State" : "running",
    "Source" : "local",
    "Size" : 9,
    "Running" : true,
    "Name" : "my-vm_2.test",
    "Disk" : 20,
    "Accessed" : "2026-11-25T11:00:00Z"
  },
  {
    "Source" : "OCI",
    "Name" : "ghcr.io/cirruslabs/macos-sonoma-base:latest",
    "Disk" : 50, "Size" : 30, "Accessed" : "2026-11-20T00:00:00Z",
    "Running" : false, "State" : "stopped"
  }
])";

TEST(ParseTartList, ParsesByKeyAndDropsOciEntries) {
  auto vms = parse_tart_list(kList);
  ASSERT_TRUE(vms);
  ASSERT_EQ(vms->size(), 2u);
  const VmInfo& a = (*vms)[0];
  EXPECT_EQ(a.name, "vm1");
  EXPECT_EQ(a.source, "local");
  EXPECT_EQ(a.state, "stopped");
  EXPECT_FALSE(a.running);
  EXPECT_EQ(a.disk_gb, 50);
  EXPECT_EQ(a.size_gb, 21);
  EXPECT_EQ(a.accessed, "2026-11-25T10:00:00Z");
  const VmInfo& b = (*vms)[1];
  EXPECT_EQ(b.name, "my-vm_2.test");
  EXPECT_TRUE(b.running);
  EXPECT_EQ(b.state, "running");
  EXPECT_FALSE(b.os.has_value());  // list does not know the OS
}

TEST(ParseTartList, CompactEmptyAndSparseShapes) {
  EXPECT_TRUE(parse_tart_list("[]")->empty());
  EXPECT_TRUE(parse_tart_list("[\n\n]\n")->empty());
  // Only a name: state defaults to stopped; Running alone decides; State alone decides.
  auto vms = parse_tart_list(R"([{"Name":"a"},{"Name":"b","Running":true},
                                  {"Name":"c","State":"suspended"},{"Name":"d","State":"running"}])");
  ASSERT_TRUE(vms);
  ASSERT_EQ(vms->size(), 4u);
  EXPECT_EQ((*vms)[0].state, "stopped");
  EXPECT_EQ((*vms)[1].state, "running");
  EXPECT_EQ((*vms)[2].state, "suspended");
  EXPECT_FALSE((*vms)[2].running);
  EXPECT_TRUE((*vms)[3].running);
}

TEST(ParseTartList, SkipsEntriesWithoutAUsableName) {
  auto vms = parse_tart_list(R"([{"Name":"../x"},{"Name":42},{},"text",7,{"Name":"ok"}])");
  ASSERT_TRUE(vms);
  ASSERT_EQ(vms->size(), 1u);
  EXPECT_EQ((*vms)[0].name, "ok");
}

TEST(ParseTartList, WrongTypesBecomeUnknownNotErrors) {
  auto vms = parse_tart_list(R"([{"Name":"a","Disk":"x","Size":-3,"Accessed":5,"Running":"yes"}])");
  ASSERT_TRUE(vms);
  EXPECT_FALSE((*vms)[0].disk_gb);
  EXPECT_FALSE((*vms)[0].size_gb);
  EXPECT_FALSE((*vms)[0].accessed);
  EXPECT_FALSE((*vms)[0].running);
}

// A VM whose name is not UTF-8 (tart takes any file name) costs only its own entry; the
// listing still parses and shows the others.
TEST(ParseTartList, ANameThatIsNotUtf8CostsOnlyItsEntry) {
  auto vms = parse_tart_list("[{\"Source\":\"local\",\"Name\":\"vm\xff\",\"State\":\"stopped\"},"
                             "{\"Source\":\"local\",\"Name\":\"vm2\",\"State\":\"running\"}]");
  ASSERT_TRUE(vms) << vms.error().to_string();
  ASSERT_EQ(vms->size(), 1u);
  EXPECT_EQ((*vms)[0].name, "vm2");
}

TEST(ParseTartList, RefusesNonArrays) {
  for (const char* text : {"", "{}", "not json", "[{", "null", "\"[]\""}) {
    auto vms = parse_tart_list(text);
    ASSERT_FALSE(vms) << text;
    EXPECT_EQ(vms.error().code, "driver_failed");
  }
}

TEST(ParseTartGet, SizeIsAStringThere) {
  auto vm = parse_tart_get("vm1", R"({
  "CPU" : 4,
  "Disk" : 50,
  "DiskFormat" : "raw",
  "Display" : "1024x768",
  "Memory" : 8192,
  "OS" : "darwin",
  "Running" : true,
  "Size" : "20.623",
  "State" : "running"
})");
  ASSERT_TRUE(vm);
  EXPECT_EQ(vm->name, "vm1");
  EXPECT_EQ(vm->source, "local");
  EXPECT_EQ(vm->os, "darwin");
  EXPECT_EQ(vm->cpu, 4);
  EXPECT_EQ(vm->memory_mb, 8192);
  EXPECT_EQ(vm->disk_gb, 50);
  EXPECT_EQ(vm->size_gb, 21);
  EXPECT_TRUE(vm->running);
  EXPECT_EQ(vm->state, "running");
}

TEST(ParseTartGet, ToleratesNumericSizeAndRefusesNonObjects) {
  EXPECT_EQ(parse_tart_get("a", R"({"Size": 3, "State":"stopped"})")->size_gb, 3);
  EXPECT_FALSE(parse_tart_get("a", R"({"Size": "3GB"})")->size_gb);
  EXPECT_EQ(parse_tart_get("a", "[]").error().code, "driver_failed");
  EXPECT_EQ(parse_tart_get("a", "").error().code, "driver_failed");
}

TEST(MergeVmFacts, GetWinsListFillsGaps) {
  VmInfo from_get = *parse_tart_get("vm1", R"({"Running":true,"State":"running","CPU":2})");
  VmInfo from_list;
  from_list.name = "vm1";
  from_list.state = "stopped";  // stale
  from_list.accessed = "2026-11-25T10:00:00Z";
  from_list.size_gb = 21;
  const VmInfo merged = merge_vm_facts(from_get, from_list);
  EXPECT_TRUE(merged.running);
  EXPECT_EQ(merged.state, "running");
  EXPECT_EQ(merged.cpu, 2);
  EXPECT_EQ(merged.accessed, "2026-11-25T10:00:00Z");
  EXPECT_EQ(merged.size_gb, 21);
}

}  // namespace
}  // namespace phoenix::hub
