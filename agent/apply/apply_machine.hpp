#pragma once
// The decisions of `phoenix-agent docker apply`, as a sans-io state machine (the shape of
// Boost.MySQL's sansio algorithms): the machine says which action comes next, the executor
// performs it and reports the outcome, the machine moves on. It never touches a file, a
// process or a socket, so every transition and every crash-resume decision is unit-tested.
//
// Forward path (each step name is what has been *completed* and is journaled atomically
// before the next action starts):
//
//   begun --stage--> staged --backup--> swapping --swap--> swapped --restart--> restarted
//     --verify_new--> verified --write_contexts--> contexts_written --verify_contexts-->
//     contexts_verified --commit--> committed (terminal, success)
//
// "swapping" is journaled *before* the first live file changes: from then on a crash may
// have left a mix of old and new on disk, so recovery must restore the backups.
//
// Failure before swapping (bad disk, full disk while staging): nothing live was touched, so
//   aborted --discard--> discarded (terminal, failure): the staged set and backups go away.
// Failure from swapping up to contexts_written (swap, restart, verify, contexts):
//   rolling_back --restore--> restored --restart_old--> old_restarted --verify_old-->
//   rolled_back --discard--> discarded (terminal, failure; dockerd serves the old set).
// A failure while rolling back ends in rollback_failed (terminal): the journal is kept and
// the next run (or agent start-up) tries the rollback again.
//
// Resume after a crash (`resume(step)`), the documented choice:
//   - begun, staged, aborted            -> discard: nothing live changed, the old set serves.
//   - swapping, swapped, restarted      -> roll back: the new set was never seen working, so
//                                          the only set known to be good is the old one.
//   - verified, contexts_written        -> roll forward: dockerd served the new set with the
//                                          new client cert; finish the contexts, verify them
//                                          (a failure there still rolls back).
//   - contexts_verified, committed      -> commit (idempotent: prune, drop the journal).
//   - rolling_back, restored, rollback_failed -> restore again (idempotent), restart, verify old.
//   - old_restarted                     -> verify old again.
//   - rolled_back                       -> discard.
// Every path ends with dockerd restarted on one complete set, old or new, never a mix.
#include <optional>
#include <string>
#include <string_view>

namespace phoenix::agent::apply {

enum class Step {
  unknown,  // first on purpose: an unreadable step name maps here and is refused
  begun,
  staged,
  swapping,
  swapped,
  restarted,
  verified,
  contexts_written,
  contexts_verified,
  committed,
  aborted,
  rolling_back,
  restored,
  old_restarted,
  rolled_back,
  rollback_failed,
  discarded,
};

enum class Action {
  none,  // terminal: nothing left to do
  stage,
  backup,
  swap,
  restart,
  verify_new,
  write_contexts,
  verify_contexts,
  commit,
  restore,
  restart_old,
  verify_old,
  discard,
};

std::string_view to_string(Step step);
std::string_view to_string(Action action);
Step step_from_string(std::string_view name);  // Step::unknown for anything else

// Why an apply did not end on the new set. Kept in the journal so a run that resumes a
// crashed one can report what happened.
struct Failure {
  std::string code;
  std::string message;
  friend bool operator==(const Failure&, const Failure&) = default;
};

class ApplyMachine {
 public:
  // A fresh apply starts at `begun` (the journal is written before staging).
  ApplyMachine() = default;
  // Continue from a journaled step as recorded (no crash decision): used by `resume`.
  ApplyMachine(Step step, std::optional<Failure> failure);

  // The crash-recovery decision for a journal found at start-up; see the table above.
  // An unknown step is treated like `swapping` (roll back): the safe choice whenever the
  // live files may have been touched.
  static ApplyMachine resume(Step journaled_step, std::optional<Failure> failure);

  Action next_action() const;

  // Reports the outcome of the action next_action() returned. On failure `error` says why
  // (the first failure is kept; a later one during rollback is appended to its message).
  void on_success(Action action);
  void on_failure(Action action, Failure error);

  // The journal could not record the step just reached: without it a crash could not be
  // recovered, so a forward run stops here. Before the swap (begun, staged, swapping: the
  // live files are still untouched) it aborts; after it, it rolls back. A rollback goes on
  // (it is already heading to the one known-good state).
  void on_journal_failure(Failure error);

  Step step() const { return step_; }
  const std::optional<Failure>& failure() const { return failure_; }
  bool finished() const { return next_action() == Action::none; }
  bool succeeded() const { return step_ == Step::committed; }
  // Whether the step after the last transition must be written to the journal. Terminal
  // success/discard delete the journal as part of their action, so nothing is written then.
  bool journal_needed() const;
  // True once live files may differ from the backups (rollback rather than discard).
  static bool live_may_have_changed(Step step);

 private:
  void fail_to(Step step, Failure error);

  Step step_ = Step::begun;
  std::optional<Failure> failure_;
};

}  // namespace phoenix::agent::apply
