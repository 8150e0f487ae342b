// A CSR from a peer (enrollment, identity renewal, docker certificates): PEM parsing, the
// facts read from it, and the signing policies of the hub (identity, docker server, docker
// client). The hub puts the policy's error message into a JSON reply: it must serialise.
#include "fuzz/support/csr_input.hpp"
#include "hub/agents/docker_issuer.hpp"
#include "hub/agents/identity_issuer.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/signing_policy.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace {

void reply(const phoenix::Error& error) {
  // What the hub sends back (enrollment's error_reply, the channel's error message).
  (void)nlohmann::json({{"error", {{"code", error.code}, {"message", error.message}}}}).dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix;
  const auto pem = fuzz::csr_pem_from_input(data, size);
  auto request = pki::CertificateRequest::from_pem(pem);
  if (!request) {
    reply(request.error());
    return 0;
  }
  const auto facts = request->facts();
  const std::chrono::seconds lifetime{std::chrono::hours{24}};
  for (const auto& policy : {hub::identity_policy("vm1", lifetime),
                             hub::docker_cert_policy(hub::DockerCertKind::server, "vm1", "10.0.0.2", lifetime),
                             hub::docker_cert_policy(hub::DockerCertKind::client, "vm1", "", lifetime)}) {
    if (auto checked = pki::check_request(facts, policy); !checked) reply(checked.error());
  }
  (void)request->to_pem();
  return 0;
}
