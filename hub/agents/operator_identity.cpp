#include "hub/agents/operator_identity.hpp"

#include "shared/pki/certificate.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/private_key.hpp"

#include <algorithm>
#include <ctime>

namespace phoenix::hub {
namespace {

std::string new_id(pki::TimePoint now) {
  const auto t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return stamp;
}

bool is_identity_dir(const std::string& name) {
  return name.size() >= 16 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || c == 'T' || c == 'Z' || c == '-';
         });
}

}  // namespace

std::optional<std::string> operator_identity_renewal_reason(std::optional<pki::TimePoint> not_before,
                                                            std::optional<pki::TimePoint> not_after,
                                                            bool ca_bundle_current, pki::TimePoint now) {
  if (!not_before || !not_after) return "there is no operator identity yet";
  if (!ca_bundle_current) return "the docker CA bundle changed";
  if (now >= *not_after) return "the operator identity expired";
  // Two thirds of the lifetime: a day-long identity is renewed after 16 hours, so every
  // client that re-reads its files daily always finds one with hours left.
  if (now >= *not_before + (*not_after - *not_before) * 2 / 3) return "two thirds of its lifetime have passed";
  return std::nullopt;
}

OperatorIdentity::OperatorIdentity(fs::FileSystem& fs, std::string state_dir,
                                   std::shared_ptr<const DockerTrust> trust, OperatorIdentityOptions options)
    : fs_(fs), dir_(std::move(state_dir) + "/operator"), trust_(std::move(trust)), options_(std::move(options)) {}

Result<std::optional<std::string>> OperatorIdentity::refresh(pki::TimePoint now) {
  std::optional<pki::TimePoint> not_before, not_after;
  bool ca_current = false;
  if (auto cert_pem = fs_.read_file(current_dir() + "/cert.pem")) {
    if (auto cert = pki::Certificate::from_pem(*cert_pem)) {
      const auto facts = cert->facts();
      not_before = facts.not_before;
      not_after = facts.not_after;
    }
  }
  if (auto ca = fs_.read_file(current_dir() + "/ca.pem")) ca_current = *ca == trust_->bundle_pem();
  auto reason = operator_identity_renewal_reason(not_before, not_after, ca_current, now);
  if (!reason) return std::optional<std::string>();
  if (auto written = write_new(now); !written) return written.error();
  return reason;
}

Result<void> OperatorIdentity::write_new(pki::TimePoint now) {
  auto key = pki::PrivateKey::generate_p256();
  if (!key) return key.error();
  auto csr = pki::CertificateRequest::create(*key, options_.common_name, {}, {});
  if (!csr) return csr.error();
  auto cert = trust_->issue_operator(csr->to_pem(), options_.common_name, options_.lifetime, now);
  if (!cert) return cert.error();

  std::string id = new_id(now);
  for (int n = 2; fs_.exists(dir_ + "/" + id); ++n) id = new_id(now) + "-" + std::to_string(n);
  const std::string target = dir_ + "/" + id;
  if (auto r = fs_.create_directories(dir_, 0700); !r) return r;
  if (auto r = fs_.set_mode(dir_, 0700); !r) return r;
  if (auto r = fs_.create_directories(target, 0700); !r) return r;
  fs::WriteOptions secret;
  secret.mode = 0600;
  if (auto r = fs_.write_file_atomic(target + "/key.pem", key->to_pem(), secret); !r) return r;
  if (auto r = fs_.write_file_atomic(target + "/cert.pem", cert->to_pem()); !r) return r;
  if (auto r = fs_.write_file_atomic(target + "/ca.pem", trust_->bundle_pem()); !r) return r;

  std::optional<std::string> previous;
  if (auto link = fs_.read_symlink(current_dir())) previous = *link;
  if (auto r = fs_.symlink_atomic(id, current_dir()); !r) return r;
  // Keep the one before (a client may still be reading it); drop older ones.
  if (auto entries = fs_.list_directory(dir_)) {
    for (const auto& name : *entries) {
      if (name == id || (previous && name == *previous) || !is_identity_dir(name)) continue;
      (void)fs_.remove_tree(dir_ + "/" + name);
    }
  }
  return ok();
}

}  // namespace phoenix::hub
