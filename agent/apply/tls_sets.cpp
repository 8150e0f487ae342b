#include "agent/apply/tls_sets.hpp"

#include <algorithm>
#include <ctime>

namespace phoenix::agent::apply {
namespace {

constexpr const char* kSetsPrefix = "sets/";

Result<void> write(fs::FileSystem& fs, const std::string& path, const std::string& content, mode_t mode) {
  fs::WriteOptions options;
  options.mode = mode;
  return fs.write_file_atomic(path, content, options);
}

}  // namespace

TlsSets::TlsSets(fs::FileSystem& fs, std::string tls_dir) : fs_(fs), tls_dir_(std::move(tls_dir)) {}

Result<std::optional<std::string>> TlsSets::current_set() const {
  if (!fs_.exists(current_link())) return std::optional<std::string>{};
  auto target = fs_.read_symlink(current_link());
  if (!target) {
    return make_error("tls_layout_unexpected", current_link() + " exists but is not a symlink; move it away "
                                               "(it is not Phoenix's) and run again");
  }
  std::string id = *target;
  if (id.rfind(kSetsPrefix, 0) != 0 || id.size() == std::string(kSetsPrefix).size() ||
      id.find('/', std::string(kSetsPrefix).size()) != std::string::npos) {
    return make_error("tls_layout_unexpected",
                      current_link() + " points at '" + *target + "', not at sets/<id>; fix or remove it");
  }
  return std::optional<std::string>(id.substr(std::string(kSetsPrefix).size()));
}

std::string TlsSets::new_set_id(std::chrono::system_clock::time_point now, const std::string& serial_hex) const {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::string serial = serial_hex.substr(0, 12);
  std::transform(serial.begin(), serial.end(), serial.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string base = std::string(stamp) + "-" + (serial.empty() ? "0" : serial);
  std::string id = base;
  for (int n = 2; fs_.exists(set_dir(id)); ++n) id = base + "-" + std::to_string(n);
  return id;
}

Result<void> TlsSets::stage(const std::string& id, const SetMaterial& m) {
  const std::string dir = set_dir(id);
  if (auto r = fs_.remove_tree(dir); !r) return r;
  if (auto r = fs_.create_directories(dir, 0700); !r) return r;
  if (auto r = fs_.set_mode(dir, 0700); !r) return r;
  if (auto r = write(fs_, dir + "/" + kCaFile, m.ca_pem, 0644); !r) return r;
  if (auto r = write(fs_, dir + "/" + kClientCaFile, m.effective_client_ca(), 0644); !r) return r;
  if (auto r = write(fs_, dir + "/" + kServerCertFile, m.server_cert_pem, 0644); !r) return r;
  if (auto r = write(fs_, dir + "/" + kServerKeyFile, m.server_key_pem, 0600); !r) return r;
  if (auto r = write(fs_, dir + "/" + kClientCertFile, m.client_cert_pem, 0644); !r) return r;
  return write(fs_, dir + "/" + kClientKeyFile, m.client_key_pem, 0600);
}

Result<SetMaterial> TlsSets::read(const std::string& id) const {
  const std::string dir = set_dir(id);
  SetMaterial m;
  const std::pair<const char*, std::string*> files[] = {{kCaFile, &m.ca_pem},
                                                        {kServerCertFile, &m.server_cert_pem},
                                                        {kServerKeyFile, &m.server_key_pem},
                                                        {kClientCertFile, &m.client_cert_pem},
                                                        {kClientKeyFile, &m.client_key_pem}};
  for (const auto& [name, out] : files) {
    auto text = fs_.read_file(dir + "/" + name);
    if (!text) return text.error();
    *out = std::move(*text);
  }
  if (auto text = fs_.read_file(dir + "/" + kClientCaFile)) {
    m.client_ca_pem = std::move(*text);
  } else if (text.error().code != "not_found") {
    return text.error();
  }
  return m;
}

Result<void> TlsSets::point_current_at(const std::optional<std::string>& id) {
  if (!id) return fs_.remove(current_link());
  return fs_.symlink_atomic(kSetsPrefix + *id, current_link());
}

Result<void> TlsSets::remove_set(const std::string& id) {
  auto current = current_set();
  if (current && *current && **current == id) {
    return make_error("set_in_use", "refusing to remove " + set_dir(id) + ": `current` points at it");
  }
  return fs_.remove_tree(set_dir(id));
}

Result<void> TlsSets::prune(const std::vector<std::string>& keep) {
  auto names = fs_.list_directory(sets_dir());
  if (!names) return names.error();
  for (const auto& name : *names) {
    if (std::find(keep.begin(), keep.end(), name) != keep.end()) continue;
    if (auto r = remove_set(name); !r) return r;
  }
  return ok();
}

}  // namespace phoenix::agent::apply
