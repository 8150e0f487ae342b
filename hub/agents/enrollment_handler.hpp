#pragma once
// POST /agent/v1/enroll (docs/agent-protocol.md "Enrollment exchange"): a one-time token
// secret and a CSR become the agent's identity cert. Everything the request itself can get
// wrong is checked before the token is spent, so a typo does not burn a token; after that,
// the token's VM must match the CSR's name.
#include "hub/agents/identity_issuer.hpp"
#include "hub/store/hub_store.hpp"
#include "shared/core/error.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace phoenix::hub {

inline constexpr std::size_t kMaxCsrPemBytes = 16 * 1024;

struct EnrollRequest {
  std::string token_secret;  // 64 lowercase hex
  std::string vm;
  std::string csr_pem;
};

// Strict: a JSON object with exactly the string keys token_secret, vm and csr, each
// well-formed. Error code "invalid_request" with a message naming the field.
Result<EnrollRequest> parse_enroll_request(std::string_view body);

struct JsonReply {
  unsigned status = 200;
  nlohmann::json body;
};

// {"error":{"code":…,"message":…}}, the shape every refusal of the endpoint uses.
JsonReply error_reply(unsigned status, std::string_view code, std::string_view message);

class EnrollmentHandler {
 public:
  EnrollmentHandler(std::shared_ptr<HubStore> store, std::shared_ptr<const IdentityIssuer> issuer,
                    std::function<std::string()> docker_ca_bundle);

  // 200 {"cert","ca","docker_ca"}; 400 invalid_request; 401 token_invalid / token_used /
  // token_expired; 403 name_not_allowed; 500 internal_error / 503 store_unavailable.
  // `peer` ("1.2.3.4:5678") only goes into the log lines.
  JsonReply handle(std::string_view body, const std::string& peer, pki::TimePoint now) const;

 private:
  std::shared_ptr<HubStore> store_;
  std::shared_ptr<const IdentityIssuer> issuer_;
  std::function<std::string()> docker_ca_bundle_;
};

}  // namespace phoenix::hub
