#include "agent/engine/api_version.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace phoenix::agent::engine {
namespace {

struct Parts {
  unsigned major = 0;
  unsigned minor = 0;
};

std::optional<Parts> parse(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return std::nullopt;
  Parts out;
  const char* end = text.data() + text.size();
  auto [p1, e1] = std::from_chars(text.data(), text.data() + dot, out.major);
  if (e1 != std::errc{} || p1 != text.data() + dot) return std::nullopt;
  auto [p2, e2] = std::from_chars(text.data() + dot + 1, end, out.minor);
  if (e2 != std::errc{} || p2 != end) return std::nullopt;
  return out;
}

}  // namespace

bool is_api_version(std::string_view text) { return parse(text).has_value(); }

std::optional<int> compare_api_versions(std::string_view a, std::string_view b) {
  const auto pa = parse(a);
  const auto pb = parse(b);
  if (!pa || !pb) return std::nullopt;
  if (pa->major != pb->major) return pa->major < pb->major ? -1 : 1;
  if (pa->minor != pb->minor) return pa->minor < pb->minor ? -1 : 1;
  return 0;
}

std::string negotiate_api_version(std::string_view server_version, std::string_view ours) {
  const auto order = compare_api_versions(server_version, ours);
  if (!order) return std::string(kFallbackApiVersion);
  return std::string(*order < 0 ? server_version : ours);
}

std::string engine_error_message(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_discarded() && json.is_object()) {
    const auto it = json.find("message");
    if (it != json.end() && it->is_string()) return it->get<std::string>();
  }
  constexpr std::size_t kMaxShown = 300;
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = body.find_last_not_of(" \t\r\n");
  std::string text(body.substr(first, last - first + 1));
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "…";
  return text;
}

}  // namespace phoenix::agent::engine
