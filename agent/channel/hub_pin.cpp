#include "agent/channel/hub_pin.hpp"

#include "shared/pki/chain_verifier.hpp"

namespace phoenix::agent {

Result<pki::Certificate> check_pinned_chain(const std::vector<pki::Certificate>& presented,
                                            std::string_view pinned_sha256, const std::string& host,
                                            bool host_is_ip, pki::TimePoint now) {
  if (presented.empty()) {
    return make_error("hub_cert_invalid", "the hub presented no certificate");
  }
  const pki::Certificate* anchor = nullptr;
  std::string seen;
  for (const auto& cert : presented) {
    const auto fingerprint = cert.facts().sha256_fingerprint;
    if (fingerprint == pinned_sha256) anchor = &cert;
    seen += (seen.empty() ? "" : ", ") + fingerprint;
  }
  if (anchor == nullptr) {
    return make_error("pin_mismatch",
                      "the hub's CA fingerprint does not match the token: expected " +
                          std::string(pinned_sha256) + ", the hub presented " + seen +
                          "; check the hub URL (is it the hub that issued this token?)");
  }
  const auto& leaf = presented.front();
  if (auto verified = pki::verify_chain(leaf, {*anchor}, pki::Usage::server_auth, now); !verified) {
    return make_error("hub_cert_invalid", "the hub's certificate does not verify against the pinned CA: " +
                                              verified.error().message);
  }
  const std::vector<std::string> dns = host_is_ip ? std::vector<std::string>{} : std::vector<std::string>{host};
  const std::vector<std::string> ips = host_is_ip ? std::vector<std::string>{host} : std::vector<std::string>{};
  if (auto covered = pki::check_covers(leaf, dns, ips); !covered) {
    return make_error("hub_cert_invalid", "the hub's certificate is not valid for " + host + ": " +
                                              covered.error().message);
  }
  return *anchor;
}

}  // namespace phoenix::agent
