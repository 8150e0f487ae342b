// HttpClient and EngineClient against an in-test server on a unix socket: framing,
// negotiation, engine errors, deadlines and limits. No root, no network.
#include "agent/engine/api_version.hpp"
#include "agent/engine/engine_client.hpp"
#include "agent/engine/http_client.hpp"
#include "tests/agent/engine/test_http_server.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace phoenix::agent::engine {
namespace {
using testing::http_response;
using testing::TestHttpServer;
using testing::TestRequest;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/phx-engine-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    socket_ = dir_ + "/docker.sock";
  }
  void TearDown() override {
    server_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  void serve(testing::RawHandler handler) {
    server_ = TestHttpServer::on_unix_socket(socket_, std::move(handler));
  }
  HttpClient client(HttpClientOptions options = {}) {
    return HttpClient::create(UnixSocketEndpoint{socket_}, options).value();
  }
  // A fake dockerd: /_ping with the given Api-Version, and a few versioned routes.
  void serve_fake_dockerd(std::string api_version) {
    serve([api_version](const TestRequest& r) -> std::string {
      const std::string target(r.target());
      if (target == "/_ping") {
        return http_response(200, "OK", {{"Api-Version", api_version}, {"OSType", "linux"},
                                         {"Swarm", "inactive"}});
      }
      if (target.ends_with("/info")) {
        return http_response(200, R"({"Swarm":{"LocalNodeState":"inactive","NodeID":""}})");
      }
      if (target.ends_with("/swarm")) {
        return http_response(503, R"({"message":"This node is not a swarm manager."})",
                             {{"Content-Type", "application/json"}});
      }
      if (target.ends_with("/swarm/init")) return http_response(200, R"("node-id-1")");
      return http_response(404, R"({"message":"page not found"})");
    });
  }

  std::string dir_;
  std::string socket_;
  std::unique_ptr<TestHttpServer> server_;
};

TEST_F(HttpClientTest, ReadsAChunkedBodyAndSendsDockerAsHost) {
  serve([](const TestRequest&) {
    return std::string(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n");
  });
  auto response = client().request(http::verb::get, "/v1.41/info");
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "{\"a\": 1}");
  EXPECT_EQ(response->header("content-type"), "application/json");
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].host, "docker");
  EXPECT_EQ(server_->requests()[0].target, "/v1.41/info");
}

TEST_F(HttpClientTest, ReadsAnHttp10BodyThatEndsWithTheConnection) {
  // What Go's TLS listener answers to plain HTTP: no Content-Length, body until close.
  serve([](const TestRequest&) {
    return std::string(
        "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
  });
  auto response = client().request(http::verb::get, "/_ping");
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 400u);
  EXPECT_EQ(response->body, "Client sent an HTTP request to an HTTPS server.\n");
}

TEST_F(HttpClientTest, NonSuccessStatusIsAResponseNotAnError) {
  serve([](const TestRequest&) { return http_response(500, "boom"); });
  auto response = client().request(http::verb::get, "/x");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500u);
  EXPECT_FALSE(response->is_success());
}

TEST_F(HttpClientTest, MissingSocketIsConnectFailedNamingTheSocket) {
  auto response = client().request(http::verb::get, "/_ping");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "connect_failed");
  EXPECT_NE(response.error().message.find(socket_), std::string::npos);
  EXPECT_NE(response.error().message.find("dockerd is not running"), std::string::npos);
}

TEST_F(HttpClientTest, ServerThatNeverAnswersHitsTheDeadline) {
  serve([](const TestRequest&) { return std::string(); });
  const auto start = std::chrono::steady_clock::now();
  auto response = client({.timeout = 300ms}).request(http::verb::get, "/_ping");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "timeout");
  EXPECT_NE(response.error().message.find("reading the response"), std::string::npos);
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(HttpClientTest, OversizedBodyIsRefused) {
  serve([](const TestRequest&) { return http_response(200, std::string(4096, 'x')); });
  auto response = client({.timeout = 2s, .body_limit = 1024}).request(http::verb::get, "/info");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "response_too_large");
}

