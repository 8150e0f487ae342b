#include "hub/admin/admin_commands.hpp"

#include "hub/admin/enroll_secret.hpp"
#include "hub/admin/hub_paths.hpp"
#include "hub/store/hub_store.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/chain_verifier.hpp"
#include "shared/protocol/enroll_token.hpp"
#include "tests/hub/admin/admin_support.hpp"
#include "tests/hub/store/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
using testing::CommandRun;
using testing::run_command;
using testing::TempDir;

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::string read(const std::string& path) {
  fs::RealFileSystem fs;
  auto text = fs.read_file(path);
  return text ? *text : std::string();
}

class AdminCommandsTest : public ::testing::Test {
 protected:
  std::vector<std::string> common() const { return {"--state-dir", state_, "--config", config_}; }
  std::vector<std::string> with_common(std::vector<std::string> args) const {
    for (const auto& a : common()) args.push_back(a);
    return args;
  }
  CommandRun init(std::vector<std::string> extra = {}) {
    return run_command(static_cast<int (*)(const std::vector<std::string>&, std::ostream&, std::ostream&)>(
                           run_init_command),
                       with_common(std::move(extra)));
  }
  CommandRun token_create(std::vector<std::string> extra) {
    return run_command(static_cast<int (*)(const std::vector<std::string>&, std::ostream&, std::ostream&)>(
                           run_token_create_command),
                       with_common(std::move(extra)));
  }
  CommandRun revoke(std::vector<std::string> extra) {
    return run_command(static_cast<int (*)(const std::vector<std::string>&, std::ostream&, std::ostream&)>(
                           run_revoke_command),
                       with_common(std::move(extra)));
  }
  std::unique_ptr<HubStore> open_store() {
    auto store = HubStore::open(paths_.database);
    EXPECT_TRUE(store);
    return store ? std::move(*store) : nullptr;
  }

  TempDir dir_;
  std::string state_ = dir_.file("state");
  std::string config_ = dir_.file("etc/hub.json");
  HubPaths paths_ = hub_paths(state_);
};

TEST_F(AdminCommandsTest, InitMakesTheStateDirectory) {
  const auto run = init({"--san", "hub.example", "--san", "10.1.2.3"});
  ASSERT_EQ(run.rc, 0) << run.err;

  for (const auto& dir : {paths_.state_dir, paths_.ca_dir, paths_.tls_dir, paths_.logs_dir}) {
    EXPECT_EQ(mode_of(dir), 0700u) << dir;
  }
  for (const auto& key : {paths_.identity_ca_key, paths_.docker_ca_key, paths_.hub_key}) {
    EXPECT_EQ(mode_of(key), 0600u) << key;
  }
  for (const auto& cert : {paths_.identity_ca_cert, paths_.docker_ca_cert, paths_.hub_cert}) {
    EXPECT_NE(mode_of(cert), 0u) << cert;
  }
  EXPECT_EQ(mode_of(paths_.database), 0600u);

  auto identity = pki::CertificateAuthority::load(read(paths_.identity_ca_cert), read(paths_.identity_ca_key));
  ASSERT_TRUE(identity) << identity.error().to_string();
  auto docker = pki::CertificateAuthority::load(read(paths_.docker_ca_cert), read(paths_.docker_ca_key));
  ASSERT_TRUE(docker) << docker.error().to_string();
  const auto id_facts = identity->certificate().facts();
  EXPECT_TRUE(id_facts.is_ca);
  EXPECT_NE(id_facts.sha256_fingerprint, docker->certificate().facts().sha256_fingerprint);
  EXPECT_GT(id_facts.not_after - id_facts.not_before, std::chrono::hours(24 * 365 * 9));
  EXPECT_NE(run.out.find("identity CA fingerprint (sha256): " + id_facts.sha256_fingerprint),
            std::string::npos)
      << run.out;

  // The server cert file holds the leaf then the identity CA, so agents can pin the CA.
  auto chain = pki::certificates_from_pem(read(paths_.hub_cert));
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[1].facts().sha256_fingerprint, id_facts.sha256_fingerprint);
  const auto& leaf = (*chain)[0];
  EXPECT_TRUE(pki::verify_chain(leaf, {identity->certificate()}, pki::Usage::server_auth));
  EXPECT_FALSE(pki::verify_chain(leaf, {identity->certificate()}, pki::Usage::client_auth));
  EXPECT_FALSE(pki::verify_chain(leaf, {docker->certificate()}, pki::Usage::server_auth));
  EXPECT_TRUE(pki::check_covers(leaf, {"localhost", "hub.example"}, {"127.0.0.1", "::1", "10.1.2.3"}));
  auto key = pki::PrivateKey::from_pem(read(paths_.hub_key));
  ASSERT_TRUE(key);
  EXPECT_TRUE(pki::check_key_matches(leaf, *key));
  EXPECT_TRUE(key->require_p256());
  const auto leaf_facts = leaf.facts();
  EXPECT_LE(leaf_facts.not_after - leaf_facts.not_before, std::chrono::hours(24 * 366));

  // The default config names this host as the public URL.
  const auto config = nlohmann::json::parse(read(config_));
  EXPECT_EQ(config["agent_endpoint"]["listen"], "0.0.0.0:8443");
  EXPECT_EQ(config["api"]["listen"], "127.0.0.1:8082");
}

