#include "shared/platform/descriptors.hpp"

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/close_range.h>
#endif

namespace phoenix::platform {

void mark_descriptors_cloexec_from(int first) noexcept {
#if defined(__linux__) && defined(CLOSE_RANGE_CLOEXEC)
  if (::close_range(static_cast<unsigned>(first), ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
#endif
  long limit = ::sysconf(_SC_OPEN_MAX);
  if (limit < 0) limit = 1024;
  const long max_fd = std::min(limit, 65536L);
  for (int fd = first; fd < max_fd; ++fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

}  // namespace phoenix::platform
