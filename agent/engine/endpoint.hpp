#pragma once
// Where the Engine API lives: the local unix socket (the agent's normal path), plain TCP
// (only to show what a mis-set DOCKER_HOST sees), or TCP with mutual TLS (dockerd's
// `tcp://0.0.0.0:2376` listener, verified the way the docker CLI's `phoenix` context does).
#include "agent/engine/tls_material.hpp"

#include "shared/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace phoenix::agent::engine {

inline constexpr const char* kDefaultDockerSocket = "/var/run/docker.sock";

struct UnixSocketEndpoint {
  std::string path = kDefaultDockerSocket;
};

struct TcpEndpoint {
  std::string host;  // IP literal or DNS name
  std::uint16_t port = 2375;
};

struct TlsEndpoint {
  std::string host;  // checked against the server cert's SANs (IP SAN for IP literals)
  std::uint16_t port = 2376;
  TlsMaterial tls;
};

using Endpoint = std::variant<UnixSocketEndpoint, TcpEndpoint, TlsEndpoint>;

// "unix:///var/run/docker.sock", "tcp://10.0.0.5:2375", "tcp://10.0.0.5:2376 (TLS)".
std::string describe(const Endpoint& endpoint);

// The Host header value: "docker" for unix sockets (as the docker CLI sends),
// "host:port" otherwise (IPv6 literals in brackets).
std::string host_header(const Endpoint& endpoint);

// DOCKER_HOST / daemon.json `hosts` syntax: "unix:///var/run/docker.sock",
// "tcp://10.0.0.5:2376", "tcp://[::1]", "tcp://vm1" (port 2376 with TLS, else 2375).
// With `tls`, tcp:// gives a TlsEndpoint, else a plain TcpEndpoint. Other schemes (fd://,
// ssh://, npipe://) and malformed text: Error "invalid_docker_host".
Result<Endpoint> parse_docker_host(std::string_view text, const TlsMaterial* tls = nullptr);

}  // namespace phoenix::agent::engine
