#include "shared/pki/x509_names.hpp"

#include "shared/core/safe_text.hpp"

#include "shared/pki/error_codes.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

namespace phoenix::pki {
namespace {

std::string asn1_string_text(const ASN1_STRING* value) {
  if (value == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

std::string ip_bytes_to_text(const ASN1_OCTET_STRING* bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  const unsigned char* data = ASN1_STRING_get0_data(bytes);
  int length = ASN1_STRING_length(bytes);
  if (length == 4 && inet_ntop(AF_INET, data, text, sizeof text) != nullptr) return text;
  if (length == 16 && inet_ntop(AF_INET6, data, text, sizeof text) != nullptr) return text;
  return {};
}

bool is_label_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

Result<GeneralNamePtr> make_general_name(int type, ASN1_STRING* value) {
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) {
    ASN1_STRING_free(value);
    return openssl_failure("allocate a GENERAL_NAME");
  }
  GENERAL_NAME_set0_value(name.get(), type, value);  // takes ownership of value
  return name;
}

}  // namespace

std::string common_name_of(const X509_NAME* name) {
  if (name == nullptr) return {};
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) {
    drain_openssl_errors();
    return {};
  }
  OpenSslBytesPtr owned(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
}

std::size_t common_name_count(const X509_NAME* name) {
  std::size_t count = 0;
  if (name == nullptr) return 0;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    ++count;
  }
  return count;
}

SubjectAltNames read_subject_alt_names(const GENERAL_NAMES* names) {
  SubjectAltNames result;
  if (names == nullptr) return result;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    switch (name->type) {
      case GEN_DNS:
        result.dns_names.push_back(asn1_string_text(name->d.dNSName));
        break;
      case GEN_IPADD: {
        std::string text = ip_bytes_to_text(name->d.iPAddress);
        if (text.empty()) {
          result.other_names.push_back("IP:<malformed>");
        } else {
          result.ip_addresses.push_back(std::move(text));
        }
        break;
      }
      case GEN_URI:
        result.other_names.push_back("URI:" + asn1_string_text(name->d.uniformResourceIdentifier));
        break;
      case GEN_EMAIL:
        result.other_names.push_back("email:" + asn1_string_text(name->d.rfc822Name));
        break;
      default:
        result.other_names.push_back("type" + std::to_string(name->type) + ":<unsupported>");
        break;
    }
  }
  return result;
}

Result<X509ExtensionPtr> make_subject_alt_name_extension(const std::vector<std::string>& dns_names,
                                                         const std::vector<std::string>& ips) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return openssl_failure("allocate GENERAL_NAMES");
  for (const std::string& dns : dns_names) {
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr ||
        ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size())) != 1) {
      ASN1_IA5STRING_free(value);
      return openssl_failure("encode a DNS name");
    }
    auto name = make_general_name(GEN_DNS, value);
    if (!name) return name.error();
    if (sk_GENERAL_NAME_push(names.get(), name->get()) <= 0) return openssl_failure("add a SAN");
    (void)name->release();  // now owned by the stack
  }
  for (const std::string& ip : ips) {
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip.c_str());
    if (value == nullptr) {
      drain_openssl_errors();
      return pki_error(errc::invalid_ip, "'" + printable(ip, 64) + "' is not an IPv4 or IPv6 address");
    }
    auto name = make_general_name(GEN_IPADD, value);
    if (!name) return name.error();
    if (sk_GENERAL_NAME_push(names.get(), name->get()) <= 0) return openssl_failure("add a SAN");
    (void)name->release();
  }
  X509ExtensionPtr extension(X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get()));
  if (!extension) return openssl_failure("encode the subjectAltName extension");
  return extension;
}

Result<std::string> canonical_ip(std::string_view text) {
  std::string input(text);
  unsigned char bytes[16];
  char output[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, input.c_str(), bytes) == 1 &&
      inet_ntop(AF_INET, bytes, output, sizeof output) != nullptr) {
    return std::string(output);
  }
  if (inet_pton(AF_INET6, input.c_str(), bytes) == 1 &&
      inet_ntop(AF_INET6, bytes, output, sizeof output) != nullptr) {
    return std::string(output);
  }
  return pki_error(errc::invalid_ip, "'" + printable(input, 64) + "' is not an IPv4 or IPv6 address");
}

Result<std::string> canonical_dns_name(std::string_view text) {
  std::string name;
  name.reserve(text.size());
  for (char c : text) name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  auto refuse = [&](const std::string& why) {
    return pki_error(errc::invalid_name, "'" + printable(text, 64) + "' is not a valid DNS name: " + why);
  };
  if (name.empty() || name.size() > 253) return refuse("it must be 1 to 253 characters");
  std::size_t start = 0;
  if (name.rfind("*.", 0) == 0) start = 2;  // one leading wildcard label only
  std::size_t label_length = 0;
  for (std::size_t i = start; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label_length == 0) return refuse("it has an empty label");
      if (label_length > 63) return refuse("a label is longer than 63 characters");
      if (name[i - 1] == '-' || name[i - label_length] == '-') {
        return refuse("a label starts or ends with '-'");
      }
      label_length = 0;
    } else if (is_label_character(name[i])) {
      ++label_length;
    } else {
      return refuse("only letters, digits, '-', '_' and '.' are allowed");
    }
  }
  return name;
}

Result<void> validate_common_name(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return pki_error(errc::invalid_name, "a common name must be 1 to 64 characters, got " +
                                             std::to_string(text.size()));
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) {
      return pki_error(errc::invalid_name, "the common name contains a control character");
    }
  }
  return ok();
}

}  // namespace phoenix::pki
