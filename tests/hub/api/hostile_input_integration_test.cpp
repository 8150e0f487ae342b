// The real `phoenix-hub serve` against a tart that prints bytes no honest tart prints: a VM
// name that is not UTF-8 in `tart list`, and stderr with invalid UTF-8 and a newline. Before
// the crash boundaries, serialising such a name threw out of the io loop and ended the hub.
#include "tests/hub/api/support/hub_process.hpp"
#include "tests/hub/http/support/http_test_client.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

namespace phoenix::test {
namespace {

using namespace std::chrono_literals;

// A tart that lists one VM with a name that is not UTF-8 (byte 0xFF) beside a good one, and
// fails every other command with hostile bytes on stderr.
constexpr const char* kHostileTart = R"(#!/bin/sh
case "$1" in
  list) printf '[{"Source":"local","Name":"vm\377","Running":false,"State":"stopped"},{"Source":"local","Name":"vm2","Running":true,"State":"running"}]\n' ;;
  get) printf '{"OS":"linux\377","CPU":2,"Memory":2048,"Disk":20,"Size":"1.5","Running":true,"State":"running"}\n' ;;
  *) printf 'bad \377 name\nforged line\n' >&2; exit 1 ;;
esac
)";

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(state_);
    ASSERT_EQ(init_hub_state(state_, dir_.path() + "/init-hub.json"), 0);
    write_text_file(tart_, kHostileTart);
    std::filesystem::permissions(tart_, std::filesystem::perms::owner_all);
    hub_ = std::make_unique<HubProcess>(
        std::vector<std::string>{"--api-listen", "127.0.0.1:0", "--agent-listen", "127.0.0.1:0", "--state-dir",
                                 state_, "--tart", tart_},
        Env{}, dir_.path() + "/hub.log");
    ASSERT_TRUE(hub_->ready()) << hub_->log();
  }
  void TearDown() override {
    if (hub_ && HasFailure()) std::cerr << "--- hub log ---\n" << hub_->log();
    hub_.reset();
  }

  HttpReply call(const std::string& method, const std::string& target) {
    return http_call(hub_->port(), method, target, {}, {}, 30s);
  }

  TempDir dir_;
  std::string state_ = dir_.path() + "/state";
  std::string tart_ = dir_.path() + "/tart";
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(HostileInputTest, TartListThatIsNotUtf8CostsOnlyTheBadEntry) {
  for (int i = 0; i < 3; ++i) {  // again and again, as a broken tart would
    const auto vms = call("GET", "/vms");
    ASSERT_EQ(vms.status, 200) << vms.failure << vms.body;
    const auto list = nlohmann::json::parse(vms.body);
    ASSERT_EQ(list.size(), 1u) << vms.body;
    EXPECT_EQ(list[0]["name"], "vm2");
  }
  const auto vm = call("GET", "/vms/vm2");
  ASSERT_EQ(vm.status, 200) << vm.body;
  EXPECT_FALSE(nlohmann::json::parse(vm.body, nullptr, false).is_discarded()) << vm.body;  // valid UTF-8 JSON
  EXPECT_EQ(call("GET", "/health").status, 200);
}

TEST_F(HostileInputTest, TartErrorsWithHostileBytesAreEscapedAndTheHubServesOn) {
  const auto stopped = call("POST", "/vms/vm2/stop");
  ASSERT_EQ(stopped.status, 502) << stopped.failure << stopped.body;
  const auto body = nlohmann::json::parse(stopped.body);
  const std::string message = body["error"]["message"];
  EXPECT_NE(message.find("bad \\xff name\\x0aforged line"), std::string::npos) << message;
  EXPECT_EQ(call("GET", "/health").status, 200);
  EXPECT_TRUE(hub_->wait_exit(0ms) < 0) << "the hub exited";
}

}  // namespace
}  // namespace phoenix::test
