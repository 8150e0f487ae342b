#include "hub/admin/server_cert_renewal.hpp"

#include "shared/pki/certificate_request.hpp"
#include "shared/pki/chain_verifier.hpp"

namespace phoenix::hub {
namespace {

constexpr const char* kServerCommonName = "phoenix-hub";

Result<std::string> read(fs::FileSystem& fs, const std::string& path) {
  auto text = fs.read_file(path);
  if (!text) {
    return make_error("not_initialized", "cannot read " + path + " (" + text.error().message +
                                             "): the state dir is incomplete; run `phoenix-hub init` into a "
                                             "fresh --state-dir");
  }
  return text;
}

}  // namespace

Result<ServerKeyAndCert> issue_hub_server_cert(const pki::CertificateAuthority& ca,
                                               const std::set<std::string>& dns_names,
                                               const std::set<std::string>& ips, std::chrono::seconds lifetime,
                                               pki::TimePoint now) {
  // The hub's key is generated here, where it is used, like every Phoenix key.
  auto key = pki::PrivateKey::generate_p256();
  if (!key) return key.error();
  std::vector<std::string> dns(dns_names.begin(), dns_names.end());
  std::vector<std::string> ip_list(ips.begin(), ips.end());
  auto csr = pki::CertificateRequest::create(*key, kServerCommonName, dns, ip_list);
  if (!csr) return csr.error();
  pki::SigningPolicy policy;
  policy.common_name = kServerCommonName;
  policy.dns_names = dns_names;
  policy.ip_addresses = ips;
  policy.usage = pki::Usage::server_auth;
  policy.lifetime = lifetime;
  auto cert = ca.sign(*csr, policy, now);
  if (!cert) return cert.error();
  return ServerKeyAndCert{std::move(*key), std::move(*cert)};
}

Result<ServerCertState> renew_server_cert_if_due(fs::FileSystem& fs, const HubPaths& paths, pki::TimePoint now) {
  auto chain_pem = read(fs, paths.hub_cert);
  if (!chain_pem) return chain_pem.error();
  auto key_pem = read(fs, paths.hub_key);
  if (!key_pem) return key_pem.error();
  auto chain = pki::certificates_from_pem(*chain_pem);
  if (!chain) return make_error(chain.error().code, paths.hub_cert + ": " + chain.error().message);
  const auto facts = chain->front().facts();
  auto key = pki::PrivateKey::from_pem(*key_pem);
  const bool key_matches = key && pki::check_key_matches(chain->front(), *key);

  ServerCertState out;
  out.not_before = facts.not_before;
  out.not_after = facts.not_after;
  out.serial_hex = facts.serial_hex;
  out.chain_pem = *chain_pem;
  out.key_pem = *key_pem;

  auto ca_cert_pem = read(fs, paths.identity_ca_cert);
  if (!ca_cert_pem) return ca_cert_pem.error();
  auto ca_cert = pki::Certificate::from_pem(*ca_cert_pem);
  if (!ca_cert) return make_error(ca_cert.error().code, paths.identity_ca_cert + ": " + ca_cert.error().message);
  auto decision = decide_server_renewal(facts.not_before, facts.not_after, ca_cert->facts().not_after, now);
  out.next_check = decision.due_at;
  out.reason = decision.reason;
  if (!decision.renew && key_matches) return out;
  if (!key_matches) out.reason = paths.hub_key + " does not belong to " + paths.hub_cert + " (a renewal cut short?)";

  // Only now is the CA key read: most checks end above.
  auto ca_key_pem = read(fs, paths.identity_ca_key);
  if (!ca_key_pem) return ca_key_pem.error();
  auto ca = pki::CertificateAuthority::load(*ca_cert_pem, *ca_key_pem);
  if (!ca) return make_error(ca.error().code, "identity CA: " + ca.error().message);
  // The same names as before: agents dial one of them and check it.
  const std::set<std::string> dns(facts.dns_names.begin(), facts.dns_names.end());
  const std::set<std::string> ips(facts.ip_addresses.begin(), facts.ip_addresses.end());
  auto issued = issue_hub_server_cert(*ca, dns, ips, kHubServerCertLifetime, now);
  if (!issued) return issued.error();
  const auto new_facts = issued->cert.facts();
  out.key_pem = issued->key.to_pem();
  out.chain_pem = issued->cert.to_pem() + ca->certificate().to_pem();
  // Key first: if the cert write fails, the next check sees a key that does not match and
  // renews again, rather than serving a cert whose key is gone.
  if (auto r = fs.write_file_atomic(paths.hub_key, out.key_pem, fs::WriteOptions{.mode = 0600}); !r) return r.error();
  if (auto r = fs.write_file_atomic(paths.hub_cert, out.chain_pem, fs::WriteOptions{.mode = 0644}); !r) {
    return r.error();
  }
  out.renewed = true;
  out.not_before = new_facts.not_before;
  out.not_after = new_facts.not_after;
  out.serial_hex = new_facts.serial_hex;
  out.next_check = decide_server_renewal(new_facts.not_before, new_facts.not_after, ca->certificate().facts().not_after,
                                         now).due_at;
  return out;
}

}  // namespace phoenix::hub
