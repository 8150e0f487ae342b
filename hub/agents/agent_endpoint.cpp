#include "hub/agents/agent_endpoint.hpp"

namespace phoenix::hub {

struct EndpointState {};

AgentEndpoint::AgentEndpoint(boost::asio::io_context& ioc, AgentEndpointConfig,
                             std::shared_ptr<HubStore> store)
    : ioc_(ioc), registry_(std::make_shared<AgentRegistry>(ioc.get_executor(), std::move(store))) {}

AgentEndpoint::~AgentEndpoint() = default;

Result<void> AgentEndpoint::start() {
  return make_error("not_implemented", "the agent endpoint is not implemented yet");
}

void AgentEndpoint::stop() {}

std::size_t AgentEndpoint::open_connections() const { return 0; }

}  // namespace phoenix::hub
