#include "agent/channel/agent_runner.hpp"

#include "shared/core/safe_text.hpp"

#include "agent/channel/agent_state.hpp"
#include "agent/channel/channel_connection.hpp"
#include "agent/channel/renewal_schedule.hpp"
#include "agent/channel/rotation_handler.hpp"
#include "agent/channel/swarm_handler.hpp"
#include "agent/channel/state_collector.hpp"
#include "agent/channel/tls_client.hpp"
#include "shared/core/log.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/chain_verifier.hpp"
#include "shared/pki/private_key.hpp"
#include "shared/protocol/envelope.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace phoenix::agent {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using net::use_awaitable;
using protocol::MessageType;
using Clock = std::chrono::system_clock;

namespace {
constexpr const char* kLog = "agent-channel";

std::string ms_text(std::chrono::milliseconds d) {
  return std::to_string(d.count() / 1000) + "." + std::to_string((d.count() % 1000) / 100) + " s";
}
}  // namespace

AgentRunner::AgentRunner(net::io_context& ioc, fs::FileSystem& fs, RunnerOptions options)
    : ioc_(ioc),
      fs_(fs),
      options_(std::move(options)),
      store_(fs, options_.config.state_dir),
      backoff_(options_.backoff, make_system_random()),
      random_(make_system_random()),
      wait_timer_(ioc),
      watchdog_timer_(ioc),
      rotations_(std::make_unique<RotationHandler>(ioc, fs, options_.config, [this] { return next_id(); })),
      swarm_(std::make_unique<SwarmHandler>(ioc, options_.config.docker_socket, [this] { return next_id(); })) {
  swarm_->on_changed = [this] {
    if (connection_) connection_->wake_timer().cancel();  // report the new swarm state now
  };
}

AgentRunner::~AgentRunner() = default;

Result<void> AgentRunner::start() {
  auto repaired = store_.repair();
  if (!repaired) return repaired.error();
  if (*repaired != RepairOutcome::nothing_to_do) log::warning(kLog, to_string(*repaired));
  auto hub = store_.load_hub();
  if (!hub) return hub.error();
  auto identity = store_.load_identity();
  if (!identity) return identity.error();
  auto address = parse_hub_url(hub->url);
  if (!address) return address.error();
  hub_ = std::move(*hub);
  address_ = std::move(*address);
  identity_ = std::move(*identity);
  rotations_->set_vm(hub_.vm);
  schedule_renewal(identity_.cert_pem);
  net::co_spawn(ioc_, main_loop(), net::detached);
  // Ready as soon as the loop runs, hub or no hub: a service manager must not kill (and
  // restart-loop) an agent whose hub is away; the connection state goes into STATUS=.
  ready_sent_ = true;
  notifier_.ready("started; connecting to the hub at " + hub_.url);
  if (auto interval = notifier_.watchdog_interval()) net::co_spawn(ioc_, watchdog_loop(*interval), net::detached);
  return ok();
}

void AgentRunner::stop() {
  if (stopping_) return;
  stopping_ = true;
  log::info(kLog, "stopping");
  notifier_.stopping();
  wait_timer_.cancel();
  watchdog_timer_.cancel();
  if (connection_) {
    // Still connecting: abandon the attempt. Connected: say goodbye with a close frame.
    if (!connection_->established) beast::get_lowest_layer(connection_->stream()).cancel();
    connection_->close(1000, "agent stopping");
    connection_->wake_timer().cancel();
  }
}

std::string AgentRunner::next_id() { return "agent-" + std::to_string(++id_counter_); }

void AgentRunner::schedule_renewal(const std::string& cert_pem) {
  auto cert = pki::Certificate::from_pem(cert_pem);
  if (!cert) return;
  const auto facts = cert->facts();
  if (facts.serial_hex == renewal_serial_) return;  // keep the point drawn for this cert
  renewal_serial_ = facts.serial_hex;
  renewal_at_ = renewal_time(facts.not_before, facts.not_after, random_);
  log::info(kLog, "identity serial " + facts.serial_hex + " valid until " + pki::format_utc(facts.not_after) +
                      "; renewal planned at " + pki::format_utc(renewal_at_));
}

bool AgentRunner::renewal_due() const {
  const auto steady_now = std::chrono::steady_clock::now();
  if (last_renewal_ && steady_now - *last_renewal_ < options_.renewal_retry) return false;
  return Clock::now() >= renewal_at_ && !renewal_request_ && steady_now >= renewal_not_before_;
}

