#include "agent/channel/enroll_command.hpp"

#include "agent/channel/agent_config.hpp"
#include "agent/channel/enroll_client.hpp"
#include "agent/channel/identity_store.hpp"
#include "shared/cli/command_table.hpp"
#include "shared/config/config_object.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/chain_verifier.hpp"
#include "shared/pki/private_key.hpp"
#include "shared/protocol/enroll_token.hpp"

#include <iostream>

namespace phoenix::agent {
namespace {

int fail(const std::string& message, int code = 1) {
  std::cerr << "phoenix-agent enroll: " << message << "\n";
  return code;
}

// What the hub sent must be what we asked for before anything is written.
Result<void> check_answer(const EnrollAnswer& answer, const pki::PrivateKey& key, const protocol::EnrollToken& token) {
  auto cert = pki::Certificate::from_pem(answer.cert_pem);
  if (!cert) return make_error("enroll_failed", "the hub sent an unusable certificate: " + cert.error().message);
  auto ca = pki::Certificate::from_pem(answer.ca_pem);
  if (!ca) return make_error("enroll_failed", "the hub sent an unusable CA: " + ca.error().message);
  if (ca->facts().sha256_fingerprint != token.ca_sha256) {
    return make_error("pin_mismatch", "the CA the hub sent is not the one the token pins; check the hub URL");
  }
  if (auto r = pki::check_key_matches(*cert, key); !r) return r.error();
  if (auto r = pki::verify_chain(*cert, {*ca}, pki::Usage::client_auth); !r) {
    return make_error("enroll_failed", "the identity the hub sent does not verify: " + r.error().message);
  }
  if (cert->facts().subject_cn != token.vm) {
    return make_error("enroll_failed", "the identity the hub sent is for '" + cert->facts().subject_cn + "'");
  }
  if (auto docker_ca = pki::certificates_from_pem(answer.docker_ca_pem); !docker_ca) {
    return make_error("enroll_failed", "the hub sent an unusable docker CA: " + docker_ca.error().message);
  }
  return ok();
}

}  // namespace

int run_enroll_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string token_text;
  std::string state_dir;
  std::string config_path = kDefaultAgentConfigPath;
  long timeout_ms = 10'000;
  po::options_description description("Options");
  description.add_options()
      ("token", po::value(&token_text), "the one-time token from `phoenix-hub token create --vm NAME` (required)")
      ("state-dir", po::value(&state_dir), "where the identity is kept (default /var/lib/phoenix-agent)")
      ("config", po::value(&config_path), "agent config file (default /etc/phoenix/agent.json, optional)")
      ("timeout-ms", po::value(&timeout_ms)->default_value(timeout_ms), "deadline of each network step");
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-agent enroll --token T", description, args, vm); rc >= 0) return rc;
  if (token_text.empty()) return fail("--token is required (from `phoenix-hub token create --vm NAME`)", 2);

  fs::RealFileSystem files;
  AgentConfig config;
  try {
    config = load_agent_config(files, config_path, vm.count("config") != 0);
  } catch (const config::ConfigError& e) {
    return fail(e.what(), 2);
  }
  if (!state_dir.empty()) config.state_dir = state_dir;

  auto token = protocol::decode_enroll_token(token_text);
  if (!token) return fail(token.error().message + " (paste the whole token, starting with phx1.)", 2);

  auto key = pki::PrivateKey::generate_p256();
  if (!key) return fail(key.error().to_string());
  auto csr = pki::CertificateRequest::create(*key, token->vm, {token->vm}, {});
  if (!csr) return fail(csr.error().to_string());

  EnrollClientOptions options;
  options.phase_timeout = std::chrono::milliseconds{std::max(100L, timeout_ms)};
  auto answer = request_enrollment(*token, csr->to_pem(), options);
  if (!answer) return fail(answer.error().message);
  if (auto checked = check_answer(*answer, *key, *token); !checked) return fail(checked.error().message);

  IdentityStore store(files, config.state_dir);
  if (auto repaired = store.repair(); !repaired) return fail("state dir: " + repaired.error().message);
  if (auto installed = store.install({key->to_pem(), answer->cert_pem, answer->ca_pem, answer->docker_ca_pem});
      !installed) {
    return fail("could not store the identity in " + config.state_dir + ": " + installed.error().message);
  }
  if (auto written = store.write_hub({token->hub_url, token->vm, token->ca_sha256}); !written) {
    return fail("could not write " + store.paths().hub_json + ": " + written.error().message);
  }
  const auto facts = pki::Certificate::from_pem(answer->cert_pem)->facts();
  std::cout << "enrolled " << token->vm << " with the hub at " << token->hub_url << " (identity serial "
            << facts.serial_hex << ", valid until " << pki::format_utc(facts.not_after) << ")\n"
            << "identity stored in " << store.paths().identity_dir << "; start the agent: phoenix-agent run\n";
  return 0;
}

}  // namespace phoenix::agent
