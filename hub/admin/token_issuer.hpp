#pragma once
// `phoenix-hub token create` without the command line: a fresh single-use enrollment
// token for one VM, whose secret's hash goes into the store and whose text carries the
// hub URL and the identity CA fingerprint (docs/agent-protocol.md "Enrollment token").
#include "hub/store/hub_store.hpp"
#include "shared/fs/file_system.hpp"
#include "shared/protocol/enroll_token.hpp"

#include <chrono>
#include <string>

namespace phoenix::hub {

struct IssuedToken {
  protocol::EnrollToken token;
  std::string text;  // "phx1.…"
  StoreTime expires_at{};
};

// Reads the identity CA's fingerprint from `identity_ca_pem_path`, checks the name, TTL and
// URL, stores the hash and returns the token. Errors: "invalid_name", "invalid_ttl",
// "invalid_hub_url", "not_initialized" (no CA file), "invalid_pem", "store_error".
Result<IssuedToken> issue_enroll_token(const fs::FileSystem& fs, HubStore& store,
                                       const std::string& identity_ca_pem_path,
                                       const std::string& vm, const std::string& hub_url,
                                       std::chrono::seconds ttl, StoreTime now);

}  // namespace phoenix::hub
