#pragma once
// Owning handles for OpenSSL objects. Every pointer Phoenix owns (anything from *_new,
// d2i_*, PEM_read_*, or a get1_* accessor) lives in one of these; get0_* results are
// borrowed and never wrapped, so nothing is freed twice or leaked on an early return.
#include "shared/core/error.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace phoenix::pki {

template <auto FreeFunction>
struct OpenSslDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    FreeFunction(p);
  }
};

// OPENSSL_free is a macro, so it cannot be a template argument.
struct OpenSslMemoryDeleter {
  void operator()(void* p) const noexcept { OPENSSL_free(p); }
};

struct ExtensionStackDeleter {
  void operator()(STACK_OF(X509_EXTENSION) * p) const noexcept {
    sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<&BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<&X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<&X509_REQ_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<&X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<&X509_STORE_CTX_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<&X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<&X509_EXTENSION_free>>;
using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackDeleter>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<&GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslDeleter<&GENERAL_NAME_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<&EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<&EVP_PKEY_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<&BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<&ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<&ASN1_TIME_free>>;
using Asn1OctetStringPtr =
    std::unique_ptr<ASN1_OCTET_STRING, OpenSslDeleter<&ASN1_OCTET_STRING_free>>;
using OpenSslStringPtr = std::unique_ptr<char, OpenSslMemoryDeleter>;
using OpenSslBytesPtr = std::unique_ptr<unsigned char, OpenSslMemoryDeleter>;

// Empties this thread's OpenSSL error queue and returns it as text ("" when empty).
// Every failure path calls it: a stale entry left behind would be misread later by
// unrelated code on the same thread (SSL_get_error in the TLS stack, for one).
std::string drain_openssl_errors();

// An "openssl_failure" Error for operations that fail only on resource exhaustion or
// library misconfiguration, never on caller input; `what` names the operation.
Error openssl_failure(std::string_view what);

}  // namespace phoenix::pki
