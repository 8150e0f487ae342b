// The hub.json that `phoenix-hub init` writes must be one `phoenix-hub serve` accepts
// (its loader refuses unknown keys), and must keep the API on loopback; the write token
// init puts in it is one serve accepts and checks.
#include "hub/admin/hub_init.hpp"
#include "hub/api/hub_config.hpp"
#include "shared/config/config_object.hpp"
#include "shared/fs/fake_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

TEST(DefaultHubConfig, IsAcceptedByServe) {
  fs::FakeFileSystem fs;
  ASSERT_TRUE(fs.write_file_atomic("/etc/phoenix/hub.json", default_hub_config("hyper.example")));
  api::ServeFlags flags;
  flags.config = "/etc/phoenix/hub.json";
  api::HubConfig config;
  ASSERT_NO_THROW(config = api::load_hub_config(fs, flags));
  EXPECT_EQ(config.api_listen.to_string(), "127.0.0.1:8082");
  EXPECT_TRUE(config.api_tokens.empty());
  EXPECT_EQ(config.driver, "tart");
  EXPECT_TRUE(api::check_api_exposure(config));
}

TEST(DefaultHubConfig, WithAnInitTokenServeRequiresItForWrites) {
  fs::FakeFileSystem fs;
  const std::string token(64, 'a');
  ASSERT_TRUE(fs.write_file_atomic("/etc/phoenix/hub.json", default_hub_config("hyper.example", token)));
  api::ServeFlags flags;
  flags.config = "/etc/phoenix/hub.json";
  api::HubConfig config;
  ASSERT_NO_THROW(config = api::load_hub_config(fs, flags));
  ASSERT_EQ(config.api_tokens.size(), 1u);
  EXPECT_EQ(config.api_tokens[0].role, http::Role::write);
  const http::TokenAuth auth(config.api_tokens);
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(auth.authenticate("Bearer " + token), http::Role::write);
  EXPECT_FALSE(auth.authenticate("Bearer " + std::string(64, 'b')));
}

}  // namespace
}  // namespace phoenix::hub
