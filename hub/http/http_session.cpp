#include "hub/http/http_session.hpp"

#include "hub/http/json_response.hpp"
#include "shared/core/log.hpp"
#include "shared/platform/socket_options.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace phoenix::hub::http {
namespace beast = boost::beast;
namespace net = boost::asio;

namespace {

constexpr std::size_t kMaxLoggedTarget = 200;

// The encoded path without the query (queries may one day carry secrets), cut to a bound.
std::string loggable_path(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::string out(target.substr(0, kMaxLoggedTarget));
  if (target.size() > kMaxLoggedTarget) out += "...";
  return out;
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, std::shared_ptr<const ServerOptions> options,
                         std::shared_ptr<const RequestHandler> handler,
                         std::shared_ptr<std::atomic<std::size_t>> connections)
    : stream_(std::move(socket)),
      options_(std::move(options)),
      handler_(std::move(handler)),
      connections_(std::move(connections)),
      handler_timer_(stream_.get_executor()) {}

HttpSession::~HttpSession() {
  // Torn down with a stream still open (the server stopped before it saw the client leave):
  // the stream drops the callback it holds for this session.
  if (body_stream_) body_stream_->cancel();
  connections_->fetch_sub(1);
}

void HttpSession::run(bool overloaded) {
  // Hop onto this connection's strand: all the session's work happens there.
  net::dispatch(stream_.get_executor(), [self = shared_from_this(), overloaded] {
    if (overloaded) {
      self->method_ = "-";
      self->path_ = "-";
      self->started_ = std::chrono::steady_clock::now();
      self->do_write(error_response(Status::service_unavailable, "too_many_connections",
                                    "the hub has too many open connections; retry shortly"),
                     true);
      return;
    }
    self->do_wait_for_request();
  });
}

void HttpSession::do_wait_for_request() {
  parser_.emplace();
  parser_->header_limit(options_->header_limit);
  parser_->body_limit(options_->body_limit);
  // A fresh connection must send its request promptly; an idle keep-alive one may wait
  // longer for its first byte, and then gets the same header deadline.
  if (first_request_ || buffer_.size() > 0) {
    first_request_ = false;
    do_read_header();
    return;
  }
  stream_.expires_after(options_->idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          beast::bind_front_handler(&HttpSession::on_idle_read, shared_from_this()));
}

void HttpSession::on_idle_read(beast::error_code ec, std::size_t bytes) {
  if (ec) return do_close();  // idle timeout or the client went away: nothing to answer
  buffer_.commit(bytes);
  do_read_header();
}

void HttpSession::do_read_header() {
  stream_.expires_after(options_->header_timeout);
  beast_http::async_read_header(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&HttpSession::on_read_header, shared_from_this()));
}

void HttpSession::on_read_header(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec);
  started_ = std::chrono::steady_clock::now();
  const auto& header = parser_->get();
  method_ = std::string(header.method_string());
  path_ = loggable_path(header.target());
  if (parser_->is_done()) return dispatch_request();
  if (beast::iequals(header[beast_http::field::expect], "100-continue")) return do_continue();
  do_read_body();
}

void HttpSession::do_continue() {
  // curl and others wait up to a second for this before sending a body; the body size was
  // already checked against the limit when the headers were parsed.
  auto interim = std::make_shared<beast_http::response<beast_http::empty_body>>(Status::continue_, 11);
  stream_.expires_after(options_->write_timeout);
  beast_http::async_write(stream_, *interim,
                          [self = shared_from_this(), interim](beast::error_code ec, std::size_t) {
                            if (ec) return self->do_close();
                            self->do_read_body();
                          });
}

void HttpSession::do_read_body() {
  stream_.expires_after(options_->body_timeout);
  beast_http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read_body, shared_from_this()));
}

void HttpSession::on_read_body(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec);
  dispatch_request();
}

