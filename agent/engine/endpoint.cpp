#include "agent/engine/endpoint.hpp"

#include <charconv>

namespace phoenix::agent::engine {
namespace {

std::string host_port(const std::string& host, std::uint16_t port) {
  const bool ipv6_literal = host.find(':') != std::string::npos;
  return (ipv6_literal ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

struct Describe {
  std::string operator()(const UnixSocketEndpoint& e) const { return "unix://" + e.path; }
  std::string operator()(const TcpEndpoint& e) const { return "tcp://" + host_port(e.host, e.port); }
  std::string operator()(const TlsEndpoint& e) const {
    return "tcp://" + host_port(e.host, e.port) + " (TLS)";
  }
};

struct HostHeader {
  std::string operator()(const UnixSocketEndpoint&) const { return "docker"; }
  std::string operator()(const TcpEndpoint& e) const { return host_port(e.host, e.port); }
  std::string operator()(const TlsEndpoint& e) const { return host_port(e.host, e.port); }
};

Error invalid_host(std::string_view text, const std::string& why) {
  return make_error("invalid_docker_host", "\"" + std::string(text) + "\" is not a docker host: " + why);
}

}  // namespace

Result<Endpoint> parse_docker_host(std::string_view text, const TlsMaterial* tls) {
  constexpr std::string_view kUnix = "unix://";
  constexpr std::string_view kTcp = "tcp://";
  if (text.starts_with(kUnix)) {
    const std::string_view path = text.substr(kUnix.size());
    if (!path.starts_with('/')) return invalid_host(text, "the socket path must be absolute");
    return Endpoint(UnixSocketEndpoint{std::string(path)});
  }
  if (!text.starts_with(kTcp)) {
    return invalid_host(text, "only unix:// and tcp:// are supported");
  }
  std::string_view rest = text.substr(kTcp.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host = rest;
  std::string_view port_text;
  if (rest.starts_with('[')) {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return invalid_host(text, "unclosed '['");
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return invalid_host(text, "junk after ']'");
      port_text = after.substr(1);
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  }
  if (host.empty() || host.find_first_of("/?#@ ") != std::string_view::npos) {
    return invalid_host(text, "bad host part");
  }
  std::uint16_t port = tls != nullptr ? 2376 : 2375;
  if (!port_text.empty() || rest.ends_with(':')) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return invalid_host(text, "bad port");
    }
    port = static_cast<std::uint16_t>(value);
  }
  if (tls != nullptr) return Endpoint(TlsEndpoint{std::string(host), port, *tls});
  return Endpoint(TcpEndpoint{std::string(host), port});
}

std::string describe(const Endpoint& endpoint) { return std::visit(Describe{}, endpoint); }

std::string host_header(const Endpoint& endpoint) { return std::visit(HostHeader{}, endpoint); }

}  // namespace phoenix::agent::engine
