// POST /agent/v1/enroll, the one request a stranger can make to the agent endpoint: the body
// goes through the real EnrollmentHandler (JSON, token secret, VM name, CSR and its policy,
// the token in a real SQLite store, the signature) and the reply is serialised as the
// endpoint sends it. The input is the body; when it holds a well-formed token_secret, a token
// for vm1 with that secret exists, so the signing path is reached too.
#include "hub/agents/enrollment_handler.hpp"
#include "hub/agents/identity_issuer.hpp"
#include "hub/store/hub_store.hpp"
#include "shared/core/log.hpp"
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/digest.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

namespace {

using namespace phoenix;

struct Hub {
  Hub() {
    // RAM-backed where there is one: the store syncs every write.
    const std::string base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string dir = base + "/phoenix-fuzz-enroll-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) std::abort();
    dir_ = dir;
    store = std::shared_ptr<hub::HubStore>(hub::HubStore::open(dir + "/hub.db").value().release());
    auto ca = pki::CertificateAuthority::create("Fuzz Identity CA", std::chrono::hours{24 * 365}).value();
    auto issuer = std::make_shared<const hub::IdentityIssuer>(std::move(ca), std::chrono::hours{24});
    handler = std::make_unique<hub::EnrollmentHandler>(store, issuer, [] { return std::string("docker CA"); });
  }
  ~Hub() {
    handler.reset();
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  std::shared_ptr<hub::HubStore> store;
  std::unique_ptr<hub::EnrollmentHandler> handler;

 private:
  std::string dir_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::set_min_level(log::Level::error);  // one refusal line per input would flood the output
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Hub hub;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto now = std::chrono::system_clock::now();
  if (auto request = hub::parse_enroll_request(body); request) {
    (void)hub.store->add_token(pki::sha256_hex(request->token_secret), "vm1", now, now + std::chrono::hours{1});
  }
  const auto reply = hub.handler->handle(body, "192.0.2.1:40000", now);
  (void)(reply.body.dump() + "\n");  // what AgentConnection writes
  return 0;
}
