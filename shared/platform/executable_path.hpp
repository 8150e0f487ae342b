#pragma once
// The running program's own executable, for commands that start another copy of it (the netns
// driver's restart command). Linux reads /proc/self/exe, macOS asks dyld.
#include <string>

namespace phoenix::platform {

// The absolute path of the running executable, or "" when the system cannot say.
std::string own_executable_path();

}  // namespace phoenix::platform
