#include "agent/apply/apply_machine.hpp"

#include <array>
#include <stdexcept>
#include <utility>

namespace phoenix::agent::apply {
namespace {

constexpr std::array<std::pair<Step, std::string_view>, 17> kStepNames{{
    {Step::unknown, "unknown"},
    {Step::begun, "begun"},
    {Step::staged, "staged"},
    {Step::swapping, "swapping"},
    {Step::swapped, "swapped"},
    {Step::restarted, "restarted"},
    {Step::verified, "verified"},
    {Step::contexts_written, "contexts_written"},
    {Step::contexts_verified, "contexts_verified"},
    {Step::committed, "committed"},
    {Step::aborted, "aborted"},
    {Step::rolling_back, "rolling_back"},
    {Step::restored, "restored"},
    {Step::old_restarted, "old_restarted"},
    {Step::rolled_back, "rolled_back"},
    {Step::rollback_failed, "rollback_failed"},
    {Step::discarded, "discarded"},
}};

}  // namespace

std::string_view to_string(Step step) {
  for (const auto& [value, name] : kStepNames) {
    if (value == step) return name;
  }
  return "unknown";
}

Step step_from_string(std::string_view name) {
  for (const auto& [value, text] : kStepNames) {
    if (text == name) return value;
  }
  return Step::unknown;
}

std::string_view to_string(Action action) {
  switch (action) {
    case Action::none: return "none";
    case Action::stage: return "stage";
    case Action::backup: return "backup";
    case Action::swap: return "swap";
    case Action::restart: return "restart";
    case Action::verify_new: return "verify_new";
    case Action::write_contexts: return "write_contexts";
    case Action::verify_contexts: return "verify_contexts";
    case Action::commit: return "commit";
    case Action::restore: return "restore";
    case Action::restart_old: return "restart_old";
    case Action::verify_old: return "verify_old";
    case Action::discard: return "discard";
  }
  return "none";
}

ApplyMachine::ApplyMachine(Step step, std::optional<Failure> failure)
    : step_(step), failure_(std::move(failure)) {}

ApplyMachine ApplyMachine::resume(Step journaled_step, std::optional<Failure> failure) {
  auto interrupted = [&](std::string message) {
    // Keep the original failure if the crashed run was already handling one.
    if (failure) return *failure;
    return Failure{"interrupted", std::move(message)};
  };
  switch (journaled_step) {
    case Step::begun:
    case Step::staged:
    case Step::aborted:
      return ApplyMachine(Step::aborted,
                          interrupted("a previous apply stopped before the swap; the old set was kept"));
    case Step::verified:
    case Step::contexts_written:
    case Step::contexts_verified:
    case Step::committed:
      return ApplyMachine(journaled_step, std::move(failure));
    case Step::old_restarted:
    case Step::rolled_back:
      return ApplyMachine(journaled_step, interrupted("a previous apply stopped while rolling back"));
    case Step::rolling_back:
    case Step::restored:
    case Step::rollback_failed:
      return ApplyMachine(Step::rolling_back, interrupted("a previous apply stopped while rolling back"));
    case Step::discarded:
      // Never journaled (discard deletes the journal); if one says so, finish the discard.
      return ApplyMachine(Step::rolled_back, interrupted("a previous apply stopped while discarding"));
    case Step::unknown:
    case Step::swapping:
    case Step::swapped:
    case Step::restarted:
      break;
  }
  return ApplyMachine(Step::rolling_back,
                      interrupted("a previous apply stopped after the swap, before dockerd was verified "
                                  "on the new set; rolled back to the previous set"));
}

Action ApplyMachine::next_action() const {
  switch (step_) {
    case Step::begun: return Action::stage;
    case Step::staged: return Action::backup;
    case Step::swapping: return Action::swap;
    case Step::swapped: return Action::restart;
    case Step::restarted: return Action::verify_new;
    case Step::verified: return Action::write_contexts;
    case Step::contexts_written: return Action::verify_contexts;
    case Step::contexts_verified: return Action::commit;
    case Step::aborted: return Action::discard;
    case Step::rolling_back: return Action::restore;
    case Step::restored: return Action::restart_old;
    case Step::old_restarted: return Action::verify_old;
    case Step::rolled_back: return Action::discard;
    case Step::committed:
    case Step::rollback_failed:
    case Step::discarded:
    case Step::unknown: return Action::none;
  }
  return Action::none;
}

void ApplyMachine::on_success(Action action) {
  if (action != next_action()) {
    throw std::logic_error("ApplyMachine: completed " + std::string(to_string(action)) + " at step " +
                           std::string(to_string(step_)));
  }
  switch (action) {
    case Action::stage: step_ = Step::staged; break;
    case Action::backup: step_ = Step::swapping; break;
    case Action::swap: step_ = Step::swapped; break;
    case Action::restart: step_ = Step::restarted; break;
    case Action::verify_new: step_ = Step::verified; break;
    case Action::write_contexts: step_ = Step::contexts_written; break;
    case Action::verify_contexts: step_ = Step::contexts_verified; break;
    case Action::commit: step_ = Step::committed; break;
    case Action::restore: step_ = Step::restored; break;
    case Action::restart_old: step_ = Step::old_restarted; break;
    case Action::verify_old: step_ = Step::rolled_back; break;
    case Action::discard: step_ = Step::discarded; break;
    case Action::none: break;
  }
}

void ApplyMachine::on_failure(Action action, Failure error) {
  if (action != next_action()) {
    throw std::logic_error("ApplyMachine: failed " + std::string(to_string(action)) + " at step " +
                           std::string(to_string(step_)));
  }
  switch (action) {
    case Action::stage:
    case Action::backup:
      fail_to(Step::aborted, std::move(error));
      break;
    case Action::swap:
    case Action::restart:
    case Action::verify_new:
    case Action::write_contexts:
    case Action::verify_contexts:
      fail_to(Step::rolling_back, std::move(error));
      break;
    case Action::restore:
    case Action::restart_old:
    case Action::verify_old:
      fail_to(Step::rollback_failed, std::move(error));
      break;
    case Action::commit:
      // dockerd verifiably serves the new set and the contexts work; a leftover old set
      // or journal is housekeeping, not a failed apply. The executor logs it.
      step_ = Step::committed;
      break;
    case Action::discard:
      step_ = Step::discarded;  // leftovers are harmless; the outcome is already a failure
      break;
    case Action::none:
      break;
  }
}

void ApplyMachine::fail_to(Step step, Failure error) {
  if (!failure_) {
    failure_ = std::move(error);
  } else {
    failure_->message += "; then " + error.code + ": " + error.message;
  }
  step_ = step;
}

void ApplyMachine::on_journal_failure(Failure error) {
  switch (step_) {
    case Step::begun:
    case Step::staged:
    case Step::swapping:
      fail_to(Step::aborted, std::move(error));
      break;
    case Step::swapped:
    case Step::restarted:
    case Step::verified:
    case Step::contexts_written:
    case Step::contexts_verified:
      fail_to(Step::rolling_back, std::move(error));
      break;
    default:
      break;
  }
}

bool ApplyMachine::journal_needed() const {
  return step_ != Step::committed && step_ != Step::discarded;
}

bool ApplyMachine::live_may_have_changed(Step step) {
  switch (step) {
    case Step::unknown:
    case Step::begun:
    case Step::staged:
    case Step::aborted:
    case Step::discarded:
      return false;
    default:
      return true;
  }
}

}  // namespace phoenix::agent::apply
