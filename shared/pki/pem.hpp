#pragma once
// PEM framing shared by keys, certificates and CSRs: memory BIOs, splitting a PEM text
// into typed DER blocks, and writing one block back. Each object type decides which
// block types it accepts, so a key pasted into a certificate file is refused by name
// instead of silently skipped.
#include "shared/core/error.hpp"
#include "shared/pki/openssl_ptr.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::pki {

// PEM inputs arrive from files and the network; nothing legitimate comes near this.
inline constexpr std::size_t kMaxPemBytes = 1024 * 1024;

struct PemBlock {
  std::string type;  // the label after "-----BEGIN ", e.g. "CERTIFICATE"
  std::string der;   // decoded body
};

// A read-only BIO over `data`, which must outlive it.
BioPtr memory_bio(std::string_view data);

// Everything written to a memory BIO so far.
std::string bio_contents(BIO* bio);

// All PEM blocks in `pem`, in order; text between blocks is ignored (as OpenSSL does).
// Fails with "invalid_pem" on a malformed block, a block with headers (legacy
// encryption), or input over kMaxPemBytes. No blocks at all is an empty vector.
Result<std::vector<PemBlock>> read_pem_blocks(std::string_view pem);

// "-----BEGIN <type>-----\n<base64 lines>\n-----END <type>-----\n"
std::string write_pem_block(std::string_view type, std::string_view der);

}  // namespace phoenix::pki
