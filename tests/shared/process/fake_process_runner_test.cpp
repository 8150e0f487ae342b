#include "shared/process/fake_process_runner.hpp"

#include <gtest/gtest.h>

namespace phoenix::process {
namespace {

RunOptions argv(std::vector<std::string> args) {
  RunOptions options;
  options.argv = std::move(args);
  return options;
}

TEST(FakeProcessRunner, AnswersByExactArgvAndRecordsCalls) {
  FakeProcessRunner fake;
  fake.on({"/bin/tool", "a"}, FakeProcessRunner::exited(0, "first"));
  fake.on({"/bin/tool", "a"}, FakeProcessRunner::exited(1, "", "second"));
  EXPECT_EQ(fake.run(argv({"/bin/tool", "a"}))->out, "first");
  EXPECT_EQ(fake.run(argv({"/bin/tool", "a"}))->err, "second");
  EXPECT_EQ(fake.run(argv({"/bin/tool", "a"}))->exit_code, 1);  // the last one sticks
  auto unscripted = fake.run(argv({"/bin/tool", "b"}));
  ASSERT_FALSE(unscripted);
  EXPECT_EQ(unscripted.error().code, "not_found");
  EXPECT_EQ(fake.calls().size(), 4u);
  EXPECT_EQ(fake.count_calls({"/bin/tool", "a"}), 3u);
  EXPECT_EQ(fake.count_calls({"/bin/tool"}), 4u);
}

TEST(FakeProcessRunner, ScriptedErrorsAndFallback) {
  FakeProcessRunner fake;
  fake.on({"/x"}, make_error("spawn_failed", "nope"));
  EXPECT_EQ(fake.run(argv({"/x"})).error().code, "spawn_failed");
  fake.set_fallback([](const RunOptions& o) -> Result<RunResult> {
    return FakeProcessRunner::exited(7, o.argv.back());
  });
  EXPECT_EQ(fake.run(argv({"/y", "z"}))->out, "z");
}

TEST(FakeProcessRunner, BeforeRunHookSeesEveryCall) {
  FakeProcessRunner fake;
  int seen = 0;
  fake.set_before_run([&](const RunOptions&) { ++seen; });
  fake.on({"/x"}, FakeProcessRunner::exited(0));
  fake.run(argv({"/x"}));
  fake.run(argv({"/x"}));
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace phoenix::process
