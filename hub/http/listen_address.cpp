#include "hub/http/listen_address.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace phoenix::hub::http {

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return make_error("invalid_listen_address", "listen address \"" + std::string(text) + "\" " +
                                                    std::string(why) +
                                                    "; write ADDR:PORT, e.g. 127.0.0.1:8082 or [::1]:8082");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("has no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("has an IPv6 address without [brackets]");
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return bad("has an invalid port (0..65535)");
  }
  boost::system::error_code parse_ec;
  boost::asio::ip::make_address(std::string(host), parse_ec);
  if (parse_ec) return bad("is not a numeric IP address");
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

bool ListenAddress::is_loopback() const {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace phoenix::hub::http
