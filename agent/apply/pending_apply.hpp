#pragma once
// Converging an apply that was interrupted (kill, power loss) without the `docker apply`
// command line that started it: `phoenix-agent run` calls this at start, before anything
// else, so that a VM whose apply died ends with dockerd serving one consistent TLS set (old
// or new) even when nobody reruns the command. Everything the converge needs (restart
// commands, listen, socket, users, --root) comes from the journal itself.
#include "agent/apply/apply_executor.hpp"
#include "agent/apply/apply_journal.hpp"
#include "shared/core/error.hpp"

#include <optional>
#include <string>

namespace phoenix::agent::apply {

// The settings the interrupted apply ran with, rebuilt from its journal. Error
// "journal_without_settings" when the journal does not record them (refuse, never guess: a
// wrong restart command or root would restart or rewrite the wrong thing).
Result<ApplySettings> settings_from_journal(const ApplyJournal& journal, const std::string& state_dir);

// nullopt when `state_dir` holds no journal (the normal case). Otherwise takes the apply
// lock ("apply_busy" when a `docker apply` is running right now: it converges itself),
// converges with the real environment and returns the report. Progress goes to phoenix::log.
Result<std::optional<ApplyReport>> converge_pending_apply(const std::string& state_dir);

// converge_pending_apply, with its outcome logged (notice when converged, error when it
// failed or the rollback failed). Never fails: the agent must start anyway, to stay reachable.
void converge_pending_apply_at_start(const std::string& state_dir);

}  // namespace phoenix::agent::apply
