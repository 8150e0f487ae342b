#include "hub/agents/docker_trust.hpp"

#include "shared/core/safe_text.hpp"

#include "shared/fs/real_file_system.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace phoenix::hub {
namespace {
constexpr const char* kTrustFile = "/docker-trust.json";
constexpr const char* kOperatorCa = "/docker-operators";
constexpr std::chrono::hours kOperatorCaLifetime{24 * 365 * 10};

bool valid_ca_name(const std::string& name) {
  return !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}
}  // namespace

DockerTrust::DockerTrust(std::string ca_dir, std::chrono::seconds leaf_lifetime)
    : ca_dir_(std::move(ca_dir)), leaf_lifetime_(leaf_lifetime) {}

Result<std::shared_ptr<DockerTrust>> DockerTrust::load(const std::string& ca_dir, std::chrono::seconds leaf_lifetime) {
  std::shared_ptr<DockerTrust> trust(new DockerTrust(ca_dir, leaf_lifetime));
  fs::RealFileSystem fs;
  DockerTrustState state{"docker-ca", {"docker-ca"}};
  if (fs.exists(ca_dir + kTrustFile)) {
    auto text = fs.read_file(ca_dir + kTrustFile);
    if (!text) return text.error();
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("signing") || !j["signing"].is_string() ||
        !j.contains("trusted") || !j["trusted"].is_array()) {
      return make_error("invalid_config", ca_dir + kTrustFile + " is damaged: restore it from a backup");
    }
    state.signing = j["signing"].get<std::string>();
    state.trusted.clear();
    for (const auto& name : j["trusted"]) {
      if (name.is_string()) state.trusted.push_back(name.get<std::string>());
    }
  }
  std::lock_guard lock(trust->mutex_);
  for (const auto& name : state.trusted) {
    if (auto loaded = trust->load_ca_locked(name); !loaded) return loaded.error();
  }
  if (auto loaded = trust->load_ca_locked(state.signing); !loaded) return loaded.error();
  trust->state_ = std::move(state);
  if (auto operators = trust->load_operator_ca(); !operators) return operators.error();
  return trust;
}

Result<void> DockerTrust::load_ca_locked(const std::string& name) {
  if (issuers_.count(name) != 0) return ok();
  if (!valid_ca_name(name)) return make_error("invalid_config", "bad docker CA name \"" + name + "\"");
  fs::RealFileSystem fs;
  auto cert = fs.read_file(ca_dir_ + "/" + name + ".pem");
  auto key = fs.read_file(ca_dir_ + "/" + name + ".key");
  if (!cert || !key) {
    return make_error("not_initialized", "the docker CA " + ca_dir_ + "/" + name + ".pem/.key cannot be read");
  }
  auto ca = pki::CertificateAuthority::load(*cert, *key);
  if (!ca) return make_error(ca.error().code, "docker CA " + name + ": " + ca.error().message);
  issuers_[name] = std::make_shared<const DockerIssuer>(std::move(*ca), leaf_lifetime_);
  return ok();
}

Result<void> DockerTrust::load_operator_ca() {
  fs::RealFileSystem fs;
  const std::string cert_path = ca_dir_ + kOperatorCa + ".pem";
  const std::string key_path = ca_dir_ + kOperatorCa + ".key";
  if (!fs.exists(cert_path)) {
    // Hubs initialised before operators had their own CA get one on their next start.
    auto ca = pki::CertificateAuthority::create("Phoenix docker operators CA", kOperatorCaLifetime);
    if (!ca) return ca.error();
    fs::WriteOptions secret;
    secret.mode = 0600;
    if (auto w = fs.write_file_atomic(key_path, ca->key().to_pem(), secret); !w) return w;
    if (auto w = fs.write_file_atomic(cert_path, ca->certificate().to_pem()); !w) return w;
  }
  auto cert = fs.read_file(cert_path);
  auto key = fs.read_file(key_path);
  if (!cert || !key) return make_error("not_initialized", "the operators' CA " + cert_path + "/.key cannot be read");
  auto ca = pki::CertificateAuthority::load(*cert, *key);
  if (!ca) return make_error(ca.error().code, "operators' CA: " + ca.error().message);
  operators_ = std::make_shared<const pki::CertificateAuthority>(std::move(*ca));
  return ok();
}

