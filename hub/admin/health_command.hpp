#pragma once
// `phoenix-hub health`: asks a running hub's GET /health and exits 0 only on 200. The probe
// for container HEALTHCHECKs and scripts, so the hub's image needs no curl.
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace phoenix::hub {

int run_health_command(const std::vector<std::string>& args);
int run_health_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace phoenix::hub
