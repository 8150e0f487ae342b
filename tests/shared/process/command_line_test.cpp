#include "shared/process/command_line.hpp"

#include <gtest/gtest.h>

namespace phoenix::process {
namespace {

using Words = std::vector<std::string>;

TEST(SplitCommandLine, SplitsOnWhitespace) {
  EXPECT_EQ(split_command_line("systemctl restart docker").value(),
            (Words{"systemctl", "restart", "docker"}));
  EXPECT_EQ(split_command_line("  /bin/a\t b \n").value(), (Words{"/bin/a", "b"}));
}

TEST(SplitCommandLine, QuotesGroupWords) {
  EXPECT_EQ(split_command_line("sh -c 'echo a; b'").value(), (Words{"sh", "-c", "echo a; b"}));
  EXPECT_EQ(split_command_line("x \"two words\" '' \"\"").value(),
            (Words{"x", "two words", "", ""}));
  EXPECT_EQ(split_command_line("a\"b c\"d").value(), (Words{"ab cd"}));
  EXPECT_EQ(split_command_line(R"(x "say \"hi\" \\")").value(), (Words{"x", R"(say "hi" \)"}));
  EXPECT_EQ(split_command_line(R"(x 'no \escape')").value(), (Words{"x", R"(no \escape)"}));
  EXPECT_EQ(split_command_line(R"(a\ b)").value(), (Words{"a b"}));
}

TEST(SplitCommandLine, ShellSyntaxIsJustText) {
  EXPECT_EQ(split_command_line("echo $(id) | cat > /tmp/x; rm *").value(),
            (Words{"echo", "$(id)", "|", "cat", ">", "/tmp/x;", "rm", "*"}));
}

TEST(SplitCommandLine, RefusesBrokenInput) {
  EXPECT_EQ(split_command_line("a 'b").error().code, "invalid_command");
  EXPECT_EQ(split_command_line("a \"b").error().code, "invalid_command");
  EXPECT_EQ(split_command_line("a \\").error().code, "invalid_command");
  EXPECT_EQ(split_command_line("").error().code, "invalid_command");
  EXPECT_EQ(split_command_line("   ").error().code, "invalid_command");
}

}  // namespace
}  // namespace phoenix::process
