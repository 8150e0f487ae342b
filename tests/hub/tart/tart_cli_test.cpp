#include "hub/tart/tart_cli.hpp"

#include "shared/process/fake_process_runner.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

using process::FakeProcessRunner;
using Argv = std::vector<std::string>;
using namespace std::chrono_literals;

const std::string kTart = "/opt/tart/bin/tart";

struct TartCliTest : ::testing::Test {
  TartCliTest() {
    config.tart_path = kTart;
    config.call_timeout = 7s;
    config.extra_env = {{"TART_HOME", "/tmp/th"}};
    fake->set_before_run([this](const process::RunOptions& o) {
      last_timeout = o.timeout;
      last_env = o.extra_env;
    });
  }
  TartConfig config;
  std::shared_ptr<FakeProcessRunner> fake = std::make_shared<FakeProcessRunner>();
  std::chrono::milliseconds last_timeout{0};
  std::vector<std::pair<std::string, std::string>> last_env;
  TartCli cli() { return TartCli(config, fake); }
};

TEST_F(TartCliTest, ListAsksForLocalJsonWithTheCallDeadline) {
  fake->on({kTart, "list", "--format", "json", "--source", "local"},
           FakeProcessRunner::exited(0, R"([{"Name":"vm1","Source":"local","State":"stopped"}])"));
  auto vms = cli().list();
  ASSERT_TRUE(vms);
  ASSERT_EQ(vms->size(), 1u);
  EXPECT_EQ(last_timeout, 7s);
  EXPECT_EQ(last_env, config.extra_env);
}

TEST_F(TartCliTest, GetStopIpArgv) {
  fake->on({kTart, "get", "vm1", "--format", "json"},
           FakeProcessRunner::exited(0, R"({"Running":true,"State":"running"})"));
  fake->on({kTart, "stop", "vm1", "--timeout", "30"}, FakeProcessRunner::exited(0));
  fake->on({kTart, "ip", "vm1", "--wait", "5"}, FakeProcessRunner::exited(0, "192.168.64.3\n"));
  fake->on({kTart, "ip", "vm1", "--wait", "600"}, FakeProcessRunner::exited(0, "192.168.64.3\n"));
  fake->on({kTart, "ip", "vm1", "--wait", "0"}, FakeProcessRunner::exited(0, "  10.0.0.9 \nextra\n"));

  auto vm = cli().get("vm1");
  ASSERT_TRUE(vm);
  EXPECT_EQ(vm->name, "vm1");
  EXPECT_TRUE(vm->running);

  EXPECT_TRUE(cli().stop("vm1", 30s));
  EXPECT_EQ(last_timeout, 37s);  // tart's own --timeout plus the call deadline

  EXPECT_EQ(cli().ip("vm1", 5).value(), "192.168.64.3");
  EXPECT_EQ(last_timeout, 12s);
  EXPECT_EQ(cli().ip("vm1", 100000).value(), "192.168.64.3");  // clamped
  EXPECT_EQ(cli().ip("vm1", -4).value(), "10.0.0.9");           // clamped, first line, trimmed

  EXPECT_EQ(cli().run_argv("vm1").value(), (Argv{kTart, "run", "vm1", "--no-graphics"}));
}

TEST_F(TartCliTest, InvalidNamesNeverReachTart) {
  for (const std::string& name : std::vector<std::string>{"../x", "a;id", "-rf", "$(id)", "", std::string(200, 'a')}) {
    EXPECT_EQ(cli().get(name).error().code, "invalid_name") << name;
    EXPECT_EQ(cli().stop(name, 1s).error().code, "invalid_name");
    EXPECT_EQ(cli().ip(name, 1).error().code, "invalid_name");
    EXPECT_EQ(cli().run_argv(name).error().code, "invalid_name");
  }
  EXPECT_TRUE(fake->calls().empty());
}

TEST_F(TartCliTest, MapsTartErrors) {
  fake->on({kTart, "get", "nope", "--format", "json"},
           FakeProcessRunner::exited(2, "", "the specified VM \"nope\" does not exist\n"));
  fake->on({kTart, "stop", "vm1", "--timeout", "30"},
           FakeProcessRunner::exited(2, "", "VM \"vm1\" is not running\n"));
  fake->on({kTart, "ip", "vm1", "--wait", "0"},
           FakeProcessRunner::exited(1, "", "no IP address found, is your VM running?\n"));
  EXPECT_EQ(cli().get("nope").error().code, "vm_not_found");
  EXPECT_EQ(cli().stop("vm1", 30s).error().code, "not_running");
  auto ip = cli().ip("vm1", 0);
  EXPECT_EQ(ip.error().code, "driver_failed");
  EXPECT_EQ(ip.error().message, "no IP address found, is your VM running?");
}

TEST_F(TartCliTest, TimeoutsSpawnFailuresGarbageAndOversizedOutput) {
  auto timed_out = FakeProcessRunner::exited(143);
  timed_out.timed_out = true;
  fake->on({kTart, "list", "--format", "json", "--source", "local"}, timed_out);
  EXPECT_EQ(cli().list().error().code, "driver_timeout");

  fake->on({kTart, "get", "vm1", "--format", "json"}, make_error("not_found", "no tart"));
  auto missing = cli().get("vm1");
  EXPECT_EQ(missing.error().code, "driver_failed");
  EXPECT_NE(missing.error().message.find("no tart"), std::string::npos);

  fake->on({kTart, "get", "vm2", "--format", "json"}, FakeProcessRunner::exited(0, "garbage"));
  EXPECT_EQ(cli().get("vm2").error().code, "driver_failed");

  auto huge = FakeProcessRunner::exited(0, "[]");
  huge.truncated = true;
  fake->on({kTart, "get", "vm3", "--format", "json"}, huge);
  EXPECT_EQ(cli().get("vm3").error().code, "driver_failed");

  fake->on({kTart, "ip", "vm1", "--wait", "1"}, FakeProcessRunner::exited(0, "\n"));
  EXPECT_EQ(cli().ip("vm1", 1).error().code, "driver_failed");
}

}  // namespace
}  // namespace phoenix::hub
