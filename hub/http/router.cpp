#include "hub/http/router.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>

namespace phoenix::hub::http {
namespace {

std::vector<std::string> pattern_segments(const std::string& pattern) {
  std::vector<std::string> out;
  std::size_t start = 1;  // patterns always begin with '/'
  while (start <= pattern.size()) {
    const auto end = pattern.find('/', start);
    out.push_back(pattern.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (out.size() == 1 && out.front().empty()) out.clear();  // "/" has no segments
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills `params` when every segment matches.
bool matches(const std::string& pattern, const std::vector<std::string>& segments,
             std::vector<std::pair<std::string, std::string>>& params) {
  const auto expected = pattern_segments(pattern);
  if (expected.size() != segments.size()) return false;
  std::vector<std::pair<std::string, std::string>> found;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (is_param(expected[i])) {
      found.emplace_back(expected[i].substr(1, expected[i].size() - 2), segments[i]);
    } else if (expected[i] != segments[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

std::optional<std::string> lookup(const std::vector<std::pair<std::string, std::string>>& items,
                                  std::string_view key) {
  for (const auto& [k, v] : items) {
    if (k == key) return v;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RouteContext::param(std::string_view key) const {
  return lookup(path_params, key);
}

std::optional<std::string> RouteContext::query_value(std::string_view key) const {
  return lookup(query, key);
}

void Router::add(Route route) { routes_.push_back(std::move(route)); }

RouteMatch Router::match(Verb method, std::string_view target) const {
  RouteMatch result;
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    result.status = Status::bad_request;
    return result;
  }
  std::vector<std::string> segments;
  for (auto segment : url->segments()) {
    // A dot segment ("/vms/../x", also when percent-encoded) is a traversal attempt, never a
    // resource name: refused outright rather than resolved to some other route.
    if (segment == "." || segment == "..") {
      result.status = Status::bad_request;
      return result;
    }
    segments.push_back(segment);
  }
  // A trailing slash ("/vms/") leaves an empty last segment: treated as the same path.
  if (!segments.empty() && segments.back().empty()) segments.pop_back();

  RouteContext context;
  for (const auto& segment : segments) {
    context.path += '/';
    context.path += segment;
  }
  if (context.path.empty()) context.path.push_back('/');
  for (auto param : url->params()) {
    context.query.emplace_back(param.key, param.has_value ? param.value : std::string());
  }

  std::vector<std::string> allowed;
  for (const auto& route : routes_) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!matches(route.pattern, segments, params)) continue;
    if (route.method == method) {
      result.status = Status::ok;
      result.route = &route;
      context.path_params = std::move(params);
      result.context = std::move(context);
      return result;
    }
    const std::string name(beast_http::to_string(route.method));
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) allowed.push_back(name);
  }
  result.context = std::move(context);
  if (allowed.empty()) {
    result.status = Status::not_found;
    return result;
  }
  result.status = Status::method_not_allowed;
  for (const auto& name : allowed) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += name;
  }
  return result;
}

}  // namespace phoenix::hub::http
