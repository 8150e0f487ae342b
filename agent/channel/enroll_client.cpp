#include "agent/channel/enroll_client.hpp"

#include "shared/core/safe_text.hpp"

#include "agent/channel/hub_pin.hpp"
#include "agent/channel/hub_url.hpp"
#include "agent/channel/tls_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <nlohmann/json.hpp>

namespace phoenix::agent {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

Error step_error(const char* step, const std::string& where, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) {
    return make_error("timeout", std::string("no answer from the hub at ") + where + " while " + step);
  }
  return make_error(std::string(step) == "connecting" ? "connect_failed"
                    : std::string(step) == "in the TLS handshake" ? "tls_handshake_failed"
                                                                  : "enroll_failed",
                    std::string("enrollment with the hub at ") + where + " failed " + step + ": " + ec.message());
}

Result<EnrollAnswer> interpret(unsigned status, const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (status == 200) {
    if (json.is_discarded() || !json.is_object()) {
      return make_error("enroll_failed", "the hub's answer is not a JSON object");
    }
    EnrollAnswer out;
    for (auto [key, target] : {std::pair{"cert", &out.cert_pem}, std::pair{"ca", &out.ca_pem},
                               std::pair{"docker_ca", &out.docker_ca_pem}}) {
      const auto it = json.find(key);
      if (it == json.end() || !it->is_string()) {
        return make_error("enroll_failed", std::string("the hub's answer has no string '") + key + "'");
      }
      *target = it->get<std::string>();
    }
    return out;
  }
  std::string code = "http_" + std::to_string(status);
  std::string message = "(no message)";
  if (!json.is_discarded() && json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& e = json["error"];
    if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
  }
  std::string hint;
  if (status == 401) hint = "; ask the operator for a new token (phoenix-hub token create --vm NAME)";
  if (status == 403) hint = "; the token is for another VM name";
  const bool refused = status == 400 || status == 401 || status == 403;
  return make_error(refused ? "enroll_refused" : "enroll_failed",
                    "the hub refused the enrollment (HTTP " + std::to_string(status) + " " + code + "): " +
                        message + hint);
}

net::awaitable<Result<EnrollAnswer>> exchange(const protocol::EnrollToken& token, HubAddress hub,
                                              std::string body, EnrollClientOptions options,
                                              std::shared_ptr<net::ssl::context> tls) {
  auto ex = co_await net::this_coro::executor;
  const std::string where = hub.authority();
  boost::system::error_code ec;
  tcp::resolver resolver(ex);
  beast::ssl_stream<beast::tcp_stream> stream(ex, *tls);

  beast::get_lowest_layer(stream).expires_after(options.phase_timeout);
  auto endpoints = co_await resolver.async_resolve(hub.host, hub.port, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return make_error("connect_failed", "cannot resolve the hub host " + hub.host + ": " + ec.message());
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return step_error("connecting", where, ec);

  if (auto prepared = prepare_tls_stream(stream.native_handle(), hub, false); !prepared) co_return prepared.error();
  beast::get_lowest_layer(stream).expires_after(options.phase_timeout);
  co_await stream.async_handshake(net::ssl::stream_base::client, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return step_error("in the TLS handshake", where, ec);

  // The pin check comes before the first byte of the request (it carries the secret).
  auto pinned = check_pinned_chain(presented_chain(stream.native_handle()), token.ca_sha256, hub.host,
                                   hub.host_is_ip, std::chrono::system_clock::now());
  if (!pinned) co_return pinned.error();

  http::request<http::string_body> request{http::verb::post, "/agent/v1/enroll", 11};
  request.set(http::field::host, where);
  request.set(http::field::user_agent, "phoenix-agent");
  request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(options.phase_timeout);
  co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return step_error("sending the request", where, ec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.body_limit);
  parser.header_limit(16 * 1024);
  beast::get_lowest_layer(stream).expires_after(options.phase_timeout);
  co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  if (ec == http::error::body_limit) {
    co_return make_error("enroll_failed", "the hub's answer is larger than " + std::to_string(options.body_limit) + " bytes");
  }
  if (ec) co_return step_error("reading the answer", where, ec);
  auto answer = interpret(parser.get().result_int(), parser.get().body());

  // Polite close; its outcome does not matter.
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
  co_return answer;
}

}  // namespace

Result<EnrollAnswer> request_enrollment(const protocol::EnrollToken& token, const std::string& csr_pem,
                                        const EnrollClientOptions& options) {
  auto hub = parse_hub_url(token.hub_url);
  if (!hub) return hub.error();
  auto tls = make_enroll_tls_context();
  if (!tls) return tls.error();
  const std::string body =
      dump_json(nlohmann::json{{"token_secret", token.secret}, {"vm", token.vm}, {"csr", csr_pem}});
  net::io_context ioc;
  Result<EnrollAnswer> result = make_error("enroll_failed", "the enrollment did not complete");
  net::co_spawn(ioc, exchange(token, *hub, body, options, *tls),
                [&result](std::exception_ptr error, Result<EnrollAnswer> answer) {
                  if (error) {
                    result = make_error("enroll_failed", "unexpected failure during enrollment");
                  } else {
                    result = std::move(answer);
                  }
                });
  ioc.run();
  return result;
}

}  // namespace phoenix::agent