TEST_F(HttpClientTest, OversizedChunkedBodyIsRefused) {
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; ++i) chunked += "200\r\n" + std::string(512, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  serve([chunked](const TestRequest&) { return chunked; });
  auto response = client({.timeout = 2s, .body_limit = 1024}).request(http::verb::get, "/info");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "response_too_large");
  // The same body within a larger limit is read whole.
  auto fits = client({.timeout = 2s, .body_limit = 8192}).request(http::verb::get, "/info");
  ASSERT_TRUE(fits) << fits.error().to_string();
  EXPECT_EQ(fits->body.size(), 4096u);
}

TEST_F(HttpClientTest, GarbageIsInvalidResponse) {
  serve([](const TestRequest&) { return std::string("SSH-2.0-OpenSSH\r\n\r\n"); });
  auto response = client().request(http::verb::get, "/_ping");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "invalid_response");
}

TEST_F(HttpClientTest, PostSendsJsonWithContentType) {
  serve([](const TestRequest&) { return http_response(200, "{}"); });
  ASSERT_TRUE(client().request(http::verb::post, "/v1.41/swarm/init", R"({"ListenAddr":"0.0.0.0"})"));
  ASSERT_TRUE(client().request(http::verb::post, "/v1.41/swarm/leave?force=true"));
  const auto seen = server_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].content_type, "application/json");
  EXPECT_EQ(seen[0].body, R"({"ListenAddr":"0.0.0.0"})");
  EXPECT_EQ(seen[1].target, "/v1.41/swarm/leave?force=true");
  EXPECT_EQ(seen[1].body, "");
}

TEST_F(HttpClientTest, EngineClientUsesTheServersOlderVersion) {
  serve_fake_dockerd("1.41");
  EngineClient engine(client());
  auto ping = engine.ping();
  ASSERT_TRUE(ping) << ping.error().to_string();
  EXPECT_EQ(ping->server_api_version, "1.41");
  EXPECT_EQ(ping->negotiated_version, "1.41");
  EXPECT_EQ(ping->os_type, "linux");
  EXPECT_EQ(ping->swarm, "inactive");
  auto info = engine.info();
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ((*info)["Swarm"]["LocalNodeState"], "inactive");
  const auto seen = server_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].target, "/_ping");  // never versioned
  EXPECT_EQ(seen[1].target, "/v1.41/info");
}

TEST_F(HttpClientTest, EngineClientCapsANewerServerAtItsOwnMax) {
  serve_fake_dockerd("1.99");
  EngineClient engine(client());
  auto info = engine.info();  // negotiates on first use
  ASSERT_TRUE(info) << info.error().to_string();
  ASSERT_TRUE(engine.api_version());
  EXPECT_EQ(*engine.api_version(), kMaxApiVersion);
  const auto seen = server_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].target, "/v" + std::string(kMaxApiVersion) + "/info");
}

TEST_F(HttpClientTest, EngineErrorBodyBecomesTheErrorMessage) {
  serve_fake_dockerd("1.41");
  EngineClient engine(client());
  auto swarm = engine.get("/swarm");
  ASSERT_FALSE(swarm);
  EXPECT_EQ(swarm.error().code, "http_error");
  EXPECT_NE(swarm.error().message.find("503"), std::string::npos);
  EXPECT_NE(swarm.error().message.find("This node is not a swarm manager."), std::string::npos);
  auto init = engine.post("/swarm/init", {{"ListenAddr", "0.0.0.0:2377"}});
  ASSERT_TRUE(init) << init.error().to_string();
  EXPECT_EQ(*init, "node-id-1");
}

TEST_F(HttpClientTest, EngineClientReportsAnUnreachableDaemon) {
  EngineClient engine(client());
  auto info = engine.info();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, "connect_failed");
  EXPECT_FALSE(engine.api_version());
}

}  // namespace
}  // namespace phoenix::agent::engine
