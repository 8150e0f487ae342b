#pragma once
// `phoenix-hub serve`: builds the VM driver, the API router and the HTTP server from the
// config, logs "listening on ADDR:PORT" once it accepts connections, tells systemd it is
// ready (when NOTIFY_SOCKET is set), and runs until SIGINT or SIGTERM.
#include "hub/api/hub_config.hpp"

namespace phoenix::hub::api {

// Returns the process exit code (0 after a clean shutdown).
int run_serve(const HubConfig& config);

}  // namespace phoenix::hub::api
