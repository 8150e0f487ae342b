#pragma once
// A tiny blocking HTTP/1.1 client for tests (Beast over a real loopback socket). Each call
// has a deadline, so a hung server fails the test instead of hanging it.
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace phoenix::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = 0;  // 0: no answer (see `failure`)
  std::string body;
  Headers headers;
  std::string failure;

  std::string header(const std::string& name) const;
  nlohmann::json json() const;  // discarded value if the body is not JSON
  std::string error_code() const;  // error.code of a JSON error body, or ""
};

// One keep-alive connection to 127.0.0.1:port.
class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool connected() const { return connected_; }

  HttpReply request(const std::string& method, const std::string& target, const Headers& headers = {},
                    const std::string& body = {});
  // Writes raw bytes (a half request, say) without reading.
  bool send_raw(const std::string& bytes);
  // Reads one response (after send_raw).
  HttpReply read_reply();
  // A streamed answer: reads raw bytes (headers, chunk framing and all) until `needle` has
  // arrived (at or after offset `from`), the peer closed, or the deadline passed; returns
  // everything read so far.
  std::string read_until(const std::string& needle, std::size_t from = 0);
  // Whether the peer has closed the connection (reads and discards what else arrives).
  bool closed_by_peer();

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  bool connected_ = false;
  std::string raw_;           // what read_until has read
  bool eof_ = false;          // read_until stops reading
  bool peer_closed_ = false;  // ... because the server closed
};

// One request on a fresh connection.
HttpReply http_call(std::uint16_t port, const std::string& method, const std::string& target,
                    const Headers& headers = {}, const std::string& body = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace phoenix::test