void HttpSession::on_read_error(beast::error_code ec) {
  if (started_ == std::chrono::steady_clock::time_point{}) started_ = std::chrono::steady_clock::now();
  if (method_.empty() && !parser_->get().target().empty()) {
    method_ = std::string(parser_->get().method_string());
    path_ = loggable_path(parser_->get().target());
  }
  if (method_.empty()) method_ = "-";
  if (path_.empty()) path_ = "-";
  // Timeouts and disconnects get no answer: the peer is gone or not listening.
  if (ec == beast_http::error::end_of_stream || ec == beast_http::error::partial_message ||
      ec == beast::error::timeout ||
      ec == net::error::eof || ec == net::error::connection_reset ||
      ec == net::error::operation_aborted) {
    return do_close();
  }
  if (ec == beast_http::error::body_limit) {
    return do_write(error_response(Status::payload_too_large, "body_too_large",
                                   "request bodies are limited to " +
                                       std::to_string(options_->body_limit) + " bytes"),
                    true);
  }
  if (ec == beast_http::error::header_limit) {
    return do_write(error_response(Status::request_header_fields_too_large, "headers_too_large",
                                   "request line and headers are limited to " +
                                       std::to_string(options_->header_limit) + " bytes"),
                    true);
  }
  do_write(error_response(Status::bad_request, "bad_request",
                          "malformed HTTP request: " + ec.message()),
           true);
}

void HttpSession::dispatch_request() {
  // No read is pending while the handler works: the stream must not time us out meanwhile,
  // the handler deadline below bounds the wait instead.
  stream_.expires_never();
  keep_alive_ = parser_->get().keep_alive();
  auto answered = std::make_shared<std::atomic<bool>>(false);
  handler_timer_.expires_after(options_->handler_timeout);
  handler_timer_.async_wait(
      beast::bind_front_handler(&HttpSession::on_handler_timeout, shared_from_this(), answered));

  Respond respond(
      [self = shared_from_this(), answered](Response response) {
        if (answered->exchange(true)) return;  // only the first answer counts
        net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
          self->on_handler_response(std::move(response));
        });
      },
      [self = shared_from_this(), answered](Response head, std::shared_ptr<ResponseStream> body) {
        if (answered->exchange(true)) {
          if (body) body->cancel();
          return;
        }
        net::post(self->stream_.get_executor(), [self, head = std::move(head), body = std::move(body)]() mutable {
          self->on_stream_response(std::move(head), std::move(body));
        });
      });
  try {
    (*handler_)(parser_->get(), respond);
  } catch (const std::exception& e) {
    log::error("http", std::string("request handler threw: ") + e.what());
    respond(error_response(Status::internal_server_error, "internal_error",
                           "the hub failed to handle this request; see its log"));
  }
}

void HttpSession::on_handler_timeout(std::shared_ptr<std::atomic<bool>> answered,
                                     beast::error_code ec) {
  // `answered` is this request's flag: a late timer can never answer a later request.
  if (ec || answered->exchange(true)) return;  // cancelled or already answered
  on_handler_response(error_response(Status::gateway_timeout, "handler_timeout",
                                     "the hub did not finish this request in time"));
}

void HttpSession::on_handler_response(Response response) {
  handler_timer_.cancel();
  do_write(std::move(response), !keep_alive_);
}

void HttpSession::do_write(Response response, bool close_after) {
  response.keep_alive(!close_after);
  response.prepare_payload();
  response_ = std::make_shared<Response>(std::move(response));
  stream_.expires_after(options_->write_timeout);
  beast_http::async_write(stream_, *response_,
                          beast::bind_front_handler(&HttpSession::on_write, shared_from_this(),
                                                    close_after));
}

void HttpSession::on_write(bool close, beast::error_code ec, std::size_t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
  log::info("http", method_ + " " + path_ + " " + std::to_string(response_->result_int()) + " " +
                        std::to_string(ms) + "ms" + (ec ? " (write failed: " + ec.message() + ")" : ""));
  response_.reset();
  if (ec || close) return do_close();
  method_.clear();
  path_.clear();
  started_ = {};
  do_wait_for_request();
}

