#include "agent/channel/identity_store.hpp"

namespace phoenix::agent {
namespace {

std::string join(const std::string& dir, const char* name) { return dir + "/" + name; }

}  // namespace

IdentityPaths identity_paths(const std::string& state_dir) {
  std::string root = state_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  IdentityPaths p;
  p.state_dir = root;
  p.identity_dir = root + "/identity";
  p.new_dir = root + "/identity.new";
  p.old_dir = root + "/identity.old";
  p.hub_json = root + "/hub.json";
  return p;
}

const char* to_string(RepairOutcome outcome) {
  switch (outcome) {
    case RepairOutcome::nothing_to_do: return "nothing to do";
    case RepairOutcome::removed_leftovers: return "removed the leftovers of an unfinished identity swap";
    case RepairOutcome::finished_swap: return "finished an interrupted identity swap (new identity in place)";
    case RepairOutcome::restored_old: return "undid an interrupted identity swap (previous identity restored)";
  }
  return "?";
}

IdentityStore::IdentityStore(fs::FileSystem& fs, std::string state_dir)
    : fs_(fs), paths_(identity_paths(state_dir)) {}

bool IdentityStore::complete(const std::string& dir) const {
  for (const char* name : {IdentityPaths::kKey, IdentityPaths::kCert, IdentityPaths::kCa,
                           IdentityPaths::kDockerCa}) {
    if (!fs_.exists(join(dir, name))) return false;
  }
  return true;
}

Result<RepairOutcome> IdentityStore::repair() {
  const bool has_new = fs_.exists(paths_.new_dir);
  const bool has_old = fs_.exists(paths_.old_dir);
  if (complete(paths_.identity_dir)) {
    if (!has_new && !has_old) return RepairOutcome::nothing_to_do;
    // Crashed while staging (new) or after the swap, before cleaning up (old).
    if (auto r = fs_.remove_tree(paths_.new_dir); !r) return r.error();
    if (auto r = fs_.remove_tree(paths_.old_dir); !r) return r.error();
    return RepairOutcome::removed_leftovers;
  }
  // The only way to lose `identity` is between the two renames of a swap (or an operator).
  if (has_new && complete(paths_.new_dir)) {
    if (fs_.exists(paths_.identity_dir)) {
      if (auto r = fs_.remove_tree(paths_.identity_dir); !r) return r.error();
    }
    if (auto r = fs_.rename(paths_.new_dir, paths_.identity_dir); !r) return r.error();
    if (auto r = fs_.remove_tree(paths_.old_dir); !r) return r.error();
    return RepairOutcome::finished_swap;
  }
  if (has_old && complete(paths_.old_dir)) {
    if (fs_.exists(paths_.identity_dir)) {
      if (auto r = fs_.remove_tree(paths_.identity_dir); !r) return r.error();
    }
    if (auto r = fs_.rename(paths_.old_dir, paths_.identity_dir); !r) return r.error();
    if (auto r = fs_.remove_tree(paths_.new_dir); !r) return r.error();
    return RepairOutcome::restored_old;
  }
  if (has_new) {
    // An incomplete staging area with nothing to swap: never enrolled successfully.
    if (auto r = fs_.remove_tree(paths_.new_dir); !r) return r.error();
    return RepairOutcome::removed_leftovers;
  }
  return RepairOutcome::nothing_to_do;
}

bool IdentityStore::enrolled() const { return complete(paths_.identity_dir) && fs_.exists(paths_.hub_json); }

Result<IdentityFiles> IdentityStore::load_identity() const {
  if (!complete(paths_.identity_dir)) {
    return make_error("not_enrolled", "this agent is not enrolled (no complete identity in " +
                                          paths_.identity_dir +
                                          "): run `phoenix-agent enroll --token …` with a token from "
                                          "`phoenix-hub token create --vm NAME`");
  }
  IdentityFiles out;
  const std::pair<std::string*, const char*> files[] = {{&out.key_pem, IdentityPaths::kKey},
                                                         {&out.cert_pem, IdentityPaths::kCert},
                                                         {&out.ca_pem, IdentityPaths::kCa},
                                                         {&out.docker_ca_pem, IdentityPaths::kDockerCa}};
  for (const auto& [target, name] : files) {
    auto text = fs_.read_file(join(paths_.identity_dir, name));
    if (!text) return text.error();
    *target = std::move(*text);
  }
  return out;
}

Result<HubFile> IdentityStore::load_hub() const {
  auto text = fs_.read_file(paths_.hub_json);
  if (!text) {
    if (text.error().code == "not_found") {
      return make_error("not_enrolled", "this agent is not enrolled (no " + paths_.hub_json +
                                            "): run `phoenix-agent enroll --token …`");
    }
    return text.error();
  }
  return parse_hub_file(*text, paths_.hub_json);
}

Result<void> IdentityStore::install(const IdentityFiles& files) {
  if (auto r = fs_.create_directories(paths_.state_dir, 0700); !r) return r;
  // The state dir may predate us with looser permissions; the key lives under it.
  if (auto r = fs_.set_mode(paths_.state_dir, 0700); !r) return r;
  // A leftover identity.old would make the first rename below fail.
  if (auto r = fs_.remove_tree(paths_.old_dir); !r) return r;
  if (auto r = fs_.remove_tree(paths_.new_dir); !r) return r;
  if (auto r = fs_.create_directories(paths_.new_dir, 0700); !r) return r;
  if (auto r = fs_.set_mode(paths_.new_dir, 0700); !r) return r;  // whatever the umask did
  const std::tuple<const char*, const std::string*, mode_t> order[] = {
      {IdentityPaths::kKey, &files.key_pem, 0600},
      {IdentityPaths::kCert, &files.cert_pem, 0644},
      {IdentityPaths::kCa, &files.ca_pem, 0644},
      {IdentityPaths::kDockerCa, &files.docker_ca_pem, 0644}};  // last: marks completeness
  for (const auto& [name, content, mode] : order) {
    fs::WriteOptions options;
    options.mode = mode;
    if (auto r = fs_.write_file_atomic(join(paths_.new_dir, name), *content, options); !r) return r;
  }
  if (fs_.exists(paths_.identity_dir)) {
    if (auto r = fs_.rename(paths_.identity_dir, paths_.old_dir); !r) return r;
  }
  if (auto r = fs_.rename(paths_.new_dir, paths_.identity_dir); !r) {
    // Put the current identity back at once rather than wait for the next start's repair().
    if (fs_.exists(paths_.old_dir)) (void)fs_.rename(paths_.old_dir, paths_.identity_dir);
    return r;
  }
  return fs_.remove_tree(paths_.old_dir);
}

Result<void> IdentityStore::write_hub(const HubFile& hub) {
  if (auto r = fs_.create_directories(paths_.state_dir, 0700); !r) return r;
  fs::WriteOptions options;
  options.mode = 0644;
  return fs_.write_file_atomic(paths_.hub_json, serialize_hub_file(hub), options);
}

}  // namespace phoenix::agent
