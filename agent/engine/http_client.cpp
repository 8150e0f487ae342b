#include "agent/engine/http_client.hpp"

#include "agent/engine/transport.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <optional>

namespace phoenix::agent::engine {
namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using detail::Step;
using Request = http::request<http::string_body>;

namespace {

constexpr std::size_t kHeaderLimit = 64 * 1024;

// State shared between request() and the coroutine it runs; lives in request()'s frame.
struct Exchange {
  const Request& request;
  std::size_t body_limit;
  std::string where;
  Step step = Step::connect;
  std::optional<Result<HttpResponse>> outcome;
};

Error transfer_error(const error_code& ec, const Exchange& x) {
  const bool during_write = x.step == Step::write;
  if (ec.category() == net::error::get_ssl_category() ||
      ec.category() == net::ssl::error::get_stream_category()) {
    // With TLS 1.3 the server checks our certificate after our side of the handshake has
    // finished, so its refusal arrives as an alert on the first read.
    return make_error("tls_handshake_failed",
                      x.where + " ended the TLS session: " + ec.message() +
                          "; it most likely refused our client certificate (unknown CA, "
                          "expired, or none sent)");
  }
  if (ec == http::error::body_limit) {
    return make_error("response_too_large", x.where + " sent a response body over " +
                                                std::to_string(x.body_limit) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return make_error("response_too_large", x.where + " sent response headers over " +
                                                std::to_string(kHeaderLimit) + " bytes");
  }
  if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
      ec != http::error::end_of_stream &&
      ec != http::error::partial_message) {
    return make_error("invalid_response", x.where + " did not answer with HTTP: " + ec.message());
  }
  return make_error("invalid_response", x.where + " broke the connection while " +
                                            (during_write ? "we sent the request" : "it answered") +
                                            ": " + ec.message());
}

HttpResponse to_response(http::response<http::string_body>&& message) {
  HttpResponse out;
  out.status = message.result_int();
  out.reason = std::string(message.reason());
  for (const auto& field : message) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(message.body());
  return out;
}

template <class Stream>
net::awaitable<Result<HttpResponse>> exchange(Stream& stream, Exchange& x) {
  error_code ec;
  x.step = Step::write;
  co_await http::async_write(stream, x.request, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return transfer_error(ec, x);

  x.step = Step::read;
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(x.body_limit);
  parser.header_limit(kHeaderLimit);
  co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  // A TLS peer that closes without close_notify after a complete message is harmless.
  if (ec && !(parser.is_done() && ec == net::ssl::error::stream_truncated)) {
    co_return transfer_error(ec, x);
  }
  co_return to_response(parser.release());
}

net::awaitable<void> run_unix(const UnixSocketEndpoint& endpoint, Exchange& x) {
  net::local::stream_protocol::socket socket(co_await net::this_coro::executor);
  auto connected = co_await detail::connect_unix(socket, endpoint.path);
  if (!connected) {
    x.outcome = connected.error();
    co_return;
  }
  x.outcome = co_await exchange(socket, x);
}

net::awaitable<void> run_tcp(const TcpEndpoint& endpoint, Exchange& x) {
  net::ip::tcp::socket socket(co_await net::this_coro::executor);
  auto connected = co_await detail::connect_tcp(socket, endpoint.host, endpoint.port, x.where);
  if (!connected) {
    x.outcome = connected.error();
    co_return;
  }
  x.outcome = co_await exchange(socket, x);
}

net::awaitable<void> run_tls(const TlsEndpoint& endpoint, net::ssl::context& context, Exchange& x) {
  net::ssl::stream<net::ip::tcp::socket> stream(co_await net::this_coro::executor, context);
  auto connected = co_await detail::connect_tcp(stream.next_layer(), endpoint.host, endpoint.port,
                                                x.where);
  if (!connected) {
    x.outcome = connected.error();
    co_return;
  }
  x.step = Step::tls_handshake;
  auto handshake = co_await detail::handshake_tls(stream, endpoint.host, x.where);
  if (!handshake) {
    x.outcome = handshake.error();
    co_return;
  }
  x.outcome = co_await exchange(stream, x);
}

}  // namespace

Result<HttpClient> HttpClient::create(Endpoint endpoint, HttpClientOptions options) {
  std::shared_ptr<net::ssl::context> context;
  if (const auto* tls = std::get_if<TlsEndpoint>(&endpoint)) {
    auto made = make_client_context(tls->tls);
    if (!made) return made.error();
    context = std::move(*made);
  }
  return HttpClient(std::move(endpoint), options, std::move(context));
}

Result<HttpResponse> HttpClient::request(http::verb method, std::string_view target,
                                         std::string_view body_json) const {
  Request request{method, target, 11};
  request.set(http::field::host, host_header(endpoint_));
  request.set(http::field::user_agent, "phoenix-agent");
  if (!body_json.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = std::string(body_json);
  }
  request.keep_alive(false);
  request.prepare_payload();  // Content-Length, also "0" for an empty POST

  Exchange x{request, options_.body_limit, describe(endpoint_), Step::connect, std::nullopt};
  net::io_context ioc;  // declared after `x`: destroyed first, with any pending coroutine
  net::awaitable<void> task = std::visit(
      [&](const auto& ep) -> net::awaitable<void> {
        using T = std::decay_t<decltype(ep)>;
        if constexpr (std::is_same_v<T, UnixSocketEndpoint>) return run_unix(ep, x);
        else if constexpr (std::is_same_v<T, TcpEndpoint>) return run_tcp(ep, x);
        else return run_tls(ep, *tls_context_, x);
      },
      endpoint_);
  const bool finished = detail::run_with_deadline(ioc, std::move(task), options_.timeout);
  if (!finished || !x.outcome) return detail::timeout_error(x.where, x.step, options_.timeout);
  return std::move(*x.outcome);
}

}  // namespace phoenix::agent::engine
