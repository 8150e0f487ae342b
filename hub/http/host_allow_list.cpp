#include "hub/http/host_allow_list.hpp"

#include <boost/asio/ip/address.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>

namespace phoenix::hub::http {
namespace {

std::string normalised(std::string_view name) {
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool is_ip_literal(const std::string& text) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(text, ec);
  return !ec;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

HostAllowList::HostAllowList(std::vector<std::string> names) {
  for (const auto& name : names) {
    auto n = normalised(name);
    if (!n.empty() && std::find(names_.begin(), names_.end(), n) == names_.end()) names_.push_back(std::move(n));
  }
}

bool HostAllowList::allows(std::string_view host_header) const {
  if (host_header.empty()) return true;
  std::string_view name = host_header;
  if (name.front() == '[') {
    // [v6] or [v6]:port: only an IPv6 literal may be bracketed.
    const auto close = name.find(']');
    if (close == std::string_view::npos) return false;
    const auto rest = name.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !all_digits(rest.substr(1)))) return false;
    const std::string inner(name.substr(1, close - 1));
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address_v6(inner, ec);
    return !ec;
  }
  if (const auto colon = name.find(':'); colon != std::string_view::npos) {
    if (!all_digits(name.substr(colon + 1))) return false;  // a second colon, or a bad port
    name = name.substr(0, colon);
  }
  const auto host = normalised(name);
  if (host.empty()) return false;
  if (is_ip_literal(host)) return true;
  if (host == "localhost" || (host.size() > 10 && host.ends_with(".localhost"))) return true;
  return std::find(names_.begin(), names_.end(), host) != names_.end();
}

bool is_valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!std::isalnum(c) && c != '-') return false;
    if ((c == '-') && (label == 0 || i + 1 == name.size() || name[i + 1] == '.')) return false;
    if (++label > 63) return false;
  }
  return label > 0;
}

std::vector<std::string> local_host_names() {
  std::array<char, HOST_NAME_MAX + 1> buffer{};
  if (::gethostname(buffer.data(), buffer.size() - 1) != 0) return {};
  const std::string name = normalised(buffer.data());
  if (!is_valid_host_name(name) || name == "localhost") return {};
  std::vector<std::string> names{name};
  if (name.find('.') == std::string::npos) names.push_back(name + ".local");
  return names;
}

}  // namespace phoenix::hub::http
