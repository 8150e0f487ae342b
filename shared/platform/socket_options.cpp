#include "shared/platform/socket_options.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace phoenix::platform {

bool set_unacknowledged_timeout(int socket_fd, std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return false;
#if defined(TCP_USER_TIMEOUT)
  const unsigned int value = static_cast<unsigned int>(timeout.count());
  return ::setsockopt(socket_fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &value, sizeof value) == 0;
#elif defined(TCP_RXT_CONNDROPTIME)
  const int seconds = static_cast<int>((timeout.count() + 999) / 1000);
  return ::setsockopt(socket_fd, IPPROTO_TCP, TCP_RXT_CONNDROPTIME, &seconds, sizeof seconds) == 0;
#else
  (void)socket_fd;
  return false;
#endif
}

const char* unacknowledged_timeout_option_name() {
#if defined(TCP_USER_TIMEOUT)
  return "TCP_USER_TIMEOUT";
#elif defined(TCP_RXT_CONNDROPTIME)
  return "TCP_RXT_CONNDROPTIME";
#else
  return "";
#endif
}

}  // namespace phoenix::platform
