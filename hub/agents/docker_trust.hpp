#pragma once
// The docker half of the trust model, which docker-ca rotations change at run time: which CA
// signs new dockerd server and docker client certs, and which CAs dockerd and the `phoenix`
// contexts trust (the bundle every agent installs with its certs). Several CAs may be
// trusted at once: that is how a new CA is rolled in before anything it signs is used, and
// the old one rolled out after (rotation.md: SPIRE's A/B slots, Teleport's phases).
//
// Persisted under the hub's CA dir: each CA as <name>.pem / <name>.key (0600), and
// docker-trust.json {"signing":"docker-ca","trusted":["docker-ca"]} naming them, replaced
// atomically before a change takes effect (no file says "docker-ca" only before the first
// rotation: that is the default). Thread-safe.
#include "hub/agents/docker_issuer.hpp"
#include "shared/core/error.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace phoenix::hub {

struct DockerTrustState {
  std::string signing;               // CA name
  std::vector<std::string> trusted;  // CA names, in bundle order
  friend bool operator==(const DockerTrustState&, const DockerTrustState&) = default;
};

class DockerTrust {
 public:
  // Errors: "not_initialized" (a named CA's files are missing), "invalid_config" (a damaged
  // docker-trust.json), the CA loader's.
  static Result<std::shared_ptr<DockerTrust>> load(const std::string& ca_dir, std::chrono::seconds leaf_lifetime);

  Result<pki::Certificate> issue(DockerCertKind kind, std::string_view csr_pem, const std::string& vm,
                                 const std::string& peer_ip, pki::TimePoint now) const;
  std::string bundle_pem() const;  // the trusted CAs, concatenated

  // The hypervisor operators' client CA (<ca_dir>/docker-operators.pem/.key, made by load()
  // when missing): every dockerd trusts it for clients beside its VM's own one-use CA, and it
  // signs only operator identities (OperatorIdentity), never anything an agent asks for.
  std::string operator_ca_pem() const;
  // Signs an operator client cert: CN `name`, clientAuth, `lifetime` (short: hours).
  Result<pki::Certificate> issue_operator(std::string_view csr_pem, const std::string& name,
                                          std::chrono::seconds lifetime, pki::TimePoint now) const;
  DockerTrustState state() const;
  // Each CA in force (the trusted ones, then the signing one if it is not trusted yet, then
  // the operators' CA) with its end, for the hub's expiry report.
  std::vector<std::pair<std::string, pki::TimePoint>> ca_expiry() const;
  bool has_ca(const std::string& name) const;

  // A new P-256 CA under `name` ([a-z0-9-]{1,40}); nothing to do when it exists already.
  Result<void> create_ca(const std::string& name, std::chrono::seconds lifetime);
  // Makes `state` the trust in force (every CA it names must exist); written to disk first.
  Result<void> set(const DockerTrustState& state);

 private:
  DockerTrust(std::string ca_dir, std::chrono::seconds leaf_lifetime);
  Result<void> load_ca_locked(const std::string& name);
  Result<void> load_operator_ca();

  std::string ca_dir_;
  std::chrono::seconds leaf_lifetime_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const DockerIssuer>> issuers_;
  std::shared_ptr<const pki::CertificateAuthority> operators_;
  DockerTrustState state_;
};

}  // namespace phoenix::hub
