#include "hub/dashboard/dashboard_csp.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace phoenix::hub {

std::string inline_script_source(std::string_view page) {
  constexpr std::string_view open = "<script>";
  constexpr std::string_view close = "</script>";
  const auto start = page.find(open);
  const auto end = start == std::string_view::npos ? start : page.find(close, start);
  if (start == std::string_view::npos || end == std::string_view::npos ||
      page.find(open, start + open.size()) != std::string_view::npos) {
    throw std::logic_error("the dashboard page must hold exactly one <script> element");
  }
  const auto script = page.substr(start + open.size(), end - start - open.size());

  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (EVP_Digest(script.data(), script.size(), digest.data(), &digest_size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 of the dashboard script failed");
  }
  std::string encoded(4 * ((digest_size + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), digest.data(),
                                      static_cast<int>(digest_size));
  encoded.resize(static_cast<std::size_t>(written));
  return "'sha256-" + encoded + "'";
}

std::string dashboard_csp(std::string_view page) {
  // Styles stay inline-allowed: the page sets a few style attributes, and CSS cannot run code.
  return "default-src 'none'; script-src " + inline_script_source(page) +
         "; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
         "frame-ancestors 'none'";
}

}  // namespace phoenix::hub
