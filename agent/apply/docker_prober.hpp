#pragma once
// How the apply checks that dockerd really serves a set: a real mutual-TLS `GET /_ping`
// with a given client cert, and the serial of the certificate the endpoint presents. Behind
// an interface so the executor is unit-tested with a scripted fake.
#include "shared/core/error.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace phoenix::agent::apply {

struct TlsProbe {
  std::string host;  // 127.0.0.1 unless the context says otherwise
  std::uint16_t port = 2376;
  std::string ca_pem, cert_pem, key_pem;
};

class DockerProber {
 public:
  virtual ~DockerProber() = default;
  // /_ping over mutual TLS answered 2xx; returns the served server cert's serial (uppercase hex).
  virtual Result<std::string> tls_ping(const TlsProbe& probe) = 0;
  // /_ping over the unix socket answered 2xx (first setup: there is no old TLS set to check).
  virtual Result<void> unix_ping(const std::string& socket_path) = 0;
};

// The real one, on agent::engine (HttpClient/EngineClient and fetch_server_certificate).
class EngineDockerProber final : public DockerProber {
 public:
  explicit EngineDockerProber(std::chrono::milliseconds per_request_timeout = std::chrono::seconds(5))
      : timeout_(per_request_timeout) {}
  Result<std::string> tls_ping(const TlsProbe& probe) override;
  Result<void> unix_ping(const std::string& socket_path) override;

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace phoenix::agent::apply
