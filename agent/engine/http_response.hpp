#pragma once
// One HTTP response as the Engine API client hands it back: status, headers, whole body.
#include <boost/beast/core/string.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phoenix::agent::engine {

struct HttpResponse {
  unsigned status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
  std::string body;

  // First header with this name (case-insensitive), or "" if absent.
  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (boost::beast::iequals(key, name)) return value;
    }
    return {};
  }
  bool is_success() const { return status >= 200 && status < 300; }
};

}  // namespace phoenix::agent::engine
