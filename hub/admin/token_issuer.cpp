#include "hub/admin/token_issuer.hpp"

#include "hub/admin/enroll_secret.hpp"
#include "hub/admin/hub_paths.hpp"
#include "hub/vms/vm_name.hpp"
#include "shared/pki/certificate.hpp"

namespace phoenix::hub {

Result<IssuedToken> issue_enroll_token(const fs::FileSystem& fs, HubStore& store,
                                       const std::string& identity_ca_pem_path,
                                       const std::string& vm, const std::string& hub_url,
                                       std::chrono::seconds ttl, StoreTime now) {
  if (auto r = validate_vm_name(vm); !r) return r.error();
  if (ttl <= std::chrono::seconds::zero() || ttl > kMaxEnrollTtl) {
    return make_error("invalid_ttl", "the token lifetime must be between 1 second and 7 days");
  }
  if (host_of_wss_url(hub_url).empty()) {
    return make_error("invalid_hub_url",
                      "hub URL \"" + hub_url.substr(0, 128) +
                          "\" is not wss://HOST:PORT: set agent_endpoint.public_url in the hub "
                          "config or pass --hub-url wss://HOST:8443");
  }
  auto pem = fs.read_file(identity_ca_pem_path);
  if (!pem) {
    if (pem.error().code == "not_found") {
      return make_error("not_initialized", identity_ca_pem_path +
                                               " does not exist: run `phoenix-hub init` (with the "
                                               "same --state-dir) first");
    }
    return pem.error();
  }
  auto ca = pki::Certificate::from_pem(*pem);
  if (!ca) {
    return make_error(ca.error().code, identity_ca_pem_path + ": " + ca.error().message);
  }

  IssuedToken issued;
  issued.token = protocol::EnrollToken{hub_url, ca->facts().sha256_fingerprint, vm, new_enroll_secret()};
  issued.expires_at = now + ttl;
  if (auto r = store.add_token(hash_enroll_secret(issued.token.secret), vm, now, issued.expires_at); !r) {
    return r.error();
  }
  // Housekeeping: tokens long past their expiry tell nobody anything.
  if (auto r = store.prune_tokens(now - std::chrono::hours(24 * 30)); !r) return r.error();
  issued.text = protocol::encode_enroll_token(issued.token);
  return issued;
}

}  // namespace phoenix::hub
