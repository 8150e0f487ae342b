#pragma once
// One HTTP/1.1 connection: reads requests one at a time (keep-alive), hands each to the
// request handler, and writes the answer the handler gives through `respond`, from whatever
// thread it calls. All the session's work runs on its own strand; other threads reach it
// only by posting. Each async step is a do_x/on_x pair and the session lives exactly as
// long as one of them is pending (or a handler still holds `respond`).
//
// A streamed answer (server-sent events) is written as chunks, each under the write
// deadline, while a read watches for the client leaving; the connection closes after it.
#include "hub/http/http_types.hpp"
#include "hub/http/server_options.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

namespace phoenix::hub::http {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<const ServerOptions> options,
              std::shared_ptr<const RequestHandler> handler,
              std::shared_ptr<std::atomic<std::size_t>> connections);
  ~HttpSession();

  // `overloaded`: answer 503 at once and close, without reading (connection cap reached).
  void run(bool overloaded);

 private:
  void do_wait_for_request();
  void on_idle_read(boost::beast::error_code ec, std::size_t bytes);
  void do_read_header();
  void on_read_header(boost::beast::error_code ec, std::size_t bytes);
  void do_continue();
  void do_read_body();
  void on_read_body(boost::beast::error_code ec, std::size_t bytes);
  void on_read_error(boost::beast::error_code ec);
  void dispatch_request();
  void on_handler_response(Response response);
  void on_handler_timeout(std::shared_ptr<std::atomic<bool>> answered, boost::beast::error_code ec);
  void do_write(Response response, bool close_after);
  void on_stream_response(Response head, std::shared_ptr<ResponseStream> body);
  void on_stream_head(boost::beast::error_code ec);
  void set_stream_socket_options();
  void do_watch_client();
  void do_next_chunk();
  void on_chunk(std::optional<std::string> text);
  void end_stream(const std::string& why);
  void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
  void do_close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<const ServerOptions> options_;
  std::shared_ptr<const RequestHandler> handler_;
  std::shared_ptr<std::atomic<std::size_t>> connections_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  boost::asio::steady_timer handler_timer_;
  std::shared_ptr<Response> response_;           // kept alive during async_write
  std::shared_ptr<ResponseStream> body_stream_;  // set while a streamed answer is open
  std::string chunk_;                            // the chunk being written
  std::array<char, 512> watch_buffer_{};         // what a streaming client sends: ignored
  bool chunked_ = true;                          // the stream's framing (false: HTTP/1.0)
  bool first_request_ = true;
  bool keep_alive_ = false;

  // For the access log line.
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace phoenix::hub::http
