#include "shared/pki/signing_policy.hpp"

#include "shared/core/safe_text.hpp"

#include "shared/pki/error_codes.hpp"
#include "shared/pki/key_type.hpp"
#include "shared/pki/x509_names.hpp"

namespace phoenix::pki {
namespace {

// The policy's names in canonical form; a malformed policy is a bug in the caller.
Result<std::set<std::string>> canonical_set(const std::set<std::string>& names, bool ip) {
  std::set<std::string> result;
  for (const std::string& name : names) {
    auto canonical = ip ? canonical_ip(name) : canonical_dns_name(name);
    if (!canonical) {
      return pki_error(errc::invalid_policy,
                       "the signing policy itself is malformed: " + canonical.error().message);
    }
    result.insert(std::move(*canonical));
  }
  return result;
}

Error not_allowed(const std::string& what, const std::string& common_name) {
  return pki_error(errc::name_not_allowed,
                   "the CSR claims " + what + ", which is not allowed for '" + common_name +
                       "'; make a new CSR with only the names this host is entitled to");
}

}  // namespace

Result<void> check_request(const CsrFacts& request, const SigningPolicy& policy) {
  if (policy.lifetime <= std::chrono::seconds::zero()) {
    return pki_error(errc::invalid_policy, "the signing policy has a non-positive lifetime");
  }
  if (policy.common_name.empty()) {
    return pki_error(errc::invalid_policy, "the signing policy has no common name");
  }
  auto allowed_dns = canonical_set(policy.dns_names, false);
  if (!allowed_dns) return allowed_dns.error();
  auto allowed_ips = canonical_set(policy.ip_addresses, true);
  if (!allowed_ips) return allowed_ips.error();

  if (request.common_name_count != 1) {
    return pki_error(errc::name_not_allowed,
                     "the CSR subject has " + std::to_string(request.common_name_count) +
                         " common names; it must have exactly one, '" + policy.common_name + "'");
  }
  if (request.common_name != policy.common_name) {
    return not_allowed("common name '" + printable(request.common_name, 64) + "'", policy.common_name);
  }
  if (request.malformed_extensions) {
    return pki_error(errc::name_not_allowed,
                     "the CSR's subjectAltName extension is duplicated or undecodable; make a "
                     "new CSR");
  }
  if (!request.other_names.empty()) {
    return not_allowed("the alternative name '" + printable(request.other_names.front(), 64) + "'",
                       policy.common_name);
  }
  for (const std::string& dns : request.dns_names) {
    auto canonical = canonical_dns_name(dns);
    if (!canonical || allowed_dns->count(*canonical) == 0) {
      return not_allowed("DNS name '" + printable(dns, 64) + "'", policy.common_name);
    }
  }
  for (const std::string& ip : request.ip_addresses) {
    auto canonical = canonical_ip(ip);
    if (!canonical || allowed_ips->count(*canonical) == 0) {
      return not_allowed("IP address '" + printable(ip, 64) + "'", policy.common_name);
    }
  }
  if (policy.require_p256) {
    if (auto key_ok = require_p256(request.key, "the CSR's key"); !key_ok) return key_ok.error();
  }
  return ok();
}

}  // namespace phoenix::pki
