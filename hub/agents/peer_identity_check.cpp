#include "hub/agents/peer_identity_check.hpp"

#include "shared/pki/certificate.hpp"

#include <openssl/x509_vfy.h>

namespace phoenix::hub {
namespace {

PeerDecision refuse(unsigned status, std::string code, std::string reason) {
  return PeerDecision{false, status, std::move(code), std::move(reason)};
}

}  // namespace

PeerDecision decide_peer(const PeerCertificateFacts& cert, const PeerStoreFacts& store,
                         pki::TimePoint now) {
  if (!cert.present) {
    return refuse(401, "client_cert_required",
                  "no client certificate: the agent channel needs the agent's identity cert "
                  "(enroll the agent first)");
  }
  if (!cert.chain_verified) {
    return refuse(401, "client_cert_invalid", "client certificate refused: " + cert.verify_error);
  }
  // The TLS layer checked these already; checking again keeps the rule in one readable place
  // and safe should the TLS configuration ever change.
  if (now >= cert.not_after) {
    return refuse(401, "cert_expired",
                  "client certificate expired at " + pki::format_utc(cert.not_after));
  }
  if (now < cert.not_before) {
    return refuse(401, "cert_not_yet_valid",
                  "client certificate not valid before " + pki::format_utc(cert.not_before));
  }
  if (!cert.client_auth) {
    return refuse(403, "wrong_purpose", "client certificate does not allow clientAuth");
  }
  const std::string who = "'" + cert.common_name + "' (serial " + cert.serial_hex + ")";
  if (store.serial_revoked || store.name_revoked) {
    return refuse(403, "agent_revoked", "identity " + who + " is revoked");
  }
  if (!store.enrolled) {
    return refuse(403, "agent_not_enrolled", "CN " + who + " is not an enrolled agent");
  }
  if (cert.serial_hex != store.current_serial && !store.previous_serial) {
    return refuse(403, "cert_superseded",
                  "identity " + who + " is not the agent's current identity (serial " +
                      store.current_serial + ")");
  }
  return PeerDecision{true, 0, "", ""};
}

PeerCertificateFacts read_peer_certificate(SSL* ssl) {
  PeerCertificateFacts out;
  pki::X509Ptr peer(SSL_get1_peer_certificate(ssl));
  if (!peer) return out;
  out.present = true;
  const long verify = SSL_get_verify_result(ssl);
  out.chain_verified = verify == X509_V_OK;
  out.verify_error = describe_verify_result(verify);
  const pki::CertFacts facts = pki::Certificate(std::move(peer)).facts();
  out.common_name = facts.subject_cn;
  out.serial_hex = facts.serial_hex;
  out.client_auth = facts.has_extended_key_usage && facts.has_usage(pki::Usage::client_auth);
  out.not_before = facts.not_before;
  out.not_after = facts.not_after;
  return out;
}

Result<PeerStoreFacts> lookup_peer(HubStore& store, const AgentRegistry& registry,
                                   const PeerCertificateFacts& cert) {
  PeerStoreFacts out;
  auto serial_revoked = store.is_revoked_serial(cert.serial_hex);
  if (!serial_revoked) return serial_revoked.error();
  out.serial_revoked = *serial_revoked;
  auto name_revoked = store.is_revoked_name(cert.common_name);
  if (!name_revoked) return name_revoked.error();
  out.name_revoked = *name_revoked;
  auto agent = store.get_agent(cert.common_name);
  if (!agent) return agent.error();
  if (agent->has_value()) {
    out.enrolled = true;
    out.current_serial = (*agent)->cert_serial;
    out.name_revoked = out.name_revoked || (*agent)->revoked;
  }
  out.previous_serial = registry.is_previous_serial(cert.common_name, cert.serial_hex);
  return out;
}

std::string describe_verify_result(long verify_result) {
  if (verify_result == X509_V_OK) return "";
  std::string what;
  switch (verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED: what = "client certificate expired"; break;
    case X509_V_ERR_CERT_NOT_YET_VALID: what = "client certificate not yet valid"; break;
    case X509_V_ERR_INVALID_PURPOSE: what = "client certificate does not allow clientAuth"; break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      what = "client certificate not issued by the identity CA (unknown CA)";
      break;
    default: what = "client certificate failed verification"; break;
  }
  return what + " (" + X509_verify_cert_error_string(verify_result) + ")";
}

}  // namespace phoenix::hub