nlohmann::json AgentRunner::collect_state() {
  StateSources sources;
  sources.vm = hub_.vm;
  sources.docker_socket = options_.config.docker_socket;
  sources.root = options_.config.root;
  sources.users = options_.config.users;
  sources.identity_cert_pem = identity_.cert_pem;
  return build_agent_state(collect_state_inputs(fs_, sources));
}

net::awaitable<void> AgentRunner::watchdog_loop(std::chrono::microseconds interval) {
  boost::system::error_code ec;
  while (!stopping_) {
    notifier_.watchdog();
    watchdog_timer_.expires_after(interval);
    co_await watchdog_timer_.async_wait(net::redirect_error(use_awaitable, ec));
  }
}

net::awaitable<void> AgentRunner::main_loop() {
  boost::system::error_code ec;
  while (!stopping_) {
    const auto lasted = co_await session();
    if (stopping_) break;
    if (connection_ && connection_->renewed) {
      connection_.reset();
      backoff_.reset();
      continue;  // the new identity is on disk: reconnect with it at once
    }
    connection_.reset();
    backoff_.connection_lasted(lasted);
    const auto delay = backoff_.next_delay();
    log::info(kLog, "reconnecting in " + ms_text(delay));
    notifier_.status("disconnected from the hub at " + hub_.url + "; retrying in " + ms_text(delay));
    wait_timer_.expires_after(delay);
    co_await wait_timer_.async_wait(net::redirect_error(use_awaitable, ec));
  }
  log::info(kLog, "stopped");
}

