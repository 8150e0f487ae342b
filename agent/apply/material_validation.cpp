#include "agent/apply/material_validation.hpp"

#include "shared/pki/chain_verifier.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/private_key.hpp"

namespace phoenix::agent::apply {
namespace {

// "cert_expired" -> "expired": the role prefix already says it is a cert.
std::string reason_of(const std::string& pki_code) {
  if (pki_code.rfind("cert_", 0) == 0) return pki_code.substr(5);
  return pki_code;
}

Error refuse(const std::string& role, const std::string& reason, const std::string& path,
             const std::string& detail, const std::string& todo) {
  return make_error(role + "_" + reason, path + ": " + detail + "; " + todo + ". Nothing was changed.");
}

Result<void> check_leaf(const std::string& role, const std::string& path, const pki::Certificate& leaf,
                        const std::vector<pki::Certificate>& roots, const std::string& roots_path,
                        pki::Usage usage, pki::TimePoint now, std::vector<std::string>& notes) {
  auto verified = pki::verify_chain(leaf, roots, usage, now, pki::ChainRules::as_dockerd);
  if (verified) {
    if (auto strict = pki::verify_chain(leaf, roots, usage, now); !strict) {
      notes.push_back(path + ": dockerd accepts this chain, so it is installed, but it is not RFC 5280 "
                      "strict: " + strict.error().message + " (a CA made by `openssl req -x509` lacks "
                      "keyUsage; Phoenix's own CAs carry it)");
    }
    return ok();
  }
  const std::string reason = reason_of(verified.error().code);
  std::string todo = "issue a new one from the given CA";
  if (reason == "unknown_ca") todo = "it is not signed by " + roots_path + "; pass the CA that issued it";
  if (reason == "wrong_purpose") {
    todo = std::string("it must carry the extended key usage ") + std::string(pki::to_string(usage));
  }
  if (reason == "not_yet_valid") todo = "check this machine's clock, or wait until it becomes valid";
  return refuse(role, reason, path, verified.error().message, todo);
}

}  // namespace

Result<ValidatedMaterial> validate_material(const CertFiles& files, pki::TimePoint now,
                                            const std::vector<std::string>& extra_dns,
                                            const std::vector<std::string>& extra_ips) {
  auto roots = pki::certificates_from_pem(files.ca_pem);
  if (!roots) {
    return refuse("ca", "invalid_pem", files.ca_path, roots.error().message, "pass a PEM CA certificate");
  }
  auto client_roots = files.client_ca_pem.empty() ? roots : pki::certificates_from_pem(files.client_ca_pem);
  if (!client_roots) {
    return refuse("client_ca", "invalid_pem", files.client_ca_path, client_roots.error().message,
                  "pass PEM CA certificates");
  }
  auto server = pki::Certificate::from_pem(files.server_cert_pem);
  if (!server) {
    return refuse("server_cert", "invalid_pem", files.server_cert_path, server.error().message,
                  "pass one PEM certificate");
  }
  auto server_key = pki::PrivateKey::from_pem(files.server_key_pem);
  if (!server_key) {
    return refuse("server_key", "invalid_pem", files.server_key_path, server_key.error().message,
                  "pass an unencrypted PEM private key");
  }
  auto client = pki::Certificate::from_pem(files.client_cert_pem);
  if (!client) {
    return refuse("client_cert", "invalid_pem", files.client_cert_path, client.error().message,
                  "pass one PEM certificate");
  }
  auto client_key = pki::PrivateKey::from_pem(files.client_key_pem);
  if (!client_key) {
    return refuse("client_key", "invalid_pem", files.client_key_path, client_key.error().message,
                  "pass an unencrypted PEM private key");
  }
  if (auto r = pki::check_key_matches(*server, *server_key); !r) {
    return refuse("server_key", "mismatch", files.server_key_path,
                  "this key does not belong to " + files.server_cert_path, "pass the key the server cert was issued for");
  }
  if (auto r = pki::check_key_matches(*client, *client_key); !r) {
    return refuse("client_key", "mismatch", files.client_key_path,
                  "this key does not belong to " + files.client_cert_path, "pass the key the client cert was issued for");
  }
  std::vector<std::string> notes;
  if (auto r = check_leaf("server_cert", files.server_cert_path, *server, *roots, files.ca_path, pki::Usage::server_auth, now, notes);
      !r) {
    return r.error();
  }
  if (auto r = check_leaf("client_cert", files.client_cert_path, *client, *client_roots,
                            files.client_ca_pem.empty() ? files.ca_path : files.client_ca_path, pki::Usage::client_auth, now, notes);
      !r) {
    return r.error();
  }
  std::vector<std::string> dns{"localhost"};
  dns.insert(dns.end(), extra_dns.begin(), extra_dns.end());
  std::vector<std::string> ips{"127.0.0.1"};
  ips.insert(ips.end(), extra_ips.begin(), extra_ips.end());
  if (auto r = pki::check_covers(*server, dns, ips); !r) {
    return refuse("server_cert", "san_missing", files.server_cert_path, r.error().message,
                  "the docker context and the verifier dial 127.0.0.1 and localhost; issue a server cert "
                  "whose subjectAltName covers them");
  }
  const auto server_facts = server->facts();
  const auto client_facts = client->facts();
  ValidatedMaterial out;
  out.files = files;
  out.server_serial = server_facts.serial_hex;
  out.client_serial = client_facts.serial_hex;
  out.server_not_after = pki::format_utc(server_facts.not_after);
  out.client_not_after = pki::format_utc(client_facts.not_after);
  out.notes = std::move(notes);
  return out;
}

}  // namespace phoenix::agent::apply
