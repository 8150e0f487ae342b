#include "hub/tart/tart_json.hpp"

#include "hub/vms/vm_name.hpp"
#include "shared/core/safe_text.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <limits>

namespace phoenix::hub {
namespace {

using nlohmann::json;

std::optional<std::string> string_at(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<bool> bool_at(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::optional<int> round_to_int(double value) {
  if (!std::isfinite(value) || value < 0 || value > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  return static_cast<int>(std::lround(value));
}

// Numbers may come as integers, floats, or (`tart get`'s Size) strings like "20.123".
std::optional<int> int_at(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  if (it->is_number_integer() || it->is_number_unsigned() || it->is_number_float()) {
    return round_to_int(it->get<double>());
  }
  if (it->is_string()) {
    const std::string text = it->get<std::string>();
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return round_to_int(value);
  }
  return std::nullopt;
}

// Running and State describe the same fact; either may be missing in some tart versions.
void fill_state(const json& obj, VmInfo& vm) {
  const auto running = bool_at(obj, "Running");
  const auto state = string_at(obj, "State");
  if (state) {
    vm.state = *state;
    vm.running = running.value_or(*state == "running");
  } else {
    vm.running = running.value_or(false);
    vm.state = vm.running ? "running" : "stopped";
  }
}

}  // namespace

Result<std::vector<VmInfo>> parse_tart_list(std::string_view json_text) {
  // A name that is not UTF-8 (tart takes any bytes a file name may hold) would make the whole
  // document unparseable: with U+FFFD in its place, that entry fails the name check below and
  // only it is left out.
  const json doc = json::parse(to_valid_utf8(json_text), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    return make_error("driver_failed", "tart list did not print a JSON array");
  }
  std::vector<VmInfo> vms;
  for (const json& entry : doc) {
    if (!entry.is_object()) continue;
    const std::string source = string_at(entry, "Source").value_or("local");
    if (source != "local") continue;  // OCI cache entries are images, not VMs
    const auto name = string_at(entry, "Name");
    // A VM the hub cannot address by a valid name is left out rather than half-shown.
    if (!name || !is_valid_vm_name(*name)) continue;
    VmInfo vm;
    vm.name = *name;
    vm.source = source;
    fill_state(entry, vm);
    vm.disk_gb = int_at(entry, "Disk");
    vm.size_gb = int_at(entry, "Size");
    vm.accessed = string_at(entry, "Accessed");
    vms.push_back(std::move(vm));
  }
  return vms;
}

Result<VmInfo> parse_tart_get(std::string_view name, std::string_view json_text) {
  const json doc = json::parse(to_valid_utf8(json_text), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return make_error("driver_failed", "tart get did not print a JSON object");
  }
  VmInfo vm;
  vm.name = std::string(name);
  vm.source = "local";
  fill_state(doc, vm);
  vm.os = string_at(doc, "OS");
  vm.cpu = int_at(doc, "CPU");
  vm.memory_mb = int_at(doc, "Memory");
  vm.disk_gb = int_at(doc, "Disk");
  vm.size_gb = int_at(doc, "Size");
  return vm;
}

VmInfo merge_vm_facts(VmInfo from_get, const VmInfo& from_list) {
  if (from_get.source.empty()) from_get.source = from_list.source;
  if (!from_get.accessed) from_get.accessed = from_list.accessed;
  if (!from_get.disk_gb) from_get.disk_gb = from_list.disk_gb;
  if (!from_get.size_gb) from_get.size_gb = from_list.size_gb;
  return from_get;
}

}  // namespace phoenix::hub
