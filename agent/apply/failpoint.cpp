#include "agent/apply/failpoint.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace phoenix::agent::apply {

void exit_at_failpoint(Step step) {
  const char* wanted = std::getenv("PHOENIX_FAILPOINT");
  if (wanted == nullptr || to_string(step) != wanted) return;
  std::cerr << "failpoint '" << wanted << "' reached: exiting 137" << std::endl;
  ::_exit(137);  // no destructors, no flushing of anything but what is on disk
}

}  // namespace phoenix::agent::apply
