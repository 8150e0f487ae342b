#pragma once
// Crash simulation for tests: with PHOENIX_FAILPOINT=<step> in the environment, the process
// exits 137 right after that step is journaled, as a kill -9 or power loss would leave it.
// Unset (always, in production), it does nothing.
#include "agent/apply/apply_machine.hpp"

namespace phoenix::agent::apply {

void exit_at_failpoint(Step step);

}  // namespace phoenix::agent::apply
