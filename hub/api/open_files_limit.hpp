#pragma once
// Every connection, agent or API, costs a descriptor. systemd's default soft RLIMIT_NOFILE
// is 1024 (select()'s limit), which a thousand idle TCP connections exhaust; the hub uses
// epoll only, so `serve` raises the soft limit to the hard one (the unit's LimitNOFILE) at start.
#include <cstdint>

namespace phoenix::hub::api {

// Raises the soft limit to the hard limit and logs the figure; returns the soft limit now
// in force (0 if it cannot be read).
std::uint64_t raise_open_files_limit();

}  // namespace phoenix::hub::api
