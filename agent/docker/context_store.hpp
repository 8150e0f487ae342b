#pragma once
// The `phoenix` docker CLI context, written in exactly the on-disk format the docker CLI
// reads (~/.docker/contexts/{meta,tls}/<sha256(name)>/...) and made current in
// ~/.docker/config.json, so plain `docker ps` talks mutual TLS to 127.0.0.1:2376.
#include "agent/docker/user_account.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::agent::docker {

inline constexpr std::string_view kContextName = "phoenix";
inline constexpr std::string_view kDefaultContextHost = "tcp://127.0.0.1:2376";
inline constexpr std::string_view kContextDescription = "managed by phoenix-agent";

// Hex SHA-256 of the name: the directory id the docker CLI uses.
std::string context_id(std::string_view context_name);

struct ContextMaterial {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  std::string host = std::string(kDefaultContextHost);
};

// Where a user's phoenix context lives (host paths).
struct ContextPaths {
  std::string docker_dir;    // ~/.docker
  std::string config_json;   // ~/.docker/config.json
  std::string meta_dir;      // ~/.docker/contexts/meta/<id>
  std::string meta_json;     // .../meta.json
  std::string tls_dir;       // ~/.docker/contexts/tls/<id>/docker
  std::string ca_pem;        // .../ca.pem
  std::string cert_pem;      // .../cert.pem
  std::string key_pem;       // .../key.pem
};
ContextPaths context_paths(const UserAccount& user);

// meta.json's exact bytes for a host (compact, key order as the CLI writes it).
std::string make_context_meta_json(std::string_view host);

// `"currentContext":"phoenix"` merged into config.json's text, every other key kept;
// empty text -> a fresh object. Not a JSON object -> Error "docker_config_invalid".
Result<std::string> merge_current_context(std::string_view existing_config_text);

// Writes meta.json, {ca,cert,key}.pem and config.json's currentContext. Everything owned by
// the user; directories 0700, key 0600, certs and meta 0644, config.json keeps its mode
// (0600 when new); every file written atomically. A config.json that is not valid JSON is
// an error ("docker_config_invalid") and is left untouched (nothing else written either).
Result<void> write_phoenix_context(fs::FileSystem& fs, const UserAccount& user, const ContextMaterial& material);

struct ContextStatus {
  bool present = false;         // meta.json exists and names the context
  bool current = false;         // config.json's currentContext == "phoenix"
  std::string host;             // Endpoints.docker.Host
  bool skip_tls_verify = false;
  bool has_tls_files = false;   // ca.pem, cert.pem, key.pem all present
  // ca.pem and cert.pem byte-identical to the expected material (only when given).
  std::optional<bool> matches_expected;
  std::vector<std::string> problems;  // each says what is wrong (rewriting the context fixes the rest)
  bool refused_paths = false;  // some problem is a path Phoenix will not use (a link, not the user's...):
                               // rewriting cannot fix that, the user must
  bool ok() const { return problems.empty(); }
};

ContextStatus inspect_phoenix_context(const fs::FileSystem& fs, const UserAccount& user,
                                      const std::optional<ContextMaterial>& expected = std::nullopt);

}  // namespace phoenix::agent::docker
