#pragma once
// A small synchronous HTTP/1.1 client for the Docker Engine API. One connection per
// request on a private io_context, so the agent's CLI paths (`docker apply`, `doctor`)
// and the swarm calls need no event loop of their own. Every request has one deadline
// covering connect + TLS handshake + write + read, and a limit on the response body.
//
// Errors (Error::code):
//   connect_failed        socket/address unreachable; says whether dockerd seems down
//   tls_handshake_failed  with OpenSSL's reason (unknown CA, verify failed, cert refused)
//   timeout               the deadline passed; names the step that was waiting
//   response_too_large    body beyond the limit
//   invalid_response      not HTTP, or the connection broke mid-response
//   invalid_tls_material  the PEM given for a TLS endpoint is unusable (from create())
// Non-2xx statuses are NOT errors here: they come back as an HttpResponse.
#include "agent/engine/endpoint.hpp"
#include "agent/engine/http_response.hpp"
#include "shared/core/error.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace phoenix::agent::engine {

struct HttpClientOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  std::size_t body_limit = 4 * 1024 * 1024;
};

class HttpClient {
 public:
  // Builds the TLS context up front (for TlsEndpoint) so bad PEM fails here, once.
  static Result<HttpClient> create(Endpoint endpoint, HttpClientOptions options = {});

  // `target` is the request target ("/_ping", "/v1.41/info?x=y"). A non-empty body is
  // sent as application/json.
  Result<HttpResponse> request(boost::beast::http::verb method, std::string_view target,
                               std::string_view body_json = {}) const;

  const Endpoint& endpoint() const { return endpoint_; }
  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClient(Endpoint endpoint, HttpClientOptions options,
             std::shared_ptr<boost::asio::ssl::context> tls_context)
      : endpoint_(std::move(endpoint)), options_(options), tls_context_(std::move(tls_context)) {}

  Endpoint endpoint_;
  HttpClientOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // only for TlsEndpoint
};

}  // namespace phoenix::agent::engine
