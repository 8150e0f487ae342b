#include "tests/hub/http/support/http_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <cctype>

namespace phoenix::test {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string HttpReply::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

nlohmann::json HttpReply::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpReply::error_code() const {
  const auto j = json();
  if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("code") &&
      j["error"]["code"].is_string()) {
    return j["error"]["code"].get<std::string>();
  }
  return {};
}

HttpConnection::HttpConnection(std::uint16_t port, std::chrono::milliseconds timeout)
    : stream_(ioc_), timeout_(timeout) {
  stream_.expires_after(timeout_);
  stream_.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                        [&](beast::error_code ec) {
                          connected_ = !ec;
                        });
  ioc_.run();
  ioc_.restart();
}

bool HttpConnection::send_raw(const std::string& bytes) {
  bool sent = false;
  stream_.expires_after(timeout_);
  net::async_write(stream_, net::buffer(bytes), [&](beast::error_code ec, std::size_t) { sent = !ec; });
  ioc_.run();
  ioc_.restart();
  return sent;
}

HttpReply HttpConnection::read_reply() {
  HttpReply reply;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  stream_.expires_after(timeout_);
  http::async_read(stream_, buffer_, parser, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      reply.failure = ec.message();
      return;
    }
    const auto& res = parser.get();
    reply.status = res.result_int();
    reply.body = res.body();
    for (const auto& field : res) {
      reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
  });
  ioc_.run();
  ioc_.restart();
  return reply;
}

HttpReply HttpConnection::request(const std::string& method, const std::string& target,
                                  const Headers& headers, const std::string& body) {
  if (!connected_) return HttpReply{0, {}, {}, "not connected"};
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (!body.empty() || method == "POST") req.prepare_payload();
  bool written = false;
  std::string failure;
  stream_.expires_after(timeout_);
  http::async_write(stream_, req, [&](beast::error_code ec, std::size_t) {
    written = !ec;
    if (ec) failure = ec.message();
  });
  ioc_.run();
  ioc_.restart();
  // Even a failed write (server closed early, e.g. 413) may have left an answer to read.
  auto reply = read_reply();
  if (!written && reply.status == 0) reply.failure = "write failed: " + failure;
  return reply;
}

std::string HttpConnection::read_until(const std::string& needle, std::size_t from) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (raw_.find(needle, from) == std::string::npos && !eof_ && std::chrono::steady_clock::now() < deadline) {
    char chunk[4096];
    stream_.expires_at(deadline);
    stream_.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      raw_.append(chunk, n);
      if (ec) eof_ = true;  // closed, reset or timed out: nothing more will come
      if (ec == net::error::eof || ec == net::error::connection_reset) peer_closed_ = true;
    });
    ioc_.run();
    ioc_.restart();
  }
  return raw_;
}

bool HttpConnection::closed_by_peer() {
  read_until(std::string(1, '\0') + "never sent");
  return peer_closed_;
}

HttpReply http_call(std::uint16_t port, const std::string& method, const std::string& target,
                    const Headers& headers, const std::string& body, std::chrono::milliseconds timeout) {
  HttpConnection connection(port, timeout);
  return connection.request(method, target, headers, body);
}

}  // namespace phoenix::test
