#pragma once
// The hub's Prometheus metrics (GET /metrics, text format 0.0.4). Counters and histograms are
// recorded as things happen (HTTP requests, tart calls); gauges that describe the fleet (agents
// connected, rotations, certificate expiry) are read at scrape time by collectors, so they are
// never stale. Thread-safe; recording is a short critical section.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace phoenix::hub {

// One sample line: name{labels} value.
struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

struct MetricFamily {
  std::string name;
  std::string help;
  std::string type;  // "gauge" or "counter"
  std::vector<Sample> samples;
};

class Metrics {
 public:
  void count_http_request(std::string_view method, std::string_view route, unsigned status);
  void observe_tart_call(std::string_view command, std::chrono::duration<double> took, bool ok);

  // Collectors run at every render(), on the caller's thread (may block: store reads).
  using Collector = std::function<std::vector<MetricFamily>()>;
  void add_collector(Collector collector);

  std::string render() const;

  // Label values escaped as the text format wants (\\, \", \n).
  static std::string escape(std::string_view value);

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative counts per bound of kBounds
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> http_;
  std::map<std::pair<std::string, std::string>, Histogram> tart_;  // (command, result)
  std::vector<Collector> collectors_;
};

}  // namespace phoenix::hub
