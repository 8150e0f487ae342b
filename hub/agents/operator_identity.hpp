#pragma once
// The hypervisor operators' docker client identity, kept by the running hub:
//
//   <state>/operator/current -> <id>     (one rename switches all three files)
//   <state>/operator/<id>/ca.pem          the docker CA bundle: verifies every VM's dockerd
//   <state>/operator/<id>/cert.pem        a client cert of the operators' CA (CN "operator"),
//   <state>/operator/<id>/key.pem         which every dockerd accepts beside its own VM's CA (0600)
//
// Short-lived (OperatorIdentityOptions::lifetime, 24 h by default) and renewed once two thirds
// of it have passed, or when the docker CA bundle changed (a docker-ca rotation), so a copied
// key is worth a day at most. The key is made here, on the hypervisor where it is used, and
// never sent anywhere. Use it with DOCKER_CERT_PATH=<state>/operator/current, or make a docker
// context from its files (docs/operator-guide.md).
#include "hub/agents/docker_trust.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"
#include "shared/pki/asn1_time.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace phoenix::hub {

struct OperatorIdentityOptions {
  std::chrono::seconds lifetime{std::chrono::hours(24)};
  std::string common_name = "operator";
};

// Why the identity must be (re)made now; nullopt when it is good. Pure.
//   `cert_not_before/after`: the current cert's validity (nullopt: missing or unreadable);
//   `ca_bundle_current`: its ca.pem equals the docker CA bundle in force.
std::optional<std::string> operator_identity_renewal_reason(std::optional<pki::TimePoint> cert_not_before,
                                                            std::optional<pki::TimePoint> cert_not_after,
                                                            bool ca_bundle_current, pki::TimePoint now);

class OperatorIdentity {
 public:
  OperatorIdentity(fs::FileSystem& fs, std::string state_dir, std::shared_ptr<const DockerTrust> trust,
                   OperatorIdentityOptions options = {});

  std::string dir() const { return dir_; }
  std::string current_dir() const { return dir_ + "/current"; }

  // Renews when operator_identity_renewal_reason says so; returns the reason it renewed, or
  // nullopt when the files were good. Blocking (key generation and file writes).
  Result<std::optional<std::string>> refresh(pki::TimePoint now);

 private:
  Result<void> write_new(pki::TimePoint now);

  fs::FileSystem& fs_;
  std::string dir_;
  std::shared_ptr<const DockerTrust> trust_;
  OperatorIdentityOptions options_;
};

}  // namespace phoenix::hub
