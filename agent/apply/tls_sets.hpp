#pragma once
// The on-disk layout that makes a five-file swap atomic (kubelet's "-current" symlink idea):
//
//   /etc/docker/tls/sets/<id>/{ca.pem,client-ca.pem,server-cert.pem,server-key.pem,
//                              client-cert.pem,client-key.pem}
//   /etc/docker/tls/current -> sets/<id>        (relative, so it works under --root too)
//
// ca.pem verifies dockerd's server cert (the contexts' CA); client-ca.pem is what dockerd
// accepts clients from (daemon.json's tlscacert). They differ for hub rotations: the VM's own
// client CA plus the operators' CA, so no other VM's client cert opens this dockerd. A set
// written before client-ca.pem existed reads as client-ca.pem == ca.pem.
// daemon.json names /etc/docker/tls/current/{client-ca,server-cert,server-key}.pem, so one
// rename of `current` switches dockerd's whole set. Directories 0700, keys 0600, certs 0644.
// The previous set is kept for rollback; older ones are pruned at commit.
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::agent::apply {

inline constexpr const char* kCaFile = "ca.pem";
inline constexpr const char* kClientCaFile = "client-ca.pem";
inline constexpr const char* kServerCertFile = "server-cert.pem";
inline constexpr const char* kServerKeyFile = "server-key.pem";
inline constexpr const char* kClientCertFile = "client-cert.pem";
inline constexpr const char* kClientKeyFile = "client-key.pem";

struct SetMaterial {
  std::string ca_pem, server_cert_pem, server_key_pem, client_cert_pem, client_key_pem;
  std::string client_ca_pem;  // empty: dockerd trusts ca_pem for clients too (one CA, `docker apply`)
  const std::string& effective_client_ca() const { return client_ca_pem.empty() ? ca_pem : client_ca_pem; }
};

class TlsSets {
 public:
  // `tls_dir`: the host path of /etc/docker/tls (already under --root).
  TlsSets(fs::FileSystem& fs, std::string tls_dir);

  const std::string& tls_dir() const { return tls_dir_; }
  std::string sets_dir() const { return tls_dir_ + "/sets"; }
  std::string set_dir(const std::string& id) const { return sets_dir() + "/" + id; }
  std::string current_link() const { return tls_dir_ + "/current"; }
  // daemon.json's paths: through `current`, never a versioned directory.
  std::string current_file(const char* name) const { return current_link() + "/" + name; }

  // The id `current` points at; nullopt when there is no `current` link. A `current` that
  // exists but is not a link into sets/ is "tls_layout_unexpected" (refuse, do not guess).
  Result<std::optional<std::string>> current_set() const;

  // A fresh id: UTC time plus the serial's first hex digits; never an existing directory.
  std::string new_set_id(std::chrono::system_clock::time_point now, const std::string& serial_hex) const;

  // Writes the six files into sets/<id> (replacing a leftover of that id).
  Result<void> stage(const std::string& id, const SetMaterial& material);
  Result<SetMaterial> read(const std::string& id) const;
  // Points `current` at sets/<id> in one rename; nullopt removes `current`.
  Result<void> point_current_at(const std::optional<std::string>& id);
  // Removes sets/<id>, refusing the one `current` points at.
  Result<void> remove_set(const std::string& id);
  // Removes every set but those in `keep`.
  Result<void> prune(const std::vector<std::string>& keep);

 private:
  fs::FileSystem& fs_;
  std::string tls_dir_;
};

}  // namespace phoenix::agent::apply
