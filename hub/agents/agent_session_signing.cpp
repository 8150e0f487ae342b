// AgentSession's signing requests, apart from the channel mechanics in agent_session.cpp:
// identity renewal (signed on the blocking pool) and dockerd server certs, which the docker
// CA signs only inside a rotation the hub started (DockerSignGate).
#include "hub/agents/agent_session.hpp"

#include "shared/core/log.hpp"
#include "shared/pki/asn1_time.hpp"

#include <boost/asio/post.hpp>

namespace phoenix::hub {
namespace beast = boost::beast;
namespace net = boost::asio;
using protocol::MessageType;

namespace {
constexpr const char* kLog = "agent-channel";
}  // namespace

void AgentSession::handle_sign_request(const protocol::Envelope& message) {
  const auto& body = message.body;
  const auto kind = body.find("kind");
  const auto csr = body.find("csr");
  if (kind == body.end() || !kind->is_string() || csr == body.end() || !csr->is_string()) {
    return send_error(message.id, "invalid_body", "sign_request needs string fields kind and csr");
  }
  // Each one costs a signature and a store write: a bucket of its own, tighter than messages'.
  if (!within_rate("sign_requests")) return;
  if (*kind == "docker_server" || *kind == "docker_client") return handle_docker_sign_request(message);
  if (*kind != "identity") {
    return send_error(message.id, "unsupported_kind",
                      "sign_request kind '" + kind->get<std::string>() + "' is not supported");
  }
  // Signing and the store write run on the blocking pool; the answer is sent from the strand.
  auto self = shared_from_this();
  const bool queued = state_->blocking->post([self, re = message.id, csr = csr->get<std::string>()] {
    auto answer = self->renew_identity(csr);
    net::post(self->ws_.get_executor(), [self, re, answer = std::move(answer)] {
      if (!answer) return self->send_error(re, answer.error().code, answer.error().message);
      self->send(protocol::make_result(self->next_id(), re, *answer));
    });
  });
  if (!queued) send_error(message.id, "hub_busy", "the hub is busy: send the sign_request again later");
}

Result<nlohmann::json> AgentSession::renew_identity(const std::string& csr) {
  const auto now = std::chrono::system_clock::now();
  auto cert = state_->issuer->issue(csr, identity_.name, now);
  if (!cert) {
    log::warning(kLog, "identity renewal of " + identity_.name + " refused: " +
                           cert.error().to_string());
    return cert.error();
  }
  const auto facts = cert->facts();
  if (auto recorded = state_->store->record_identity(identity_.name, facts.serial_hex, facts.not_after);
      !recorded) {
    log::error(kLog, "could not record the renewed identity of " + identity_.name + ": " +
                         recorded.error().to_string());
    return make_error("store_unavailable", "the hub could not record the new identity");
  }
  state_->registry->remember_previous_serial(identity_.name, identity_.serial);
  log::notice(kLog, "renewed the identity of " + identity_.name + ": serial " + facts.serial_hex +
                        " valid until " + pki::format_utc(facts.not_after));
  return nlohmann::json{{"cert", cert->to_pem()}, {"ca", state_->issuer->ca_pem()}};
}

std::string AgentSession::peer_ip() {
  boost::system::error_code ec;
  const auto remote = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
  if (ec) return "";
  auto address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

void AgentSession::handle_docker_sign_request(const protocol::Envelope& message) {
  const auto kind = message.body["kind"].get<std::string>();
  const auto& trust = state_->config.docker_trust;
  if (!trust) {
    return send_error(message.id, "docker_ca_unavailable",
                      "this hub has no docker CA key: it cannot sign docker certificates");
  }
  if (auto admitted = docker_signs_.admit(kind); !admitted) {
    log::warning(kLog, kind + " request of " + identity_.name + " refused: " + admitted.error().message);
    return send_error(message.id, admitted.error().code, admitted.error().message);
  }
  const std::string peer_ip = this->peer_ip();
  const auto cert = trust->issue(
      kind == "docker_server" ? DockerCertKind::server : DockerCertKind::client,
      message.body["csr"].get_ref<const std::string&>(), identity_.name, peer_ip, std::chrono::system_clock::now());
  if (!cert) {
    log::warning(kLog, kind + " request of " + identity_.name + " refused: " + cert.error().to_string());
    return send_error(message.id, cert.error().code, cert.error().message);
  }
  log::info(kLog, "signed a " + kind + " certificate for " + identity_.name + ": serial " +
                      cert->facts().serial_hex);
  // operator_ca: the hypervisor operators' client CA, which dockerd trusts beside the VM's own.
  send(protocol::make_result(next_id(), message.id,
                             {{"cert", cert->to_pem()}, {"ca", trust->bundle_pem()}, {"operator_ca", trust->operator_ca_pem()}}));
}

}  // namespace phoenix::hub
