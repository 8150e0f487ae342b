#include "tests/hub/agents/hostile_csr.hpp"

#include "shared/pki/certificate_request.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/pki/private_key.hpp"
#include "shared/pki/pem.hpp"
#include "shared/pki/x509_names.hpp"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace phoenix::hub::test {

std::string make_hostile_csr(const std::string& cn_bytes, int cn_type,
                             const std::vector<std::string>& dns_names) {
  auto fail = [](const char* what) -> std::string { throw std::runtime_error(what); };
  auto key = pki::PrivateKey::generate_p256().value();
  pki::X509ReqPtr request(X509_REQ_new());
  if (!request) return fail("X509_REQ_new");
  X509_NAME* subject = X509_REQ_get_subject_name(request.get());
  // A type that is not MBSTRING_*: OpenSSL stores the bytes as they are. (A UTF8String that
  // is not UTF-8 cannot be encoded, nor parsed, by OpenSSL 3: it fails to canonicalise.)
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, cn_type,
                                 reinterpret_cast<const unsigned char*>(cn_bytes.data()),
                                 static_cast<int>(cn_bytes.size()), -1, 0) != 1) {
    return fail("X509_NAME_add_entry_by_NID");
  }
  if (!dns_names.empty()) {
    auto san = pki::make_subject_alt_name_extension(dns_names, {});
    if (!san) return fail("make_subject_alt_name_extension");
    pki::ExtensionStackPtr extensions(sk_X509_EXTENSION_new_null());
    if (!extensions || sk_X509_EXTENSION_push(extensions.get(), san->get()) <= 0) {
      return fail("sk_X509_EXTENSION_push");
    }
    (void)san->release();
    if (X509_REQ_add_extensions(request.get(), extensions.get()) != 1) {
      return fail("X509_REQ_add_extensions");
    }
  }
  if (X509_REQ_set_pubkey(request.get(), key.native()) != 1 ||
      X509_REQ_sign(request.get(), key.native(), EVP_sha256()) <= 0) {
    return fail("X509_REQ_sign");
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(request.get(), &der);
  if (length <= 0) return fail("i2d_X509_REQ");
  pki::OpenSslBytesPtr owned(der);
  return pki::write_pem_block("CERTIFICATE REQUEST",
                              std::string_view(reinterpret_cast<const char*>(der),
                                               static_cast<std::size_t>(length)));
}

}  // namespace phoenix::hub::test
