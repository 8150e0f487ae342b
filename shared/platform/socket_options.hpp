#pragma once
// Socket options whose names differ between systems.
#include <chrono>

namespace phoenix::platform {

// How long sent data may stay unacknowledged before the kernel drops a TCP connection, so a
// peer that vanished without a FIN is noticed in `timeout` rather than after ~15 minutes of
// retransmits. Linux: TCP_USER_TIMEOUT (milliseconds); macOS: TCP_RXT_CONNDROPTIME (whole
// seconds, rounded up). Returns false when the option is unknown here or setting it failed;
// callers then rely on their own deadlines.
bool set_unacknowledged_timeout(int socket_fd, std::chrono::milliseconds timeout);

// The option's name on this system, for log lines ("" when there is none).
const char* unacknowledged_timeout_option_name();

}  // namespace phoenix::platform
