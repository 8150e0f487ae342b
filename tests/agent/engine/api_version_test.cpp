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

namespace phoenix::agent::engine {
namespace {

TEST(ParseDockerHost, UnixAndTcpForms) {
  auto unix_host = parse_docker_host("unix:///var/run/docker.sock");
  ASSERT_TRUE(unix_host);
  EXPECT_EQ(std::get<UnixSocketEndpoint>(*unix_host).path, "/var/run/docker.sock");

  auto plain = parse_docker_host("tcp://10.0.0.5:2376");
  ASSERT_TRUE(plain);
  EXPECT_EQ(std::get<TcpEndpoint>(*plain).host, "10.0.0.5");
  EXPECT_EQ(std::get<TcpEndpoint>(*plain).port, 2376);
  EXPECT_EQ(std::get<TcpEndpoint>(*parse_docker_host("tcp://vm1")).port, 2375);

  TlsMaterial tls{"ca", "", ""};
  auto secure = parse_docker_host("tcp://[::1]", &tls);
  ASSERT_TRUE(secure);
  EXPECT_EQ(std::get<TlsEndpoint>(*secure).host, "::1");
  EXPECT_EQ(std::get<TlsEndpoint>(*secure).port, 2376);
  EXPECT_EQ(std::get<TlsEndpoint>(*secure).tls.ca_pem, "ca");
  EXPECT_EQ(std::get<TlsEndpoint>(*parse_docker_host("tcp://[fe80::1]:12/", &tls)).port, 12);
}

TEST(ParseDockerHost, RefusesWhatItCannotDial) {
  for (const char* bad : {"fd://", "ssh://me@vm1", "unix://relative.sock", "tcp://", "tcp://h:",
                          "tcp://h:0", "tcp://h:70000", "tcp://h:x", "tcp://[::1", "tcp://[::1]x",
                          "10.0.0.5:2376", ""}) {
    auto parsed = parse_docker_host(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, "invalid_docker_host") << bad;
  }
}

}  // namespace
}  // namespace phoenix::agent::engine
