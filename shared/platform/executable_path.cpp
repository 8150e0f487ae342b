#include "shared/platform/executable_path.hpp"

#include <filesystem>
#include <system_error>
#include <vector>

#if defined(__APPLE__)
#include <cstdint>
#include <mach-o/dyld.h>
#endif

namespace phoenix::platform {

std::string own_executable_path() {
  std::error_code ec;
#if defined(__APPLE__)
  std::uint32_t size = 0;
  _NSGetExecutablePath(nullptr, &size);  // asks for the size
  std::vector<char> buffer(size + 1, '\0');
  if (_NSGetExecutablePath(buffer.data(), &size) != 0) return {};
  auto path = std::filesystem::canonical(buffer.data(), ec);
  return ec ? std::string(buffer.data()) : path.string();
#elif defined(__linux__)
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : path.string();
#else
  return {};
#endif
}

}  // namespace phoenix::platform
