#include "hub/agents/enrollment_handler.hpp"

#include "shared/core/log.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/pki/digest.hpp"
#include "shared/protocol/enroll_token.hpp"

namespace phoenix::hub {
namespace {

constexpr const char* kLog = "agent-enroll";

Error invalid(std::string message) { return make_error("invalid_request", std::move(message)); }

bool is_token_refusal(const Error& e) {
  return e.code == "token_invalid" || e.code == "token_used" || e.code == "token_expired";
}

}  // namespace

Result<EnrollRequest> parse_enroll_request(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) return invalid("the body is not valid JSON");
  if (!json.is_object()) return invalid("the body must be a JSON object");
  for (const auto& [key, value] : json.items()) {
    if (key != "token_secret" && key != "vm" && key != "csr") {
      return invalid("unknown field '" + printable(key, 64) + "' (expected token_secret, vm, csr)");
    }
    if (!value.is_string()) return invalid("field '" + key + "' must be a string");
  }
  for (const char* key : {"token_secret", "vm", "csr"}) {
    if (!json.contains(key)) return invalid(std::string("missing field '") + key + "'");
  }
  EnrollRequest out{json["token_secret"].get<std::string>(), json["vm"].get<std::string>(),
                    json["csr"].get<std::string>()};
  if (!protocol::is_lower_hex_64(out.token_secret)) {
    return invalid("token_secret must be 64 lowercase hex characters (the token's secret)");
  }
  if (!protocol::is_valid_enroll_vm_name(out.vm)) {
    return invalid("vm is not a valid VM name");
  }
  if (out.csr_pem.empty() || out.csr_pem.size() > kMaxCsrPemBytes) {
    return invalid("csr must be one PEM certificate request of at most 16 KiB");
  }
  return out;
}

JsonReply error_reply(unsigned status, std::string_view code, std::string_view message) {
  return JsonReply{status, {{"error", {{"code", code}, {"message", message}}}}};
}

EnrollmentHandler::EnrollmentHandler(std::shared_ptr<HubStore> store,
                                     std::shared_ptr<const IdentityIssuer> issuer,
                                     std::function<std::string()> docker_ca_bundle)
    : store_(std::move(store)), issuer_(std::move(issuer)), docker_ca_bundle_(std::move(docker_ca_bundle)) {}

JsonReply EnrollmentHandler::handle(std::string_view body, const std::string& peer,
                                    pki::TimePoint now) const {
  // The caller is a stranger until its token checks out: every answer carries a stable code
  // and a message this hub wrote (names from the request only escaped, by printable());
  // what the store or OpenSSL said goes to the log only.
  auto refuse = [&](unsigned status, const Error& e) {
    log::warning(kLog, "enrollment from " + peer + " refused (" + std::to_string(status) +
                           "): " + e.to_string());
    return error_reply(status, e.code, e.message);
  };
  auto store_failed = [&](const Error& e) {
    log::error(kLog, "enrollment from " + peer + ": the store failed: " + e.to_string());
    return error_reply(503, "store_unavailable",
                       "the hub cannot use its store right now; try again later");
  };

  auto request = parse_enroll_request(body);
  if (!request) return refuse(400, request.error());

  // The token first, without spending it: a caller with no usable token learns nothing else,
  // and never reaches the CSR parser.
  const auto token_hash = pki::sha256_hex(request->token_secret);
  auto token_vm = store_->check_token(token_hash, now);
  if (!token_vm) {
    const auto& e = token_vm.error();
    if (is_token_refusal(e)) return refuse(401, e);
    return store_failed(e);
  }
  if (*token_vm != request->vm) {
    // The caller holds this token's secret, so naming its VM tells them nothing new.
    return refuse(403, make_error("name_not_allowed",
                                  "token is for " + *token_vm + ", CSR claims " + request->vm));
  }

  // Checked before the token is spent: a CSR that could never be signed for the VM the
  // request names must not cost the operator a token.
  if (auto checked = issuer_->check(request->csr_pem, request->vm); !checked) {
    const auto& e = checked.error();
    return refuse(e.code == "name_not_allowed" ? 403 : 400, e);
  }

  auto vm = store_->consume_token(token_hash, now);
  if (!vm) {
    const auto& e = vm.error();
    if (is_token_refusal(e)) return refuse(401, e);  // spent by a racing request
    return store_failed(e);
  }

  auto cert = issuer_->issue(request->csr_pem, *vm, now);
  if (!cert) {
    log::error(kLog, "signing the identity of " + *vm + " failed: " + cert.error().to_string());
    return error_reply(500, "internal_error", "the hub could not sign the certificate; see its log");
  }
  const auto facts = cert->facts();
  if (auto recorded = store_->record_enrollment(*vm, facts.serial_hex, facts.not_after, now);
      !recorded) {
    return store_failed(recorded.error());
  }
  log::notice(kLog, "agent " + *vm + " enrolled from " + peer + ": identity serial " +
                        facts.serial_hex + " valid until " + pki::format_utc(facts.not_after));
  return JsonReply{200, {{"cert", cert->to_pem()}, {"ca", issuer_->ca_pem()}, {"docker_ca", docker_ca_bundle_()}}};
}

}  // namespace phoenix::hub
