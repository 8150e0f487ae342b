#pragma once
// What the CA may put in one certificate it signs: the hub builds a SigningPolicy per
// request (an agent may claim only its own VM name; a dockerd server cert only its VM's
// names and IPs) and the CA refuses any CSR that claims more. The check is a pure
// function over CsrFacts, so policy decisions are tested without keys or signatures.
#include "shared/core/error.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/usage.hpp"

#include <chrono>
#include <set>
#include <string>

namespace phoenix::pki {

struct SigningPolicy {
  std::string common_name;            // the CSR's CN must equal this exactly
  std::set<std::string> dns_names;    // every DNS SAN the CSR claims must be in here
  std::set<std::string> ip_addresses; // every IP SAN the CSR claims must be in here
  Usage usage = Usage::client_auth;   // the one extended key usage the cert gets
  std::chrono::seconds lifetime{std::chrono::hours{24 * 7}};
  bool require_p256 = true;           // refuse any other key ("weak_key"/"wrong_key_type")
};

// ok() when a CSR with `request` facts may be signed under `policy`. Errors:
// "name_not_allowed" (the message names the name), "weak_key", "wrong_key_type",
// "invalid_policy" (non-positive lifetime, malformed names in the policy itself).
// DNS names compare case-insensitively and IPs by value ("::1" == "0::1").
// A CSR may claim fewer names than allowed; never other SAN types (URI, email).
Result<void> check_request(const CsrFacts& request, const SigningPolicy& policy);

}  // namespace phoenix::pki
