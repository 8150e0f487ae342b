#pragma once
// CSRs no honest agent makes, for the tests that attack enrollment: a subject CN written with
// an explicit ASN.1 string type, so its bytes reach the hub unchecked
// (V_ASN1_UTF8STRING, V_ASN1_IA5STRING, V_ASN1_T61STRING, ...) and whose SAN holds `dns_names`
// verbatim. Signed with a fresh P-256 key, so only the hub's name checks can refuse it.
#include <string>
#include <vector>

namespace phoenix::hub::test {

// Throws std::runtime_error naming the OpenSSL step that failed.
std::string make_hostile_csr(const std::string& cn_bytes, int cn_type,
                             const std::vector<std::string>& dns_names);

}  // namespace phoenix::hub::test
