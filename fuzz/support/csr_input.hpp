#pragma once
// Turns fuzz input into the CSR PEM a peer would send. The first byte picks the form:
//  - even: the remaining bytes are the PEM text as is (armour, base64 and all);
//  - odd: the remaining bytes are a DER CertificationRequest, which is re-signed with a
//    fixed P-256 key (so that the parsers behind the signature check are reached) and
//    wrapped in PEM. DER that does not parse as a request is wrapped unsigned.
#include <cstddef>
#include <cstdint>
#include <string>

namespace phoenix::fuzz {

std::string csr_pem_from_input(const std::uint8_t* data, std::size_t size);

}  // namespace phoenix::fuzz