std::string DockerTrust::operator_ca_pem() const { return operators_->certificate().to_pem(); }

Result<pki::Certificate> DockerTrust::issue_operator(std::string_view csr_pem, const std::string& name,
                                                     std::chrono::seconds lifetime, pki::TimePoint now) const {
  auto csr = pki::CertificateRequest::from_pem(csr_pem);
  if (!csr) return make_error("invalid_request", csr.error().message);
  pki::SigningPolicy policy;
  policy.common_name = name;
  policy.usage = pki::Usage::client_auth;
  policy.lifetime = lifetime;
  return operators_->sign(*csr, policy, now);
}

Result<pki::Certificate> DockerTrust::issue(DockerCertKind kind, std::string_view csr_pem, const std::string& vm,
                                            const std::string& peer_ip, pki::TimePoint now) const {
  std::shared_ptr<const DockerIssuer> issuer;
  {
    std::lock_guard lock(mutex_);
    issuer = issuers_.at(state_.signing);
  }
  return issuer->issue(kind, csr_pem, vm, peer_ip, now);
}

std::string DockerTrust::bundle_pem() const {
  std::lock_guard lock(mutex_);
  std::string bundle;
  for (const auto& name : state_.trusted) bundle += issuers_.at(name)->ca_pem();
  return bundle;
}

DockerTrustState DockerTrust::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::vector<std::pair<std::string, pki::TimePoint>> DockerTrust::ca_expiry() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, pki::TimePoint>> out;
  for (const auto& name : state_.trusted) out.emplace_back(name, issuers_.at(name)->ca_not_after());
  if (std::find(state_.trusted.begin(), state_.trusted.end(), state_.signing) == state_.trusted.end() &&
      issuers_.count(state_.signing) != 0) {
    out.emplace_back(state_.signing, issuers_.at(state_.signing)->ca_not_after());
  }
  // The operators' CA: when it ends, no operator identity can be issued and none is accepted.
  if (operators_) out.emplace_back("docker-operators", operators_->certificate().facts().not_after);
  return out;
}

bool DockerTrust::has_ca(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return issuers_.count(name) != 0;
}

Result<void> DockerTrust::create_ca(const std::string& name, std::chrono::seconds lifetime) {
  std::lock_guard lock(mutex_);
  if (!valid_ca_name(name)) return make_error("invalid_config", "bad docker CA name \"" + name + "\"");
  fs::RealFileSystem fs;
  if (fs.exists(ca_dir_ + "/" + name + ".pem")) return load_ca_locked(name);
  auto ca = pki::CertificateAuthority::create("Phoenix docker CA " + name, lifetime);
  if (!ca) return ca.error();
  fs::WriteOptions secret;
  secret.mode = 0600;
  // Key first: a cert file without its key would be a CA nobody can load.
  if (auto w = fs.write_file_atomic(ca_dir_ + "/" + name + ".key", ca->key().to_pem(), secret); !w) return w;
  if (auto w = fs.write_file_atomic(ca_dir_ + "/" + name + ".pem", ca->certificate().to_pem()); !w) return w;
  return load_ca_locked(name);
}

Result<void> DockerTrust::set(const DockerTrustState& state) {
  std::lock_guard lock(mutex_);
  if (state == state_) return ok();
  for (const auto& name : state.trusted) {
    if (issuers_.count(name) == 0) return make_error("invalid_config", "unknown docker CA \"" + name + "\"");
  }
  if (issuers_.count(state.signing) == 0) return make_error("invalid_config", "unknown docker CA \"" + state.signing + "\"");
  fs::RealFileSystem fs;
  const nlohmann::json j = {{"signing", state.signing}, {"trusted", state.trusted}};
  if (auto w = fs.write_file_atomic(ca_dir_ + kTrustFile, dump_json(j, 2) + "\n"); !w) return w;
  state_ = state;
  return ok();
}

}  // namespace phoenix::hub
