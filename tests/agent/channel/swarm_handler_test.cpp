// SwarmHandler reads the hub's command bodies without throwing: a field of the wrong type is
// an invalid_body answer, never an exception on the worker thread (which ended the agent).
// Found by the agent_commands fuzz target.
#include "agent/channel/swarm_actions.hpp"
#include "agent/channel/swarm_handler.hpp"
#include "shared/core/log.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace phoenix::agent {
namespace {

using nlohmann::json;
using protocol::MessageType;

// Runs one command through a SwarmHandler whose dockerd socket does not exist, on a channel
// that never connected, and returns the handler's log lines.
std::vector<std::string> run_command(MessageType type, json body) {
  std::vector<std::string> lines;
  std::mutex mutex;
  log::set_sink([&](log::Level, std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  });
  {
    boost::asio::io_context ioc;
    auto tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    auto connection = std::make_shared<ChannelConnection>(ioc.get_executor(), tls);
    int ids = 0;
    SwarmHandler handler(ioc, "/nonexistent/phoenix-test/docker.sock", [&] { return "a-" + std::to_string(++ids); });
    handler.on_command(connection, protocol::make_message(type, "hub-1", std::move(body)));
    ioc.run();
  }
  log::reset_sink();
  return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& line : lines) {
    if (line.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(SwarmHandler, RemoveNodeWithANonStringNodeIdIsAnInvalidBodyAnswer) {
  const auto lines = run_command(MessageType::swarm_remove_node, {{"node_id", 5}});
  EXPECT_TRUE(has_line(lines, "swarm_remove_node failed: invalid_body")) << ::testing::PrintToString(lines);
}

TEST(SwarmHandler, JoinWithATokenOfAnotherTypeIsAnInvalidBodyAnswer) {
  const auto lines = run_command(MessageType::swarm_join, {{"remote_addrs", {"10.0.0.1:2377"}}, {"join_token", 7}});
  EXPECT_TRUE(has_line(lines, "swarm_join failed: invalid_body")) << ::testing::PrintToString(lines);
}

TEST(ReadSwarmCommand, TakesTheFieldsEachCommandNeeds) {
  const auto join = read_swarm_command(MessageType::swarm_join,
                                       {{"remote_addrs", {"10.0.0.1:2377", 3}}, {"join_token", "SWMTKN-1-x"}});
  ASSERT_TRUE(join) << join.error().to_string();
  EXPECT_EQ(join->remote_addrs, std::vector<std::string>{"10.0.0.1:2377"});
  EXPECT_EQ(join->join_token, "SWMTKN-1-x");
  const auto remove = read_swarm_command(MessageType::swarm_remove_node, {{"node_id", "abc123"}});
  ASSERT_TRUE(remove);
  EXPECT_EQ(remove->node_id, "abc123");
  EXPECT_TRUE(read_swarm_command(MessageType::swarm_leave, json::object()));
}

TEST(ReadSwarmCommand, RefusesMissingAndMistypedFields) {
  for (const json& body : {json::object(), json{{"node_id", nullptr}}, json{{"node_id", json::array()}},
                           json{{"node_id", 1.5}}}) {
    const auto args = read_swarm_command(MessageType::swarm_remove_node, body);
    ASSERT_FALSE(args) << body.dump();
    EXPECT_EQ(args.error().code, "invalid_body");
  }
  EXPECT_FALSE(read_swarm_command(MessageType::swarm_init, json::array()));
}

}  // namespace
}  // namespace phoenix::agent
