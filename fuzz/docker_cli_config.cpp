// A user's docker CLI files: ~/.docker/config.json (merged to select the phoenix context) and
// the context's meta.json (read by `doctor`). The input is split into the two files.
#include "agent/docker/context_store.hpp"
#include "shared/fs/fake_file_system.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix;
  using namespace phoenix::agent::docker;
  FuzzedDataProvider input(data, size);
  const std::string config_json = input.ConsumeRandomLengthString();
  const std::string meta_json = input.ConsumeRemainingBytesAsString();

  if (auto merged = merge_current_context(config_json); merged) {
    auto again = merge_current_context(*merged);  // idempotent on its own output
    if (!again || *again != *merged) std::abort();
  }

  fs::FakeFileSystem files;
  const UserAccount user{"alice", "/home/alice", 1000, 1000};
  const auto paths = context_paths(user);
  files.put(paths.config_json, config_json);
  files.put(paths.meta_json, meta_json);
  files.put(paths.ca_pem, "ca");
  files.put(paths.cert_pem, "cert");
  files.put(paths.key_pem, "key");
  const auto status = inspect_phoenix_context(files, user, ContextMaterial{"ca", "cert", "key"});
  (void)status.ok();
  return 0;
}
