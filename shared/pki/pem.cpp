#include "shared/pki/pem.hpp"

#include "shared/pki/error_codes.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

namespace phoenix::pki {

BioPtr memory_bio(std::string_view data) {
  // Callers bound the size (kMaxPemBytes) before this int conversion matters.
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  if (length <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(length));
}

Result<std::vector<PemBlock>> read_pem_blocks(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) {
    return pki_error(errc::invalid_pem, "PEM input is " + std::to_string(pem.size()) +
                                            " bytes, over the " + std::to_string(kMaxPemBytes) +
                                            " byte limit; pass a single key, certificate or bundle");
  }
  drain_openssl_errors();  // start clean so the end-of-input check below is unambiguous
  BioPtr bio = memory_bio(pem);
  if (!bio) return openssl_failure("allocate a memory BIO");

  std::vector<PemBlock> blocks;
  for (;;) {
    char* raw_name = nullptr;
    char* raw_header = nullptr;
    unsigned char* raw_data = nullptr;
    long length = 0;
    if (PEM_read_bio(bio.get(), &raw_name, &raw_header, &raw_data, &length) != 1) {
      unsigned long error = ERR_peek_last_error();
      if (ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE) {
        drain_openssl_errors();  // the normal end of input
        break;
      }
      std::string detail = drain_openssl_errors();
      return pki_error(errc::invalid_pem,
                       "malformed PEM block after " + std::to_string(blocks.size()) +
                           " good block(s) (" + detail +
                           "); check the file is complete and was not re-wrapped or truncated");
    }
    OpenSslStringPtr name(raw_name);
    OpenSslStringPtr header(raw_header);
    OpenSslBytesPtr data(raw_data);
    if (header && header.get()[0] != '\0') {
      return pki_error(errc::invalid_pem,
                       std::string("PEM block '") + name.get() +
                           "' has headers (legacy encryption?); Phoenix reads only "
                           "unencrypted PEM, decrypt it first (openssl pkey -in KEY -out KEY.plain)");
    }
    blocks.push_back(PemBlock{
        name.get(),
        std::string(reinterpret_cast<const char*>(data.get()), static_cast<std::size_t>(length))});
  }
  return blocks;
}

std::string write_pem_block(std::string_view type, std::string_view der) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  std::string name(type);
  if (!bio || PEM_write_bio(bio.get(), name.c_str(), "",
                            reinterpret_cast<const unsigned char*>(der.data()),
                            static_cast<long>(der.size())) <= 0) {
    drain_openssl_errors();
    return {};  // only on allocation failure
  }
  return bio_contents(bio.get());
}

}  // namespace phoenix::pki
