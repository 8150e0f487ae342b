#pragma once
// Parsing tart's JSON output, by key: tolerant of key order, pretty printing, unknown keys
// and missing optional keys; never throws on bad input.
#include "hub/vms/vm_service.hpp"

#include <string_view>
#include <vector>

namespace phoenix::hub {

// `tart list --format json`: local entries only; OCI cache entries are dropped even if the
// caller forgot `--source local`. Entries without a valid Name are skipped. Error
// "driver_failed" if the text is not a JSON array.
Result<std::vector<VmInfo>> parse_tart_list(std::string_view json_text);

// `tart get NAME --format json` (Size is a string such as "20.123" there). Error
// "driver_failed" if the text is not a JSON object.
Result<VmInfo> parse_tart_get(std::string_view name, std::string_view json_text);

// Running/State facts from `get` win; list-only facts (accessed, source, size) fill gaps.
VmInfo merge_vm_facts(VmInfo from_get, const VmInfo& from_list);

}  // namespace phoenix::hub
