#pragma once
// The OpenAPI 3.0 document of the hub's HTTP API: hub/api/openapi.json, embedded at build
// time. A unit test checks that every served route is in it.
#include <string_view>

namespace phoenix::hub::api {

std::string_view openapi_document();

}  // namespace phoenix::hub::api
