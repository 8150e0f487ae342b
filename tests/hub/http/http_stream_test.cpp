// Streamed answers (what GET /events uses) over real loopback sockets: chunked text as it comes,
// the end of a stream, a client that leaves, a stalled reader, and the dispatcher's Origin check in
// front of a stream.
#include "hub/http/dispatcher.hpp"
#include "hub/http/json_response.hpp"
#include "tests/hub/http/support/http_test_client.hpp"
#include "tests/hub/http/support/test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace phoenix::hub::http {
namespace {

using namespace std::chrono_literals;
using test::HttpConnection;
using test::TestServer;

// A stream the test feeds by hand; records whether the server cancelled it.
class ManualStream : public ResponseStream {
 public:
  void push(std::string text) {
    Ready ready;
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(text));
      ready = std::exchange(ready_, {});
    }
    if (ready) deliver(std::move(ready));
  }
  void end() {
    Ready ready;
    {
      std::lock_guard lock(mutex_);
      ended_ = true;
      ready = std::exchange(ready_, {});
    }
    if (ready) deliver(std::move(ready));
  }
  void next(Ready ready) override { deliver(std::move(ready)); }
  void cancel() override {
    Ready ready;
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
      ready = std::exchange(ready_, {});
    }
    if (ready) ready(std::nullopt);
    changed_.notify_all();
  }
  bool wait_cancelled(std::chrono::milliseconds within) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, within, [&] { return cancelled_; });
  }

 private:
  void deliver(Ready ready) {
    std::unique_lock lock(mutex_);
    if (cancelled_) {
      lock.unlock();
      return ready(std::nullopt);
    }
    if (!queue_.empty()) {
      auto text = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      return ready(std::move(text));
    }
    if (ended_) {
      lock.unlock();
      return ready(std::nullopt);
    }
    ready_ = std::move(ready);
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  Ready ready_;
  bool ended_ = false;
  bool cancelled_ = false;
};

ServerOptions fast_options() {
  ServerOptions options;
  options.header_timeout = 500ms;
  options.write_timeout = 500ms;
  options.idle_timeout = 500ms;
  return options;
}

RequestHandler streaming_handler(std::shared_ptr<ManualStream> stream) {
  return [stream](const Request&, Respond respond) {
    Response head{Status::ok, 11};
    head.set(beast_http::field::content_type, "text/event-stream");
    respond.stream(std::move(head), stream);
  };
}

TEST(HttpStream, SendsHeadersThenEachPieceAsItComes) {
  auto stream = std::make_shared<ManualStream>();
  TestServer server(fast_options(), streaming_handler(stream));
  HttpConnection connection(server.port(), 5s);
  ASSERT_TRUE(connection.send_raw("GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
  stream->push("event: one\n\n");
  auto got = connection.read_until("event: one");
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got;
  ASSERT_NE(got.find("event: one"), std::string::npos) << got;
  // Long after every deadline of a plain request, the stream still delivers.
  std::this_thread::sleep_for(1200ms);
  stream->push("event: two\n\n");
  got = connection.read_until("event: two");
  EXPECT_NE(got.find("event: two"), std::string::npos) << got;
}

TEST(HttpStream, AnEndedStreamSendsTheLastChunkAndCloses) {
  auto stream = std::make_shared<ManualStream>();
  TestServer server(fast_options(), streaming_handler(stream));
  HttpConnection connection(server.port(), 5s);
  ASSERT_TRUE(connection.send_raw("GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
  stream->push("data: x\n\n");
  stream->end();
  const auto got = connection.read_until("\r\n0\r\n\r\n");
  EXPECT_NE(got.find("\r\n0\r\n\r\n"), std::string::npos) << got;
  EXPECT_TRUE(connection.closed_by_peer());
}

TEST(HttpStream, AnHttp10ClientGetsTheBareTextNotChunks) {
  auto stream = std::make_shared<ManualStream>();
  TestServer server(fast_options(), streaming_handler(stream));
  HttpConnection connection(server.port(), 5s);
  ASSERT_TRUE(connection.send_raw("GET /events HTTP/1.0\r\n\r\n"));
  stream->push("event: one\n\n");
  stream->end();
  const auto got = connection.read_until("never sent");
  EXPECT_NE(got.find("HTTP/1.0 200"), std::string::npos) << got;
  EXPECT_EQ(got.find("chunked"), std::string::npos) << got;
  const auto body = got.substr(got.find("\r\n\r\n") + 4);
  EXPECT_EQ(body, "event: one\n\n");  // no chunk sizes, no last chunk: the close ends it
  EXPECT_TRUE(connection.closed_by_peer());
}

TEST(HttpStream, AClientThatLeavesCancelsTheStreamAndFreesItsConnection) {
  auto stream = std::make_shared<ManualStream>();
  TestServer server(fast_options(), streaming_handler(stream));
  {
    HttpConnection connection(server.port(), 5s);
    ASSERT_TRUE(connection.send_raw("GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
    stream->push("data: x\n\n");
    ASSERT_NE(connection.read_until("data: x").find("data: x"), std::string::npos);
  }  // closed here, with nothing left to write
  EXPECT_TRUE(stream->wait_cancelled(3s));
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (server.open_connections() != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server.open_connections(), 0u);
}

TEST(HttpStream, AReaderThatStopsReadingIsDroppedByTheWriteDeadline) {
  auto stream = std::make_shared<ManualStream>();
  TestServer server(fast_options(), streaming_handler(stream));
  HttpConnection connection(server.port(), 5s);
  ASSERT_TRUE(connection.send_raw("GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
  // Never read: once the socket buffers are full, a write cannot finish within 500 ms.
  const std::string big(1 << 20, 'x');
  for (int i = 0; i < 64 && !stream->wait_cancelled(0ms); ++i) {
    stream->push("data: " + big + "\n\n");
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(stream->wait_cancelled(5s));
}

TEST(HttpStream, ARespondThatCannotStreamAnswers500AndCancels) {
  auto stream = std::make_shared<ManualStream>();
  int status = 0;
  Respond plain([&](Response r) { status = r.result_int(); });
  plain.stream(Response{Status::ok, 11}, stream);
  EXPECT_EQ(status, 500);
  EXPECT_TRUE(stream->wait_cancelled(0ms));
}

TEST(HttpStream, ObservedRespondSeesTheStatusOfAStream) {
  unsigned seen = 0;
  bool streamed = false;
  Respond base([](Response) {}, [&](Response, std::shared_ptr<ResponseStream>) { streamed = true; });
  base.observed([&](unsigned status) { seen = status; }).stream(Response{Status::ok, 11}, nullptr);
  EXPECT_EQ(seen, 200u);
  EXPECT_TRUE(streamed);
}

TEST(HttpStream, TheDispatcherRefusesAStreamToAnotherOrigin) {
  auto stream = std::make_shared<ManualStream>();
  auto router = std::make_shared<Router>();
  router->add({Verb::get, "/events", false, Role::read, [stream](const Request&, const RouteContext&, Respond respond) {
                 respond.stream(Response{Status::ok, 11}, stream);
               }});
  Dispatcher dispatcher(router, std::make_shared<TokenAuth>(), HostAllowList{});
  TestServer server(fast_options(), dispatcher.as_handler());
  const auto refused = test::http_call(server.port(), "GET", "/events", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.error_code(), "cross_origin");
}

}  // namespace
}  // namespace phoenix::hub::http
