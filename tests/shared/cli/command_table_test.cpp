#include "shared/cli/command_table.hpp"

#include <gtest/gtest.h>

namespace phoenix::cli {
namespace {

int run(const std::vector<Command>& commands, std::vector<std::string> words) {
  std::vector<char*> argv;
  std::string program = "prog";
  argv.push_back(program.data());
  for (auto& w : words) argv.push_back(w.data());
  return dispatch("prog", "test", commands, static_cast<int>(argv.size()), argv.data());
}

TEST(CommandTable, DispatchesTwoWordCommandsWithTheirArguments) {
  std::vector<std::string> seen;
  std::vector<Command> commands = {
      {"token create", "make a token", [&](const std::vector<std::string>& a) { seen = a; return 7; }},
      {"token", "other", [](const std::vector<std::string>&) { return 1; }},
  };
  EXPECT_EQ(run(commands, {"token", "create", "--vm", "vm1"}), 7);
  EXPECT_EQ(seen, (std::vector<std::string>{"--vm", "vm1"}));
}

TEST(CommandTable, UnknownCommandIsAUsageError) {
  std::vector<Command> commands = {{"serve", "x", [](const std::vector<std::string>&) { return 0; }}};
  EXPECT_EQ(run(commands, {"srve"}), 2);
  EXPECT_EQ(run(commands, {}), 2);
  EXPECT_EQ(run(commands, {"--help"}), 0);
  EXPECT_EQ(run(commands, {"--version"}), 0);
}

TEST(CommandTable, ParseOptionsReportsHelpAndErrors) {
  namespace po = boost::program_options;
  po::options_description options("Options");
  options.add_options()("vm", po::value<std::string>()->required(), "VM name");
  po::variables_map vm1, vm2, vm3;
  EXPECT_EQ(parse_options("x", options, {"--help"}, vm1), 0);
  EXPECT_EQ(parse_options("x", options, {"--bogus"}, vm2), 2);
  EXPECT_EQ(parse_options("x", options, {"--vm", "a"}, vm3), -1);
  EXPECT_EQ(vm3["vm"].as<std::string>(), "a");
}

}  // namespace
}  // namespace phoenix::cli
