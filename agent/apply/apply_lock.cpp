#include "agent/apply/apply_lock.hpp"

#include "shared/fs/real_file_system.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace phoenix::agent::apply {

Result<ApplyLock> ApplyLock::acquire(const std::string& state_dir) {
  fs::RealFileSystem fs;
  if (auto r = fs.create_directories(state_dir, 0700); !r) return r.error();
  const std::string path = state_dir + "/docker-apply.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("io_error", "cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return make_error("apply_busy", "another docker apply (or the agent) is changing dockerd's TLS right now "
                                      "(" + path + " is locked); wait for it to finish");
    }
    return make_error("io_error", "cannot lock " + path + ": " + std::strerror(err));
  }
  return ApplyLock(fd);
}

ApplyLock::ApplyLock(ApplyLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ApplyLock::~ApplyLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace phoenix::agent::apply