void HttpSession::on_stream_response(Response head, std::shared_ptr<ResponseStream> body) {
  handler_timer_.cancel();
  body_stream_ = std::move(body);
  // A stream has no length and no successor: HTTP/1.1 gets chunks (the client can tell a
  // clean end from a cut), HTTP/1.0, which has no chunks, the bare text; the connection
  // closes after it either way.
  const unsigned version = parser_->get().version();  // the client's, whatever the handler set
  chunked_ = version >= 11;
  auto header = std::make_shared<beast_http::response<beast_http::empty_body>>(head.result(), version);
  for (const auto& field : head) header->set(field.name_string(), field.value());
  header->chunked(chunked_);
  header->keep_alive(false);
  set_stream_socket_options();
  auto serializer = std::make_shared<beast_http::response_serializer<beast_http::empty_body>>(*header);
  log::info("http", method_ + " " + path_ + " " + std::to_string(head.result_int()) + " stream opened");
  stream_.expires_after(options_->write_timeout);
  beast_http::async_write_header(stream_, *serializer,
                                 [self = shared_from_this(), header, serializer](beast::error_code ec, std::size_t) {
                                   self->on_stream_head(ec);
                                 });
}

void HttpSession::on_stream_head(beast::error_code ec) {
  if (ec) return end_stream("write failed: " + ec.message());
  do_watch_client();
  do_next_chunk();
}

void HttpSession::set_stream_socket_options() {
  // A client that vanishes without a FIN (a laptop suspended, a NAT entry dropped) leaves the
  // small heartbeats unacknowledged; the kernel then gives up after kStreamUserTimeout instead
  // of ~15 minutes of retransmits, the watch read fails, and the listener's slot is freed.
  if (!platform::set_unacknowledged_timeout(stream_.socket().native_handle(), options_->stream_user_timeout)) {
    log::warning("http", std::string("cannot set ") + platform::unacknowledged_timeout_option_name() +
                             " on an event stream: a vanished client is noticed late");
  }
}

void HttpSession::do_watch_client() {
  // The raw socket, not the timed stream: a listener may stay quiet for hours. Any end of
  // this read (the client closed, reset, or sent something) ends the stream.
  stream_.socket().async_read_some(net::buffer(watch_buffer_), [self = shared_from_this()](beast::error_code ec,
                                                                                           std::size_t) {
    // Aborted: the writer's deadline closed the socket, and the writer says so itself.
    if (ec == net::error::operation_aborted) return;
    self->end_stream(ec ? "client left" : "client sent data while streaming");
  });
}

void HttpSession::do_next_chunk() {
  if (!body_stream_) return;
  // A weak hold: the stream keeps this callback while it waits, and the session keeps the
  // stream, so a strong one would be a cycle that outlives a server stopped mid-stream. The
  // session stays alive meanwhile through its pending watch of the client.
  body_stream_->next([weak = weak_from_this()](std::optional<std::string> text) {
    auto self = weak.lock();
    if (!self) return;
    net::post(self->stream_.get_executor(),
              [self, text = std::move(text)]() mutable { self->on_chunk(std::move(text)); });
  });
}

void HttpSession::on_chunk(std::optional<std::string> text) {
  if (!body_stream_) return;  // ended meanwhile
  stream_.expires_after(options_->write_timeout);
  if (!text && !chunked_) return end_stream("stream ended");
  if (!text) {
    net::async_write(stream_, beast_http::make_chunk_last(),
                     [self = shared_from_this()](beast::error_code, std::size_t) { self->end_stream("stream ended"); });
    return;
  }
  if (text->empty()) return do_next_chunk();  // an empty chunk would read as the last one
  chunk_ = std::move(*text);
  auto written = [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->end_stream("write failed: " + ec.message());
    self->do_next_chunk();
  };
  if (chunked_) return net::async_write(stream_, beast_http::make_chunk(net::buffer(chunk_)), std::move(written));
  net::async_write(stream_, net::buffer(chunk_), std::move(written));
}

void HttpSession::end_stream(const std::string& why) {
  if (!body_stream_) return;  // the second of the watcher and the writer to notice
  body_stream_->cancel();
  body_stream_.reset();
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
  log::info("http", method_ + " " + path_ + " stream closed after " + std::to_string(seconds) + "s (" + why + ")");
  do_close();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  stream_.close();
}

}  // namespace phoenix::hub::http
