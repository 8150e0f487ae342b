// The server over real loopback sockets, in process, on port 0: keep-alive, limits,
// deadlines, the connection cap and asynchronous handlers.
#include "hub/http/json_response.hpp"
#include "tests/hub/http/support/http_test_client.hpp"
#include "tests/hub/http/support/test_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

namespace phoenix::hub::http {
namespace {

using namespace std::chrono_literals;
using test::HttpConnection;
using test::TestServer;

ServerOptions fast_options() {
  ServerOptions options;
  options.header_timeout = 200ms;
  options.body_timeout = 200ms;
  options.write_timeout = 1s;
  options.idle_timeout = 200ms;
  return options;
}

RequestHandler echo_handler() {
  return [](const Request& req, Respond respond) {
    respond(json_response(Status::ok, {{"target", std::string(req.target())}, {"body_size", req.body().size()}}));
  };
}

TEST(HttpServer, ServesSeveralRequestsOnOneKeepAliveConnection) {
  TestServer server(fast_options(), echo_handler());
  HttpConnection connection(server.port());
  ASSERT_TRUE(connection.connected());
  for (int i = 0; i < 3; ++i) {
    const auto reply = connection.request("GET", "/n" + std::to_string(i));
    ASSERT_EQ(reply.status, 200) << reply.failure;
    EXPECT_EQ(reply.json()["target"], "/n" + std::to_string(i));
  }
  EXPECT_EQ(server.open_connections(), 1u);
}

TEST(HttpServer, BodyUpToTheLimitIsAcceptedOneByteMoreIs413) {
  TestServer server(fast_options(), echo_handler());
  const auto fits = test::http_call(server.port(), "POST", "/x", {}, std::string(64 * 1024, 'a'));
  ASSERT_EQ(fits.status, 200) << fits.failure;
  EXPECT_EQ(fits.json()["body_size"], 64 * 1024);
  const auto too_big = test::http_call(server.port(), "POST", "/x", {}, std::string(64 * 1024 + 1, 'a'));
  EXPECT_EQ(too_big.status, 413) << too_big.failure;
  EXPECT_EQ(too_big.error_code(), "body_too_large");
}

TEST(HttpServer, AnswersExpectContinueBeforeTheBody) {
  TestServer server(fast_options(), echo_handler());
  HttpConnection connection(server.port());
  ASSERT_TRUE(connection.send_raw(
      "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(connection.read_reply().status, 100);
  ASSERT_TRUE(connection.send_raw("hello"));
  const auto reply = connection.read_reply();
  ASSERT_EQ(reply.status, 200) << reply.failure;
  EXPECT_EQ(reply.json()["body_size"], 5);
}

TEST(HttpServer, ExpectContinueOverTheLimitIs413WithoutContinue) {
  TestServer server(fast_options(), echo_handler());
  HttpConnection connection(server.port());
  ASSERT_TRUE(connection.send_raw(
      "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(connection.read_reply().status, 413);
}

TEST(HttpServer, OversizedHeadersAre431) {
  TestServer server(fast_options(), echo_handler());
  const auto reply = test::http_call(server.port(), "GET", "/x", {{"X-Big", std::string(20 * 1024, 'h')}});
  EXPECT_EQ(reply.status, 431) << reply.failure;
  EXPECT_EQ(reply.error_code(), "headers_too_large");
}

TEST(HttpServer, MalformedRequestIs400Json) {
  TestServer server(fast_options(), echo_handler());
  HttpConnection connection(server.port());
  ASSERT_TRUE(connection.send_raw("NOT AN HTTP REQUEST\r\n\r\n"));
  const auto reply = connection.read_reply();
  EXPECT_EQ(reply.status, 400) << reply.failure;
  EXPECT_EQ(reply.error_code(), "bad_request");
}

TEST(HttpServer, HandlerMayAnswerLaterFromAnotherThread) {
  TestServer server(fast_options(), [](const Request&, Respond respond) {
    std::thread([respond] {
      std::this_thread::sleep_for(20ms);
      respond(json_response(Status::ok, {{"from", "worker"}}));
      respond(json_response(Status::conflict, {{"from", "second answer is ignored"}}));
    }).detach();
  });
  HttpConnection connection(server.port());
  for (int i = 0; i < 2; ++i) {
    const auto reply = connection.request("GET", "/slow");
    ASSERT_EQ(reply.status, 200) << reply.failure;
    EXPECT_EQ(reply.json()["from"], "worker");
  }
}

TEST(HttpServer, HandlerThatNeverAnswersGets504) {
  auto kept = std::make_shared<std::vector<Respond>>();
  auto mutex = std::make_shared<std::mutex>();
  auto options = fast_options();
  options.handler_timeout = 100ms;
  {
    TestServer server(options, [kept, mutex](const Request&, Respond respond) {
      std::lock_guard lock(*mutex);
      kept->push_back(std::move(respond));  // holds the answer and never gives it
    });
    const auto reply = test::http_call(server.port(), "GET", "/hang");
    EXPECT_EQ(reply.status, 504) << reply.failure;
    EXPECT_EQ(reply.error_code(), "handler_timeout");
    std::lock_guard lock(*mutex);
    kept->clear();  // before the server's io_context goes away
  }
}

TEST(HttpServer, StalledHalfRequestDelaysNobodyAndIsDropped) {
  TestServer server(fast_options(), echo_handler());
  HttpConnection staller(server.port());
  ASSERT_TRUE(staller.send_raw("GET /stall HTTP/1.1\r\nHost: a\r\nX-Partial: "));

  const auto start = std::chrono::steady_clock::now();
  const auto other = test::http_call(server.port(), "GET", "/fast");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(other.status, 200);
  EXPECT_LT(took, 100ms);

  // The header deadline (200 ms) closes the staller without an answer.
  const auto dropped = staller.read_reply();
  EXPECT_EQ(dropped.status, 0);
  EXPECT_FALSE(dropped.failure.empty());
}

TEST(HttpServer, IdleKeepAliveConnectionIsClosed) {
  TestServer server(fast_options(), echo_handler());
  HttpConnection connection(server.port());
  ASSERT_EQ(connection.request("GET", "/a").status, 200);
  const auto start = std::chrono::steady_clock::now();
  const auto reply = connection.read_reply();  // waits for the server to give up on us
  EXPECT_EQ(reply.status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(HttpServer, ConnectionsOverTheCapAre503) {
  auto options = fast_options();
  options.max_connections = 2;
  options.header_timeout = 5s;
  TestServer server(options, echo_handler());
  HttpConnection a(server.port());
  HttpConnection b(server.port());
  ASSERT_TRUE(a.send_raw("GET /a HTTP/1.1\r\n"));
  ASSERT_TRUE(b.send_raw("GET /b HTTP/1.1\r\n"));
  HttpConnection c(server.port());
  const auto refused = c.read_reply();
  EXPECT_EQ(refused.status, 503) << refused.failure;
  EXPECT_EQ(refused.error_code(), "too_many_connections");
}

TEST(HttpServer, RefusesToStartOnABusyPort) {
  TestServer first(fast_options(), echo_handler());
  boost::asio::io_context ioc;
  ServerOptions options;
  options.port = first.port();
  HttpServer second(ioc, options, echo_handler());
  const auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, "listen_failed");
}

}  // namespace
}  // namespace phoenix::hub::http
