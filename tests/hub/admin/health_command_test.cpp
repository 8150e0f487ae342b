// `phoenix-hub health` against in-process servers on loopback: healthy, unhealthy, silent,
// absent, and bad arguments.
#include "hub/admin/health_command.hpp"
#include "hub/http/json_response.hpp"
#include "tests/hub/http/support/test_server.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;

struct Run {
  int rc;
  std::string out;
  std::string err;
};

Run health(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int rc = run_health_command(args, out, err);
  return {rc, out.str(), err.str()};
}

std::string url(std::uint16_t port) { return "http://127.0.0.1:" + std::to_string(port) + "/health"; }

TEST(HealthCommand, HealthyHubExitsZeroAndPrintsTheAnswer) {
  test::TestServer server({}, [](const http::Request& req, http::Respond respond) {
    respond(http::json_response(http::Status::ok, {{"ok", true}, {"path", std::string(req.target())}}));
  });
  const auto run = health({"--url", url(server.port())});
  EXPECT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.out.find("\"ok\":true"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"path\":\"/health\""), std::string::npos) << run.out;
}

TEST(HealthCommand, UnhealthyHubExitsOneAndSaysWhy) {
  test::TestServer server({}, [](const http::Request&, http::Respond respond) {
    respond(http::json_response(http::Status::service_unavailable, {{"ok", false}}));
  });
  const auto run = health({"--url", url(server.port())});
  EXPECT_EQ(run.rc, 1);
  EXPECT_NE(run.err.find("HTTP 503"), std::string::npos) << run.err;
}

TEST(HealthCommand, ASilentHubFailsWithinTheTimeout) {
  test::TestServer server({}, [](const http::Request&, http::Respond) { /* never answers */ });
  const auto started = std::chrono::steady_clock::now();
  const auto run = health({"--url", url(server.port()), "--timeout", "1"});
  EXPECT_EQ(run.rc, 1);
  EXPECT_NE(run.err.find("no answer within 1 s"), std::string::npos) << run.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(HealthCommand, NobodyListeningIsOneWithAHint) {
  std::uint16_t port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor probe(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed again: nothing listens there now
  const auto run = health({"--url", url(port)});
  EXPECT_EQ(run.rc, 1);
  EXPECT_NE(run.err.find("phoenix-hub serve"), std::string::npos) << run.err;
}

TEST(HealthCommand, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(health({"--url", "https://127.0.0.1:8082/health"}).rc, 2);
  EXPECT_EQ(health({"--url", "not a url"}).rc, 2);
  EXPECT_EQ(health({"--timeout", "0"}).rc, 2);
}

}  // namespace
}  // namespace phoenix::hub