TEST_F(AdminCommandsTest, SecondInitIsRefusedAndChangesNothing) {
  ASSERT_EQ(init().rc, 0);
  const auto before = read(paths_.identity_ca_key);
  const auto again = init();
  EXPECT_NE(again.rc, 0);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("remove the state directory"), std::string::npos) << again.err;
  EXPECT_EQ(read(paths_.identity_ca_key), before);
}

TEST_F(AdminCommandsTest, InitKeepsAnExistingConfigAndCoversItsPublicHost) {
  fs::RealFileSystem fs;
  const std::string custom = R"({"agent_endpoint":{"public_url":"wss://hyper.lan:9443"}})";
  ASSERT_TRUE(fs.create_directories(fs::parent_path(config_), 0755));
  ASSERT_TRUE(fs.write_file_atomic(config_, custom));
  const auto run = init();
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_EQ(read(config_), custom);
  auto chain = pki::certificates_from_pem(read(paths_.hub_cert));
  ASSERT_TRUE(chain);
  EXPECT_TRUE(pki::check_covers((*chain)[0], {"hyper.lan"}, {}));
}

TEST_F(AdminCommandsTest, InitWritesAnApiWriteTokenShownOnceIntoAPrivateConfig) {
  const auto run = init();
  ASSERT_EQ(run.rc, 0) << run.err;
  const auto config = nlohmann::json::parse(read(config_));
  ASSERT_TRUE(config["api"]["tokens"].is_array()) << config.dump();
  ASSERT_EQ(config["api"]["tokens"].size(), 1u);
  const auto token = config["api"]["tokens"][0]["token"].get<std::string>();
  EXPECT_EQ(config["api"]["tokens"][0]["role"], "write");
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << token;
  // The file holds the token in clear: its owner only.
  EXPECT_EQ(mode_of(config_), 0600u);
  EXPECT_NE(run.out.find(token), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Authorization: Bearer"), std::string::npos) << run.out;
  EXPECT_EQ(run.err.find("warning"), std::string::npos) << run.err;
}

TEST_F(AdminCommandsTest, InitWithNoTokenLeavesTheApiOpenToLocalUsersAndSaysSo) {
  const auto run = init({"--no-token"});
  ASSERT_EQ(run.rc, 0) << run.err;
  const auto config = nlohmann::json::parse(read(config_));
  EXPECT_FALSE(config["api"].contains("tokens")) << config.dump();
  EXPECT_EQ(mode_of(config_), 0644u);
  EXPECT_NE(run.out.find("no API token (--no-token)"), std::string::npos) << run.out;
}

TEST_F(AdminCommandsTest, InitWarnsWhenTheConfigItKeepsHasNoApiToken) {
  fs::RealFileSystem fs;
  ASSERT_TRUE(fs.create_directories(fs::parent_path(config_), 0755));
  ASSERT_TRUE(fs.write_file_atomic(config_, R"({"api":{"listen":"127.0.0.1:8082"}})"));
  const auto run = init();
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.err.find("has no api.tokens"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("API write token"), std::string::npos) << run.out;
  // An operator's config with a token of its own: nothing to warn about.
  TempDir other;
  const auto other_config = other.file("hub.json");
  ASSERT_TRUE(fs.write_file_atomic(other_config,
                                   R"({"api":{"tokens":[{"token":"0123456789abcdef0123","role":"read"}]}})"));
  const auto kept = run_command(
      static_cast<int (*)(const std::vector<std::string>&, std::ostream&, std::ostream&)>(run_init_command),
      {"--state-dir", other.file("state"), "--config", other_config});
  ASSERT_EQ(kept.rc, 0) << kept.err;
  EXPECT_EQ(kept.err.find("api.tokens"), std::string::npos) << kept.err;
}

TEST_F(AdminCommandsTest, InitRefusesABadSanBeforeWritingAnything) {
  const auto run = init({"--san", "not a name!"});
  EXPECT_NE(run.rc, 0);
  EXPECT_NE(run.err.find("--san"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::RealFileSystem().exists(paths_.state_dir));
  EXPECT_FALSE(fs::RealFileSystem().exists(config_));
}

TEST_F(AdminCommandsTest, HelpExitsZero) {
  EXPECT_EQ(init({"--help"}).rc, 0);
  EXPECT_EQ(token_create({"--help"}).rc, 0);
  EXPECT_EQ(revoke({"--help"}).rc, 0);
}

TEST_F(AdminCommandsTest, TokenCreatePrintsADecodableTokenWhoseHashIsStored) {
  ASSERT_EQ(init().rc, 0);
  fs::RealFileSystem fs;
  ASSERT_TRUE(fs.write_file_atomic(config_, R"({"agent_endpoint":{"public_url":"wss://hyper.example:8443"}})"));

  const auto run = token_create({"--vm", "vm1", "--ttl", "30m"});
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.err.find("vm1"), std::string::npos);
  auto token = protocol::decode_enroll_token(run.last_line());
  ASSERT_TRUE(token) << token.error().to_string() << "\n" << run.out;
  EXPECT_EQ(token->vm, "vm1");
  EXPECT_EQ(token->hub_url, "wss://hyper.example:8443");
  auto ca = pki::Certificate::from_pem(read(paths_.identity_ca_cert));
  ASSERT_TRUE(ca);
  EXPECT_EQ(token->ca_sha256, ca->facts().sha256_fingerprint);

  auto store = open_store();
  ASSERT_TRUE(store);
  const auto now = std::chrono::system_clock::now();
  // Still valid in 29 minutes, expired after 31: the TTL was applied.
  auto expired = store->consume_token(hash_enroll_secret(token->secret), now + 31min);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, "token_expired");
  auto vm = store->consume_token(hash_enroll_secret(token->secret), now + 29min);
  ASSERT_TRUE(vm) << vm.error().to_string();
  EXPECT_EQ(*vm, "vm1");
}

TEST_F(AdminCommandsTest, TokenCreateHubUrlFlagOverridesTheConfig) {
  ASSERT_EQ(init().rc, 0);
  const auto run = token_create({"--vm", "vm2", "--hub-url", "wss://10.0.0.1:8443"});
  ASSERT_EQ(run.rc, 0) << run.err;
  auto token = protocol::decode_enroll_token(run.last_line());
  ASSERT_TRUE(token);
  EXPECT_EQ(token->hub_url, "wss://10.0.0.1:8443");
}

TEST_F(AdminCommandsTest, TokenCreateRefusesBadInput) {
  ASSERT_EQ(init().rc, 0);
  for (const char* name : {"", "-vm", "../x", "vm 1", "a/b"}) {
    const auto run = token_create({"--vm", name});
    EXPECT_NE(run.rc, 0) << name;
    EXPECT_EQ(run.out, "") << name;
  }
  const auto long_name = token_create({"--vm", std::string(65, 'a')});
  EXPECT_NE(long_name.rc, 0);
  EXPECT_NE(long_name.err.find("invalid VM name"), std::string::npos) << long_name.err;

  const auto ttl = token_create({"--vm", "vm1", "--ttl", "8d"});
  EXPECT_NE(ttl.rc, 0);
  EXPECT_NE(ttl.err.find("7 days"), std::string::npos) << ttl.err;

  const auto url = token_create({"--vm", "vm1", "--hub-url", "https://x:8443"});
  EXPECT_NE(url.rc, 0);
  EXPECT_NE(url.err.find("wss://"), std::string::npos) << url.err;

  EXPECT_NE(token_create({}).rc, 0);  // --vm is required
}

TEST_F(AdminCommandsTest, TokenCreateBeforeInitSaysToRunInit) {
  const auto run = token_create({"--vm", "vm1", "--hub-url", "wss://h:8443"});
  EXPECT_NE(run.rc, 0);
  EXPECT_NE(run.err.find("phoenix-hub init"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::RealFileSystem().exists(paths_.database));
}

TEST_F(AdminCommandsTest, RevokeMarksTheAgentAndDeniesItsSerial) {
  ASSERT_EQ(init().rc, 0);
  {
    auto store = open_store();
    ASSERT_TRUE(store->record_enrollment("vm1", "0A0B", std::chrono::system_clock::now() + 168h,
                                         std::chrono::system_clock::now()));
  }
  const auto run = revoke({"--vm", "vm1"});
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.out.find("0A0B"), std::string::npos);
  auto store = open_store();
  EXPECT_TRUE(*store->is_revoked_name("vm1"));
  EXPECT_TRUE(*store->is_revoked_serial("0A0B"));
}

TEST_F(AdminCommandsTest, RevokeUnknownVmFails) {
  ASSERT_EQ(init().rc, 0);
  const auto run = revoke({"--vm", "ghost"});
  EXPECT_NE(run.rc, 0);
  EXPECT_NE(run.err.find("no agent named \"ghost\""), std::string::npos) << run.err;
  EXPECT_NE(revoke({"--vm", "../x"}).rc, 0);
}

TEST_F(AdminCommandsTest, RevokeBeforeInitSaysToRunInit) {
  const auto run = revoke({"--vm", "vm1"});
  EXPECT_NE(run.rc, 0);
  EXPECT_NE(run.err.find("phoenix-hub init"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace phoenix::hub
