#include "hub/api/open_files_limit.hpp"

#include "shared/core/log.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace phoenix::hub::api {

std::uint64_t raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log::warning("serve", std::string("cannot read the open-files limit: ") + std::strerror(errno));
    return 0;
  }
  const auto before = limit.rlim_cur;
  if (limit.rlim_cur != limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      log::warning("serve", "cannot raise the open-files limit from " + std::to_string(before) + " to " +
                                std::to_string(limit.rlim_max) + ": " + std::strerror(errno));
      return before;
    }
    log::info("serve", "raised the open-files limit (RLIMIT_NOFILE) from " + std::to_string(before) + " to " +
                           std::to_string(limit.rlim_cur));
  } else {
    log::info("serve", "open-files limit (RLIMIT_NOFILE): " + std::to_string(limit.rlim_cur));
  }
  if (limit.rlim_cur < 4096) {
    log::warning("serve", "an open-files limit of " + std::to_string(limit.rlim_cur) +
                              " caps the agents this hub can hold: set LimitNOFILE=65536 in the unit");
  }
  return limit.rlim_cur;
}

}  // namespace phoenix::hub::api
