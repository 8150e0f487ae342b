#include "fuzz/support/csr_input.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string_view>

namespace phoenix::fuzz {
namespace {

EVP_PKEY* signing_key() {
  static EVP_PKEY* key = EVP_EC_gen("P-256");  // lives as long as the process
  return key;
}

std::string pem_of(const unsigned char* der, std::size_t size) {
  std::string base64(4 * ((size + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), der, static_cast<int>(size));
  base64.resize(static_cast<std::size_t>(n));
  std::string pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
  for (std::size_t i = 0; i < base64.size(); i += 64) pem += base64.substr(i, 64) + "\n";
  return pem + "-----END CERTIFICATE REQUEST-----\n";
}

}  // namespace

std::string csr_pem_from_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return {};
  const bool der = (data[0] & 1) != 0;
  ++data;
  --size;
  if (!der) return std::string(reinterpret_cast<const char*>(data), size);

  const unsigned char* p = data;
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> request(
      d2i_X509_REQ(nullptr, &p, static_cast<long>(size)), &X509_REQ_free);
  if (!request || signing_key() == nullptr) return pem_of(data, size);
  if (X509_REQ_set_pubkey(request.get(), signing_key()) != 1 ||
      X509_REQ_sign(request.get(), signing_key(), EVP_sha256()) <= 0) {
    return pem_of(data, size);
  }
  unsigned char* out = nullptr;
  const int length = i2d_X509_REQ(request.get(), &out);
  if (length <= 0) return pem_of(data, size);
  std::string pem = pem_of(out, static_cast<std::size_t>(length));
  OPENSSL_free(out);
  return pem;
}

}  // namespace phoenix::fuzz
