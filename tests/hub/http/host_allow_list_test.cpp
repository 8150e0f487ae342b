#include "hub/http/host_allow_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace phoenix::hub::http {
namespace {

TEST(HostAllowList, IpLiteralsAndLocalhostAreAlwaysAllowed) {
  const HostAllowList hosts;
  for (const char* host : {"127.0.0.1", "127.0.0.1:8082", "10.1.2.3:80", "[::1]", "[::1]:8082", "[fe80::1]:1",
                           "localhost", "localhost:8082", "LOCALHOST.", "dash.localhost:8082"}) {
    EXPECT_TRUE(hosts.allows(host)) << host;
  }
}

TEST(HostAllowList, OtherNamesOnlyWhenConfigured) {
  const HostAllowList none;
  const HostAllowList some({"Hub.Example", "mac-mini.local."});
  for (const char* host : {"hub.example", "hub.example:8082", "HUB.EXAMPLE:8082", "hub.example.", "mac-mini.local"}) {
    EXPECT_FALSE(none.allows(host)) << host;
    EXPECT_TRUE(some.allows(host)) << host;
  }
  // Look-alikes of allowed names and of IP literals are names like any other.
  for (const char* host : {"evil.example", "hub.example.evil", "xhub.example", "127.0.0.1.evil.example:8082",
                           "localhost.evil", "evillocalhost", ".localhost"}) {
    EXPECT_FALSE(some.allows(host)) << host;
  }
}

TEST(HostAllowList, MalformedHeadersAreRefused) {
  const HostAllowList hosts({"hub.example"});
  for (const char* host : {"hub.example:80:80", "hub.example:http", "hub.example:", "[::1", "[::1]x", "[::1]:port",
                           "[hub.example]", "::1", ":8082", "1.2.3.4:8082:1"}) {
    EXPECT_FALSE(hosts.allows(host)) << host;
  }
  EXPECT_TRUE(hosts.allows("")) << "no Host: not a browser, so not a rebound page";
}

TEST(HostAllowList, ValidHostNames) {
  for (const char* name : {"hub", "hub.example", "a-b.c1.example", "x.local"}) EXPECT_TRUE(is_valid_host_name(name)) << name;
  const std::vector<std::string> invalid{"",     "http://hub", "hub:8082",    "-hub", "hub-",
                                         "a..b", ".hub",       "hub/x",       "hub.", "hub example",
                                         std::string(64, 'a')};
  for (const auto& name : invalid) {
    EXPECT_FALSE(is_valid_host_name(name)) << name;
  }
}

TEST(HostAllowList, LocalNamesAreValidAndIncludeTheHostname) {
  for (const auto& name : local_host_names()) EXPECT_TRUE(is_valid_host_name(name)) << name;
}

}  // namespace
}  // namespace phoenix::hub::http
