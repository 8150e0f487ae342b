#pragma once
// The hub's dashboard (GET /): hub/dashboard/index.html, embedded at build time, so the hub
// serves it with no CDN and no files to install. It reads the API from the same origin.
#include <string_view>

namespace phoenix::hub {

std::string_view dashboard_page();

}  // namespace phoenix::hub
