#pragma once
// Names in certificates and CSRs: the subject CN and the subjectAltName DNS/IP entries.
// Also the canonical forms policy checks compare (lowercase DNS names, IPs as inet_ntop
// prints them), so "::1" and "0:0::1" or "LocalHost" and "localhost" are the same name.
#include "shared/core/error.hpp"
#include "shared/pki/openssl_ptr.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::pki {

// The first commonName in `name` as UTF-8 ("" when there is none).
std::string common_name_of(const X509_NAME* name);
std::size_t common_name_count(const X509_NAME* name);

struct SubjectAltNames {
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // "127.0.0.1", "::1"
  std::vector<std::string> other_names;   // anything else, described ("URI:...", "email:...")
};

SubjectAltNames read_subject_alt_names(const GENERAL_NAMES* names);

// A non-critical subjectAltName extension with the given (already canonical) names.
Result<X509ExtensionPtr> make_subject_alt_name_extension(const std::vector<std::string>& dns_names,
                                                         const std::vector<std::string>& ips);

// "invalid_ip" unless `text` is an IPv4 or IPv6 address; returns inet_ntop's form.
Result<std::string> canonical_ip(std::string_view text);

// "invalid_name" unless `text` is a host name (labels of a-z 0-9 - _, optional leading
// "*." wildcard label, at most 253 characters); returns it lowercased.
Result<std::string> canonical_dns_name(std::string_view text);

// "invalid_name" unless `text` is 1..64 printable characters (the X.520 upper bound).
Result<void> validate_common_name(std::string_view text);

}  // namespace phoenix::pki
