// Benchmark (not a test): `GET /vms` against a real `phoenix-hub serve` whose tart is
// fake-tart slowed to --delay-ms per call, from --clients concurrent keep-alive clients for
// --seconds on loopback. Prints throughput, latency percentiles and tart invocations/s,
// which shows whether the single-flight list cache holds under load.
#include "tests/hub/api/support/hub_process.hpp"
#include "tests/hub/http/support/http_test_client.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::size_t count_list_calls(const std::string& argv_log) {
  std::istringstream in(phoenix::test::read_text_file(argv_log));
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string argv0;
    std::string command;
    words >> argv0 >> command;
    if (command == "list") ++n;
  }
  return n;
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  int clients = 50;
  int seconds = 10;
  int delay_ms = 300;
  int vms = 10;
  po::options_description options("bench-http-vms options");
  options.add_options()("help,h", "show this help")
      ("clients", po::value(&clients)->default_value(clients), "concurrent keep-alive clients")
      ("seconds", po::value(&seconds)->default_value(seconds), "measured duration")
      ("delay-ms", po::value(&delay_ms)->default_value(delay_ms), "fake tart delay per call")
      ("vms", po::value(&vms)->default_value(vms), "VMs created in the fake tart home");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n" << options;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << options;
    return 0;
  }
  clients = std::clamp(clients, 1, 1000);
  seconds = std::clamp(seconds, 1, 600);

  phoenix::test::TempDir dir;
  const auto tart_home = dir.path() + "/tart";
  const auto argv_log = dir.path() + "/argv.log";
  std::filesystem::create_directories(tart_home);
  std::filesystem::create_directories(dir.path() + "/state");
  for (int i = 0; i < vms; ++i) {
    phoenix::test::run_program({FAKE_TART_BINARY, "create", "vm" + std::to_string(i), "--linux"},
                               {{"TART_HOME", tart_home}});
  }

  // serve needs an initialised state dir (CAs, store); the config init writes is not used.
  if (phoenix::test::init_hub_state(dir.path() + "/state", dir.path() + "/init-hub.json") != 0) {
    std::cerr << "phoenix-hub init failed\n";
    return 1;
  }
  phoenix::test::HubProcess hub(
      {"--api-listen", "127.0.0.1:0", "--agent-listen", "127.0.0.1:0", "--state-dir", dir.path() + "/state",
       "--tart", FAKE_TART_BINARY},
      {{"TART_HOME", tart_home}, {"FAKE_TART_ARGV_LOG", argv_log},
       {"FAKE_TART_DELAY_MS", std::to_string(delay_ms)}},
      dir.path() + "/hub.log");
  if (!hub.ready()) {
    std::cerr << "hub did not start:\n" << hub.log();
    return 1;
  }

  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<std::size_t> errors{0};
  const auto list_calls_before = count_list_calls(argv_log);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      std::vector<double> mine;
      auto connection = std::make_unique<phoenix::test::HttpConnection>(hub.port(), 30s);
      while (Clock::now() < deadline) {
        const auto t0 = Clock::now();
        const auto reply = connection->request("GET", "/vms");
        const auto t1 = Clock::now();
        if (reply.status != 200) {
          ++errors;
          connection = std::make_unique<phoenix::test::HttpConnection>(hub.port(), 30s);
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
      std::lock_guard lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const auto list_calls = count_list_calls(argv_log) - list_calls_before;

  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::cout << "clients " << clients << ", " << seconds << " s, fake tart " << delay_ms << " ms/call, "
            << vms << " VMs\n"
            << "requests " << latencies_ms.size() << " ok, " << errors.load() << " errors\n"
            << "throughput " << static_cast<double>(latencies_ms.size()) / elapsed << " req/s\n"
            << "latency p50 " << percentile(latencies_ms, 0.50) << " ms, p99 "
            << percentile(latencies_ms, 0.99) << " ms, max "
            << (latencies_ms.empty() ? 0 : latencies_ms.back()) << " ms\n"
            << "tart list invocations " << list_calls << " (" << static_cast<double>(list_calls) / elapsed
            << "/s)\n";
  return errors.load() == 0 ? 0 : 1;
}
