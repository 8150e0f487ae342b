#include "agent/engine/endpoint.hpp"

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

}  // namespace

std::string describe(const Endpoint& endpoint) { return std::visit(Describe{}, endpoint); }

std::string host_header(const Endpoint& endpoint) { return std::visit(HostHeader{}, endpoint); }

}  // namespace phoenix::agent::engine
