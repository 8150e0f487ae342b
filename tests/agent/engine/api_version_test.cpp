#include "agent/engine/api_version.hpp"
#include "agent/engine/endpoint.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent::engine {
namespace {

TEST(ApiVersion, ComparesNumericallyPerComponent) {
  EXPECT_EQ(compare_api_versions("1.9", "1.41"), -1);
  EXPECT_EQ(compare_api_versions("1.41", "1.41"), 0);
  EXPECT_EQ(compare_api_versions("1.47", "1.44"), 1);
  EXPECT_EQ(compare_api_versions("2.0", "1.99"), 1);
  EXPECT_FALSE(compare_api_versions("1.41x", "1.41"));
  EXPECT_FALSE(compare_api_versions("", "1.41"));
  EXPECT_FALSE(compare_api_versions("1.", "1.41"));
  EXPECT_FALSE(compare_api_versions(".41", "1.41"));
  EXPECT_FALSE(is_api_version("v1.41"));
  EXPECT_TRUE(is_api_version("1.41"));
}

TEST(ApiVersion, NegotiatesTheLowerOfServerAndOurs) {
  EXPECT_EQ(negotiate_api_version("1.41"), "1.41");            // dockerd 20.10
  EXPECT_EQ(negotiate_api_version("1.99"), kMaxApiVersion);    // newer than we know
  EXPECT_EQ(negotiate_api_version("1.44", "1.47"), "1.44");    // Docker 29 minimum
  EXPECT_EQ(negotiate_api_version(""), kFallbackApiVersion);   // header missing
  EXPECT_EQ(negotiate_api_version("garbage"), kFallbackApiVersion);
}

TEST(ApiVersion, EngineErrorMessageComesFromTheJsonBody) {
  EXPECT_EQ(engine_error_message(R"({"message":"This node is not a swarm manager."})"),
            "This node is not a swarm manager.");
  EXPECT_EQ(engine_error_message("  Client sent an HTTP request to an HTTPS server.\n"),
            "Client sent an HTTP request to an HTTPS server.");
  EXPECT_EQ(engine_error_message(R"({"message": 5})"), R"({"message": 5})");
  EXPECT_EQ(engine_error_message(""), "");
  EXPECT_LE(engine_error_message(std::string(5000, 'x')).size(), 310u);
}

TEST(Endpoint, DescribesAndSetsHostHeaderLikeTheDockerCli) {
  EXPECT_EQ(describe(Endpoint(UnixSocketEndpoint{"/run/d.sock"})), "unix:///run/d.sock");
  EXPECT_EQ(host_header(Endpoint(UnixSocketEndpoint{"/run/d.sock"})), "docker");
  EXPECT_EQ(describe(Endpoint(TlsEndpoint{"127.0.0.1", 2376, {}})), "tcp://127.0.0.1:2376 (TLS)");
  EXPECT_EQ(host_header(Endpoint(TcpEndpoint{"::1", 2375})), "[::1]:2375");
  EXPECT_EQ(host_header(Endpoint(TlsEndpoint{"vm1.example", 2376, {}})), "vm1.example:2376");
}

}  // namespace
}  // namespace phoenix::agent::engine
