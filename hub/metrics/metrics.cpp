#include "hub/metrics/metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

namespace phoenix::hub {
namespace {
// tart list is slow (hundreds of ms); start and stop take seconds.
constexpr std::array<double, 10> kBounds = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120};

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::ostringstream out;
  out.precision(10);
  out << v;
  return out.str();
}

std::string labels_text(const std::vector<std::pair<std::string, std::string>>& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += labels[i].first + "=\"" + Metrics::escape(labels[i].second) + "\"";
  }
  return out + "}";
}

void header(std::string& out, const std::string& name, const std::string& help, const std::string& type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}
}  // namespace

std::string Metrics::escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void Metrics::count_http_request(std::string_view method, std::string_view route, unsigned status) {
  // Known methods only: a client must not be able to grow the label set with made-up ones.
  static constexpr std::array<std::string_view, 7> kMethods = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  const bool known = std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
  std::lock_guard lock(mutex_);
  ++http_[{known ? std::string(method) : std::string("other"), std::string(route), status}];
}

void Metrics::observe_tart_call(std::string_view command, std::chrono::duration<double> took, bool ok) {
  std::lock_guard lock(mutex_);
  auto& h = tart_[{std::string(command), ok ? "ok" : "error"}];
  if (h.buckets.empty()) h.buckets.assign(kBounds.size(), 0);
  const double seconds = took.count();
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::add_collector(Collector collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::render() const {
  std::vector<Collector> collectors;
  std::string out;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
    header(out, "phoenix_http_requests_total", "HTTP API requests by method, route and status.", "counter");
    for (const auto& [key, count] : http_) {
      const auto& [method, route, status] = key;
      out += "phoenix_http_requests_total" +
             labels_text({{"method", method}, {"route", route}, {"status", std::to_string(status)}}) + " " +
             std::to_string(count) + "\n";
    }
    header(out, "phoenix_tart_call_duration_seconds", "Duration of tart invocations by command and result.",
           "histogram");
    for (const auto& [key, h] : tart_) {
      const auto& [command, result] = key;
      for (std::size_t i = 0; i < kBounds.size(); ++i) {
        out += "phoenix_tart_call_duration_seconds_bucket" +
               labels_text({{"command", command}, {"result", result}, {"le", number(kBounds[i])}}) + " " +
               std::to_string(h.buckets[i]) + "\n";
      }
      out += "phoenix_tart_call_duration_seconds_bucket" +
             labels_text({{"command", command}, {"result", result}, {"le", "+Inf"}}) + " " + std::to_string(h.count) +
             "\n";
      out += "phoenix_tart_call_duration_seconds_sum" + labels_text({{"command", command}, {"result", result}}) + " " +
             number(h.sum) + "\n";
      out += "phoenix_tart_call_duration_seconds_count" + labels_text({{"command", command}, {"result", result}}) +
             " " + std::to_string(h.count) + "\n";
    }
  }
  for (const auto& collect : collectors) {
    for (const auto& family : collect()) {
      header(out, family.name, family.help, family.type);
      for (const auto& sample : family.samples) {
        out += family.name + labels_text(sample.labels) + " " + number(sample.value) + "\n";
      }
    }
  }
  return out;
}

}  // namespace phoenix::hub