net::awaitable<std::chrono::steady_clock::duration> AgentRunner::session() {
  using Duration = std::chrono::steady_clock::duration;
  boost::system::error_code ec;
  // The identity may have been replaced on disk (renewal): always start from the files.
  if (auto identity = store_.load_identity()) identity_ = std::move(*identity);
  schedule_renewal(identity_.cert_pem);
  if (auto cert = pki::Certificate::from_pem(identity_.cert_pem); cert && cert->facts().not_after <= Clock::now()) {
    log::error(kLog, "the identity certificate EXPIRED at " + pki::format_utc(cert->facts().not_after) +
                         "; trying it anyway (the hub will refuse it: enroll again with a new token if it does)");
  }
  auto tls = make_channel_tls_context(identity_);
  if (!tls) {
    log::error(kLog, tls.error().to_string());
    co_return Duration{};
  }
  auto connection = std::make_shared<ChannelConnection>(ioc_.get_executor(), *tls);
  connection_ = connection;
  auto& ws = connection->stream();
  auto& tcp = beast::get_lowest_layer(ws);
  const std::string where = address_.authority();

  net::ip::tcp::resolver resolver(ioc_);
  tcp.expires_after(options_.handshake_timeout);
  auto endpoints = co_await resolver.async_resolve(address_.host, address_.port, net::redirect_error(use_awaitable, ec));
  if (!ec && !stopping_) co_await tcp.async_connect(endpoints, net::redirect_error(use_awaitable, ec));
  if (ec || stopping_) {
    if (!stopping_) log::warning(kLog, "cannot reach the hub at " + where + ": " + ec.message());
    co_return Duration{};
  }
  if (auto prepared = prepare_tls_stream(ws.next_layer().native_handle(), address_, true); !prepared) {
    log::error(kLog, prepared.error().to_string());
    co_return Duration{};
  }
  tcp.expires_after(options_.handshake_timeout);
  co_await ws.next_layer().async_handshake(net::ssl::stream_base::client, net::redirect_error(use_awaitable, ec));
  if (ec || stopping_) {
    if (!stopping_) log::warning(kLog, "TLS handshake with the hub at " + where + " failed: " + ec.message());
    co_return Duration{};
  }
  tcp.expires_never();
  ws.set_option(websocket::stream_base::timeout{options_.handshake_timeout, options_.idle_timeout, true});
  ws.read_message_max(options_.message_max);
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "phoenix-agent"); }));
  co_await ws.async_handshake(where, "/agent/v1", net::redirect_error(use_awaitable, ec));
  if (ec || stopping_) {
    if (!stopping_) log::warning(kLog, "the hub at " + where + " refused the channel: " + ec.message());
    co_await connection->shutdown();
    co_return Duration{};
  }
  connection->established = true;
  rotations_->on_connection(connection);
  const auto connected_at = std::chrono::steady_clock::now();
  log::info(kLog, "connected to the hub at " + where + " as " + hub_.vm);
  if (!ready_sent_) {
    ready_sent_ = true;
    notifier_.ready("connected to the hub at " + hub_.url);
  } else {
    notifier_.status("connected to the hub at " + hub_.url);
  }
  renewal_request_.reset();
  renewal_key_pem_.reset();
  renewal_not_before_ = {};  // every reconnect is a chance to renew

  nlohmann::json last_state = collect_state();
  connection->send(protocol::encode(protocol::make_message(MessageType::hello, next_id(), last_state)));

  // Reader: every message from the hub, until the connection ends.
  net::co_spawn(ioc_, [this, connection]() -> net::awaitable<void> {
    boost::system::error_code rec;
    beast::flat_buffer buffer;
    for (;;) {
      co_await connection->stream().async_read(buffer, net::redirect_error(use_awaitable, rec));
      if (rec) break;
      const std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      if (buffer.capacity() > 64 * 1024) buffer.shrink_to_fit();
      // The crash boundary of one hub message: a handler that throws costs that message (an
      // error answer and a log line), never the channel or the agent.
      try {
        handle_message(*connection, text);
      } catch (const std::exception& e) {
        log::error(kLog, "a message from the hub could not be handled: " + printable(e.what(), 512));
        connection->send(protocol::encode(protocol::make_error_reply(
            next_id(), "", "internal_error", "the agent failed to handle this message; see its log")));
      }
    }
    if (rec == websocket::error::closed) {
      log::info(kLog, "the hub closed the channel (" + std::to_string(connection->stream().reason().code) + ")");
    } else if (rec == websocket::error::message_too_big) {
      log::warning(kLog, "the hub sent a message over the limit: channel closed");
    } else if (!connection->closing()) {
      log::warning(kLog, "lost the channel to the hub: " + rec.message());
    }
    connection->reader_done = true;
    connection->wake_timer().cancel();
  }, net::detached);

  // Periodic work: state changes and the identity renewal.
  while (!connection->reader_done) {
    if (!connection->closing() && renewal_due()) {
      auto key = pki::PrivateKey::generate_p256();
      auto csr = key ? pki::CertificateRequest::create(*key, hub_.vm, {hub_.vm}, {})
                     : Result<pki::CertificateRequest>(key.error());
      if (!csr) {
        log::error(kLog, "cannot make a renewal request: " + csr.error().to_string());
        renewal_not_before_ = std::chrono::steady_clock::now() + options_.renewal_retry;
      } else {
        renewal_request_ = next_id();
        renewal_key_pem_ = key->to_pem();
        log::notice(kLog, "renewing the identity (request " + *renewal_request_ + ")");
        connection->send(protocol::encode(protocol::make_message(
            MessageType::sign_request, *renewal_request_, {{"kind", "identity"}, {"csr", csr->to_pem()}})));
      }
    }
    auto wait = options_.state_interval;
    if (!renewal_request_) {
      const auto until_renewal = std::chrono::duration_cast<std::chrono::milliseconds>(renewal_at_ - Clock::now());
      const auto steady_now = std::chrono::steady_clock::now();
      auto until_retry = std::chrono::duration_cast<std::chrono::milliseconds>(renewal_not_before_ - steady_now);
      if (last_renewal_) {
        until_retry = std::max(until_retry, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                *last_renewal_ + options_.renewal_retry - steady_now));
      }
      // Never 0 when nothing is due: a blocked renewal must not spin this loop.
      const auto next = std::max({until_renewal, until_retry, std::chrono::milliseconds{50}});
      wait = std::clamp(next, std::chrono::milliseconds{0}, wait);
    }
    connection->wake_timer().expires_after(wait);
    co_await connection->wake_timer().async_wait(net::redirect_error(use_awaitable, ec));
    if (connection->reader_done) break;
    if (stopping_) {
      connection->close(1000, "agent stopping");
      continue;
    }
    if (connection->closing()) continue;
    auto state = collect_state();
    if (state_changed(last_state, state)) {
      last_state = state;
      connection->send(protocol::encode(protocol::make_message(MessageType::state, next_id(), std::move(state))));
    }
  }
  co_await connection->shutdown();
  co_return std::chrono::steady_clock::now() - connected_at;
}

