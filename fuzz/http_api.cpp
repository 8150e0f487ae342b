// The hub's HTTP API from the first byte: the input is what a client sends on the socket. It is
// read by Beast's request parser with the server's limits and, when it is a complete request,
// handled by the real dispatcher and router with every route (fuzz/support/hub_harness: real
// store, registry, swarm and rotation services; fake VMs and agents). A token-protected hub:
// the dictionary holds both tokens.
#include "fuzz/support/hub_harness.hpp"
#include "hub/http/server_options.hpp"
#include "shared/core/log.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using namespace phoenix;
using nlohmann::json;

const json kHello = {{"agent_version", "0.1.0"},
                     {"vm", "vm1"},
                     {"docker", {{"reachable", true}, {"version", "24.0.5"}, {"api_version", "1.43"}}},
                     {"certs", {{"identity", {{"serial", "0A"}, {"not_after", "2027-01-01T00:00:00Z"}}}}},
                     {"swarm", {{"node_id", "n1"}, {"state", "active"}, {"control_available", true}}}};

fuzz::HubHarness& harness() {
  static fuzz::HubHarness* instance = [] {
    auto* h = new fuzz::HubHarness(true);  // lives as long as the process
    h->set_agent("vm1", kHello);
    json vm2 = kHello;
    vm2["vm"] = "vm2";
    vm2["swarm"] = {{"node_id", ""}, {"state", "inactive"}, {"control_available", false}};
    h->set_agent("vm2", vm2);
    return h;
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::set_min_level(log::Level::critical);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace beast_http = boost::beast::http;
  const hub::http::ServerOptions limits;
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(limits.header_limit);
  parser.body_limit(limits.body_limit);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  auto& h = harness();
  // What the agents answer to the commands a request makes (swarm sync, inspect, rotations).
  h.set_answers({json{{"changed", true}, {"join_tokens", {{"worker", "SWMTKN-1-w"}, {"manager", "SWMTKN-1-m"}}},
                      {"manager_addr", "10.0.0.1:2377"}},
                 json{{"nodes", json::array({{{"id", "n1"}, {"state", "ready"}, {"leader", true}}})}},
                 json{{"changed", false}}});
  (void)h.call(parser.release());
  return 0;
}
