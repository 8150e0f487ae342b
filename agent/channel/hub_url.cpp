#include "agent/channel/hub_url.hpp"

#include <boost/url/parse.hpp>

namespace phoenix::agent {

std::string HubAddress::authority() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
}

Result<HubAddress> parse_hub_url(std::string_view text) {
  const auto bad = [&text](const std::string& why) {
    return make_error("invalid_hub_url", "hub URL '" + std::string(text) + "': " + why +
                                             " (expected wss://HOST[:PORT])");
  };
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return bad("not a URL");
  const auto& url = *parsed;
  if (url.scheme() != "wss") return bad("the scheme must be wss");
  if (url.has_userinfo() || url.has_query() || url.has_fragment()) return bad("unexpected parts");
  if (!url.path().empty() && url.path() != "/") return bad("no path expected");
  HubAddress out;
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4:
      out.host = url.host_ipv4_address().to_string();
      out.host_is_ip = true;
      break;
    case boost::urls::host_type::ipv6:
      out.host = url.host_ipv6_address().to_string();
      out.host_is_ip = true;
      break;
    case boost::urls::host_type::name:
      out.host = url.host_name();
      break;
    default:
      return bad("no usable host");
  }
  if (out.host.empty()) return bad("no host");
  out.port = url.has_port() ? std::string(url.port()) : std::string("443");
  if (url.has_port() && (url.port_number() == 0)) return bad("bad port");
  return out;
}

}  // namespace phoenix::agent
