#include "agent/apply/apply_machine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace phoenix::agent::apply {
namespace {

// Drives the machine, succeeding every action except `fail_at`; returns the actions taken.
std::vector<Action> drive(ApplyMachine& m, std::optional<Action> fail_at = {}) {
  std::vector<Action> actions;
  for (int guard = 0; guard < 40 && !m.finished(); ++guard) {
    const Action a = m.next_action();
    actions.push_back(a);
    if (fail_at && a == *fail_at) {
      m.on_failure(a, Failure{"boom", "failed " + std::string(to_string(a))});
      fail_at.reset();
    } else {
      m.on_success(a);
    }
  }
  return actions;
}

TEST(ApplyMachine, HappyPathVisitsEveryStepInOrder) {
  ApplyMachine m;
  EXPECT_EQ(m.step(), Step::begun);
  const auto actions = drive(m);
  EXPECT_EQ(actions, (std::vector<Action>{Action::stage, Action::backup, Action::swap, Action::restart,
                                          Action::verify_new, Action::write_contexts, Action::verify_contexts,
                                          Action::commit}));
  EXPECT_TRUE(m.succeeded());
  EXPECT_FALSE(m.failure());
  EXPECT_FALSE(m.journal_needed());
}

TEST(ApplyMachine, EachForwardStepIsTheOneJournaled) {
  ApplyMachine m;
  const std::vector<Step> expected{Step::staged, Step::swapping, Step::swapped, Step::restarted,
                                   Step::verified, Step::contexts_written, Step::contexts_verified};
  for (Step s : expected) {
    m.on_success(m.next_action());
    EXPECT_EQ(m.step(), s);
    EXPECT_TRUE(m.journal_needed()) << to_string(s);
  }
}

class FailureBeforeSwap : public ::testing::TestWithParam<Action> {};

TEST_P(FailureBeforeSwap, DiscardsWithoutTouchingLiveFiles) {
  ApplyMachine m;
  const auto actions = drive(m, GetParam());
  EXPECT_EQ(actions.back(), Action::discard);
  for (Action a : actions) {
    EXPECT_NE(a, Action::swap);
    EXPECT_NE(a, Action::restore);
    EXPECT_NE(a, Action::restart_old);
  }
  EXPECT_EQ(m.step(), Step::discarded);
  EXPECT_FALSE(m.succeeded());
  ASSERT_TRUE(m.failure());
  EXPECT_EQ(m.failure()->code, "boom");
}

INSTANTIATE_TEST_SUITE_P(Steps, FailureBeforeSwap, ::testing::Values(Action::stage, Action::backup));

class FailureAfterSwap : public ::testing::TestWithParam<Action> {};

TEST_P(FailureAfterSwap, RollsBackRestartsVerifiesOldThenDiscards) {
  ApplyMachine m;
  auto actions = drive(m, GetParam());
  ASSERT_GE(actions.size(), 4u);
  const std::vector<Action> tail(actions.end() - 4, actions.end());
  EXPECT_EQ(tail, (std::vector<Action>{Action::restore, Action::restart_old, Action::verify_old, Action::discard}));
  EXPECT_EQ(m.step(), Step::discarded);
  EXPECT_FALSE(m.succeeded());
  ASSERT_TRUE(m.failure());
  EXPECT_EQ(m.failure()->message, "failed " + std::string(to_string(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(Steps, FailureAfterSwap,
                         ::testing::Values(Action::swap, Action::restart, Action::verify_new,
                                           Action::write_contexts, Action::verify_contexts));

class FailureWhileRollingBack : public ::testing::TestWithParam<Action> {};

TEST_P(FailureWhileRollingBack, StopsAtRollbackFailedAndKeepsBothReasons) {
  ApplyMachine m;
  m.on_success(Action::stage);
  m.on_success(Action::backup);
  m.on_success(Action::swap);
  m.on_failure(Action::restart, Failure{"restart_failed", "exit 1"});
  while (m.next_action() != GetParam()) m.on_success(m.next_action());
  m.on_failure(GetParam(), Failure{"again", "still broken"});
  EXPECT_EQ(m.step(), Step::rollback_failed);
  EXPECT_TRUE(m.finished());
  EXPECT_TRUE(m.journal_needed());  // the next run must retry the rollback
  EXPECT_EQ(m.failure()->code, "restart_failed");
  EXPECT_NE(m.failure()->message.find("again: still broken"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Steps, FailureWhileRollingBack,
                         ::testing::Values(Action::restore, Action::restart_old, Action::verify_old));

TEST(ApplyMachine, CommitAndDiscardFailuresAreHousekeepingOnly) {
  ApplyMachine m(Step::contexts_verified, std::nullopt);
  m.on_failure(Action::commit, Failure{"io_error", "prune"});
  EXPECT_TRUE(m.succeeded());
  ApplyMachine d(Step::rolled_back, Failure{"x", "y"});
  d.on_failure(Action::discard, Failure{"io_error", "rm"});
  EXPECT_EQ(d.step(), Step::discarded);
  EXPECT_EQ(d.failure()->code, "x");
}

TEST(ApplyMachine, CompletingTheWrongActionIsAProgrammingError) {
  ApplyMachine m;
  EXPECT_THROW(m.on_success(Action::swap), std::logic_error);
  EXPECT_THROW(m.on_failure(Action::commit, Failure{}), std::logic_error);
}

struct ResumeCase {
  Step journaled;
  Action first_action;
  bool ends_on_new_set;
};

class Resume : public ::testing::TestWithParam<ResumeCase> {};

TEST_P(Resume, DecidesFromTheJournaledStep) {
  const auto c = GetParam();
  auto m = ApplyMachine::resume(c.journaled, std::nullopt);
  EXPECT_EQ(m.next_action(), c.first_action) << to_string(c.journaled);
  const auto actions = drive(m);
  EXPECT_EQ(m.succeeded(), c.ends_on_new_set) << to_string(c.journaled);
  if (!c.ends_on_new_set) {
    ASSERT_TRUE(m.failure());
    EXPECT_EQ(m.failure()->code, "interrupted");
  }
  // Whatever happened, a resumed run that touched live files restarts dockerd on one set.
  if (ApplyMachine::live_may_have_changed(c.journaled) && !c.ends_on_new_set &&
      c.journaled != Step::rolled_back && c.journaled != Step::old_restarted) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), Action::restart_old), actions.end());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Steps, Resume,
    ::testing::Values(ResumeCase{Step::begun, Action::discard, false},
                      ResumeCase{Step::staged, Action::discard, false},
                      ResumeCase{Step::aborted, Action::discard, false},
                      ResumeCase{Step::swapping, Action::restore, false},
                      ResumeCase{Step::swapped, Action::restore, false},
                      ResumeCase{Step::restarted, Action::restore, false},
                      ResumeCase{Step::unknown, Action::restore, false},
                      ResumeCase{Step::verified, Action::write_contexts, true},
                      ResumeCase{Step::contexts_written, Action::verify_contexts, true},
                      ResumeCase{Step::contexts_verified, Action::commit, true},
                      ResumeCase{Step::rolling_back, Action::restore, false},
                      ResumeCase{Step::restored, Action::restore, false},
                      ResumeCase{Step::rollback_failed, Action::restore, false},
                      ResumeCase{Step::old_restarted, Action::verify_old, false},
                      ResumeCase{Step::rolled_back, Action::discard, false}));

TEST(ApplyMachine, ResumeKeepsTheOriginalFailure) {
  auto m = ApplyMachine::resume(Step::restored, Failure{"verify_failed", "wrong serial"});
  EXPECT_EQ(m.failure()->code, "verify_failed");
  auto fresh = ApplyMachine::resume(Step::swapped, std::nullopt);
  EXPECT_EQ(fresh.failure()->code, "interrupted");
}

TEST(ApplyMachine, RolledForwardResumeCanStillRollBack) {
  auto m = ApplyMachine::resume(Step::contexts_written, std::nullopt);
  m.on_failure(Action::verify_contexts, Failure{"context_verify_failed", "ping"});
  EXPECT_EQ(m.next_action(), Action::restore);
}

TEST(ApplyMachine, AnUnwritableJournalStopsAForwardRun) {
  ApplyMachine before;
  before.on_success(Action::stage);
  before.on_success(Action::backup);  // at `swapping`: the swap has not started
  before.on_journal_failure(Failure{"journal_unwritable", "disk full"});
  EXPECT_EQ(before.next_action(), Action::discard);
  ApplyMachine after(Step::restarted, std::nullopt);
  after.on_journal_failure(Failure{"journal_unwritable", "disk full"});
  EXPECT_EQ(after.next_action(), Action::restore);
  ApplyMachine rolling(Step::restored, Failure{"x", "y"});
  rolling.on_journal_failure(Failure{"journal_unwritable", "disk full"});
  EXPECT_EQ(rolling.next_action(), Action::restart_old);
}

TEST(ApplyMachine, StepNamesRoundTrip) {
  for (int i = 1; i <= static_cast<int>(Step::discarded); ++i) {
    const auto s = static_cast<Step>(i);
    EXPECT_EQ(step_from_string(to_string(s)), s);
  }
  EXPECT_EQ(step_from_string("swapped "), Step::unknown);
  EXPECT_EQ(step_from_string(""), Step::unknown);
}

}  // namespace
}  // namespace phoenix::agent::apply
