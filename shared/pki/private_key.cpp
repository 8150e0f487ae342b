#include "shared/pki/private_key.hpp"

#include "shared/pki/error_codes.hpp"
#include "shared/pki/pem.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <utility>

namespace phoenix::pki {
namespace {

EvpPkeyPtr share(const EvpPkeyPtr& key) {
  if (key) EVP_PKEY_up_ref(key.get());
  return EvpPkeyPtr(key.get());
}

bool is_private_key_block(const std::string& type) {
  return type == "PRIVATE KEY" || type == "EC PRIVATE KEY" || type == "RSA PRIVATE KEY";
}

}  // namespace

PrivateKey::PrivateKey(EvpPkeyPtr key) : key_(std::move(key)) {}

PrivateKey::PrivateKey(const PrivateKey& other) : key_(share(other.key_)) {}

PrivateKey& PrivateKey::operator=(const PrivateKey& other) {
  if (this != &other) key_ = share(other.key_);
  return *this;
}

Result<PrivateKey> PrivateKey::generate_p256() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_failure("generate an EC P-256 key");
  return PrivateKey(std::move(key));
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  auto blocks = read_pem_blocks(pem);
  if (!blocks) return blocks.error();
  const PemBlock* found = nullptr;
  for (const PemBlock& block : *blocks) {
    if (block.type == "EC PARAMETERS") continue;
    if (block.type == "ENCRYPTED PRIVATE KEY") {
      return pki_error(errc::invalid_pem,
                       "the private key is encrypted; Phoenix needs it unencrypted in a 0600 "
                       "file (openssl pkey -in KEY -out KEY.plain)");
    }
    if (!is_private_key_block(block.type)) {
      return pki_error(errc::invalid_pem, "expected a private key but found a '" + block.type +
                                              "' PEM block; check which file was given");
    }
    if (found != nullptr) {
      return pki_error(errc::invalid_pem,
                       "the PEM holds more than one private key; give one key per file");
    }
    found = &block;
  }
  if (found == nullptr) {
    return pki_error(errc::invalid_pem,
                     "no private key found (expected '-----BEGIN PRIVATE KEY-----')");
  }
  const auto* cursor = reinterpret_cast<const unsigned char*>(found->der.data());
  EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &cursor, static_cast<long>(found->der.size())));
  if (!key) {
    std::string detail = drain_openssl_errors();
    return pki_error(errc::invalid_pem, "the '" + found->type +
                                            "' block does not decode as a private key (" +
                                            detail + ")");
  }
  return PrivateKey(std::move(key));
}

std::string PrivateKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    drain_openssl_errors();
    return {};
  }
  return bio_contents(bio.get());
}

std::string PrivateKey::public_key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    drain_openssl_errors();
    return {};
  }
  return bio_contents(bio.get());
}

KeyInfo PrivateKey::info() const { return describe_key(key_.get()); }

Result<void> PrivateKey::require_p256() const {
  return pki::require_p256(info(), "the private key");
}

}  // namespace phoenix::pki