void AgentRunner::handle_message(ChannelConnection& connection, std::string_view text) {
  auto decoded = protocol::decode(text);
  if (!decoded) {
    log::warning(kLog, "the hub sent an invalid message: " + decoded.error().to_string());
    return connection.send(protocol::encode(
        protocol::make_error_reply(next_id(), "", decoded.error().code, decoded.error().message)));
  }
  const auto& message = *decoded;
  switch (message.kind()) {
    case MessageType::result:
    case MessageType::error:
      if (message.re && renewal_request_ && *message.re == *renewal_request_) {
        return handle_renewal_answer(connection, message.kind() == MessageType::result, message.body);
      }
      if (rotations_->on_answer(connection, message)) return;
      if (message.kind() == MessageType::error) {
        log::warning(kLog, "the hub reported an error" + (message.re ? " about " + *message.re : std::string()) +
                               ": " + dump_json(message.body));
      }
      return;
    case MessageType::renew_identity:
      log::notice(kLog, "the hub asked for an identity renewal");
      connection.send(protocol::encode(protocol::make_result(next_id(), message.id, {{"status", "renewing"}})));
      renewal_at_ = Clock::now();
      renewal_not_before_ = {};
      connection.wake_timer().cancel();
      return;
    case MessageType::rotate_docker_tls:
      return rotations_->on_command(connection, message);
    case MessageType::swarm_init:
    case MessageType::swarm_join:
    case MessageType::swarm_leave:
    case MessageType::swarm_inspect:
    case MessageType::swarm_remove_node:
      return swarm_->on_command(connection_, message);
    case MessageType::unknown:
      return connection.send(protocol::encode(protocol::make_error_reply(
          next_id(), message.id, "unknown_type", "unknown message type '" + message.type + "'")));
    default:
      return connection.send(protocol::encode(protocol::make_error_reply(
          next_id(), message.id, "not_supported", "this agent does not handle '" + message.type + "' yet")));
  }
}

void AgentRunner::handle_renewal_answer(ChannelConnection& connection, bool is_result, const nlohmann::json& body) {
  const auto key_pem = std::move(renewal_key_pem_);
  renewal_request_.reset();
  renewal_key_pem_.reset();
  const auto retry_later = [this](const std::string& why) {
    log::warning(kLog, "identity renewal failed: " + why + "; keeping the current identity, retrying in " +
                           ms_text(options_.renewal_retry));
    renewal_not_before_ = std::chrono::steady_clock::now() + options_.renewal_retry;
  };
  if (!is_result) return retry_later("the hub refused it: " + dump_json(body));
  if (!body.is_object() || !body.contains("cert") || !body["cert"].is_string() || !body.contains("ca") ||
      !body["ca"].is_string() || !key_pem) {
    return retry_later("the hub's answer has no cert/ca");
  }
  const auto cert_pem = body["cert"].get<std::string>();
  const auto ca_pem = body["ca"].get<std::string>();
  auto cert = pki::Certificate::from_pem(cert_pem);
  auto ca = pki::Certificate::from_pem(ca_pem);
  auto key = pki::PrivateKey::from_pem(*key_pem);
  if (!cert || !ca || !key) return retry_later("the hub's answer does not parse");
  // Only the CA pinned at enrollment may sign our identity; a new identity must be usable.
  if (ca->facts().sha256_fingerprint != hub_.ca_sha256) return retry_later("the answer names another CA");
  if (auto r = pki::check_key_matches(*cert, *key); !r) return retry_later(r.error().message);
  if (auto r = pki::verify_chain(*cert, {*ca}, pki::Usage::client_auth); !r) return retry_later(r.error().message);
  if (cert->facts().subject_cn != hub_.vm) return retry_later("the new certificate is for another name");
  IdentityFiles next = identity_;
  next.key_pem = *key_pem;
  next.cert_pem = cert_pem;
  next.ca_pem = ca_pem;
  if (auto installed = store_.install(next); !installed) return retry_later(installed.error().message);
  identity_ = std::move(next);
  log::notice(kLog, "identity renewed: serial " + cert->facts().serial_hex + " valid until " +
                        pki::format_utc(cert->facts().not_after) + "; reconnecting with it");
  schedule_renewal(identity_.cert_pem);
  last_renewal_ = std::chrono::steady_clock::now();
  connection.renewed = true;
  connection.close(1000, "identity renewed");
}

}  // namespace phoenix::agent
