#include "agent/docker/context_store.hpp"

#include "shared/core/safe_text.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace phoenix::agent::docker {
namespace {

using Json = nlohmann::ordered_json;

constexpr mode_t kDirMode = 0700;
constexpr mode_t kKeyMode = 0600;
constexpr mode_t kPublicMode = 0644;
constexpr mode_t kConfigMode = 0600;

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// mkdir -p of `dir` below the user's home, each level owned by the user and 0700 when new.
Result<void> make_user_dirs(fs::FileSystem& fs, const UserAccount& user, const std::string& dir) {
  std::vector<std::string> chain;
  for (std::string d = dir; d.size() > user.home.size() && d != "/"; d = fs::parent_path(d)) chain.push_back(d);
  std::reverse(chain.begin(), chain.end());
  for (const auto& d : chain) {
    const bool existed = fs.exists(d);
    if (auto r = fs.create_directories(d, kDirMode); !r) return r;
    if (!existed) {
      if (auto r = fs.set_mode(d, kDirMode); !r) return r;  // whatever mkdir -p made of it
      if (auto r = fs.set_owner(d, user.uid, user.gid); !r) return r;
    }
  }
  return ok();
}

fs::WriteOptions owned_by(const UserAccount& user, mode_t mode) {
  fs::WriteOptions options;
  options.mode = mode;
  options.owner_uid = user.uid;
  options.owner_gid = user.gid;
  return options;
}

}  // namespace

std::string context_id(std::string_view context_name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(context_name.data(), context_name.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

ContextPaths context_paths(const UserAccount& user) {
  const std::string id = context_id(kContextName);
  ContextPaths p;
  p.docker_dir = user.home + "/.docker";
  p.config_json = p.docker_dir + "/config.json";
  p.meta_dir = p.docker_dir + "/contexts/meta/" + id;
  p.meta_json = p.meta_dir + "/meta.json";
  p.tls_dir = p.docker_dir + "/contexts/tls/" + id + "/docker";
  p.ca_pem = p.tls_dir + "/ca.pem";
  p.cert_pem = p.tls_dir + "/cert.pem";
  p.key_pem = p.tls_dir + "/key.pem";
  return p;
}

std::string make_context_meta_json(std::string_view host) {
  Json meta;
  meta["Name"] = std::string(kContextName);
  meta["Metadata"] = Json{{"Description", std::string(kContextDescription)}};
  meta["Endpoints"] = Json{{"docker", Json{{"Host", std::string(host)}, {"SkipTLSVerify", false}}}};
  return dump_json(meta);
}

Result<std::string> merge_current_context(std::string_view existing_config_text) {
  Json config = Json::object();
  if (!is_blank(existing_config_text)) {
    config = Json::parse(existing_config_text.begin(), existing_config_text.end(), nullptr, false);
    if (config.is_discarded() || !config.is_object()) {
      return make_error("docker_config_invalid",
                        "~/.docker/config.json is not a JSON object; fix it by hand (Phoenix will not "
                        "overwrite it), then run again");
    }
  }
  config["currentContext"] = std::string(kContextName);
  return dump_json(config, 1, '\t') + "\n";  // the docker CLI's own layout
}

Result<void> write_phoenix_context(fs::FileSystem& fs, const UserAccount& user, const ContextMaterial& material) {
  const ContextPaths p = context_paths(user);

  // config.json first: if it is unreadable nothing else is written.
  std::string existing_config;
  mode_t config_mode = kConfigMode;
  if (auto text = fs.read_file(p.config_json)) {
    existing_config = std::move(*text);
    if (auto info = fs.stat(p.config_json)) config_mode = info->mode;
  } else if (text.error().code != "not_found") {
    return text.error();
  }
  auto merged = merge_current_context(existing_config);
  if (!merged) {
    return make_error(merged.error().code, p.config_json + ": " + merged.error().message);
  }

  for (const auto& dir : {p.meta_dir, p.tls_dir}) {
    if (auto r = make_user_dirs(fs, user, dir); !r) return r;
  }
  const std::pair<const std::string*, std::pair<const std::string*, mode_t>> files[] = {
      {&p.ca_pem, {&material.ca_pem, kPublicMode}},
      {&p.cert_pem, {&material.cert_pem, kPublicMode}},
      {&p.key_pem, {&material.key_pem, kKeyMode}},
  };
  for (const auto& [path, content_mode] : files) {
    if (auto r = fs.write_file_atomic(*path, *content_mode.first, owned_by(user, content_mode.second)); !r) return r;
  }
  // meta.json after the TLS files: the CLI never sees a context without its material.
  if (auto r = fs.write_file_atomic(p.meta_json, make_context_meta_json(material.host), owned_by(user, kPublicMode));
      !r) {
    return r;
  }
  return fs.write_file_atomic(p.config_json, *merged, owned_by(user, config_mode));
}

ContextStatus inspect_phoenix_context(const fs::FileSystem& fs, const UserAccount& user,
                                      const std::optional<ContextMaterial>& expected) {
  const ContextPaths p = context_paths(user);
  ContextStatus status;

  if (auto meta_text = fs.read_file(p.meta_json)) {
    const Json meta = Json::parse(*meta_text, nullptr, false);
    if (meta.is_object() && meta.value("Name", Json()).is_string() && meta["Name"] == std::string(kContextName)) {
      status.present = true;
      const Json* docker = nullptr;
      if (const auto e = meta.find("Endpoints"); e != meta.end() && e->is_object()) {
        if (const auto d = e->find("docker"); d != e->end() && d->is_object()) docker = &*d;
      }
      if (docker != nullptr) {
        if (const auto h = docker->find("Host"); h != docker->end() && h->is_string()) status.host = *h;
        if (const auto s = docker->find("SkipTLSVerify"); s != docker->end() && s->is_boolean()) {
          status.skip_tls_verify = s->get<bool>();
        }
      }
      if (status.host.empty()) status.problems.push_back(p.meta_json + " has no docker endpoint host");
      if (status.skip_tls_verify) status.problems.push_back(p.meta_json + " sets SkipTLSVerify=true");
      if (expected && status.host != expected->host) {
        status.problems.push_back("context host is " + status.host + ", expected " + expected->host);
      }
    } else {
      status.problems.push_back(p.meta_json + " is not a valid context for \"phoenix\"");
    }
  } else if (meta_text.error().code == "not_found") {
    status.problems.push_back("no phoenix context (" + p.meta_json + " is missing)");
  } else {
    status.problems.push_back(meta_text.error().message);  // a link, a FIFO, not the user's...
    status.refused_paths = true;
  }

  const auto ca = fs.read_file(p.ca_pem);
  const auto cert = fs.read_file(p.cert_pem);
  status.has_tls_files = ca && cert && fs.exists(p.key_pem);
  for (const auto* read : {&ca, &cert}) {
    if (!*read && read->error().code != "not_found") {
      status.problems.push_back(read->error().message);
      status.refused_paths = true;
    }
  }
  if (status.present && !status.has_tls_files) {
    status.problems.push_back("context TLS files missing in " + p.tls_dir +
                              ": without them the docker CLI speaks plain HTTP to the TLS port");
  }
  if (expected) {
    status.matches_expected = ca && cert && *ca == expected->ca_pem && *cert == expected->cert_pem;
    if (status.present && status.has_tls_files && !*status.matches_expected) {
      status.problems.push_back("context CA/client cert in " + p.tls_dir + " differ from dockerd's current ones");
    }
  }

  if (auto config_text = fs.read_file(p.config_json)) {
    const Json config = Json::parse(*config_text, nullptr, false);
    if (!config.is_object()) {
      status.problems.push_back(p.config_json + " is not valid JSON; fix it by hand");
    } else if (const auto c = config.find("currentContext"); c != config.end() && c->is_string()) {
      status.current = c->get<std::string>() == kContextName;
    }
  } else if (config_text.error().code != "not_found") {
    status.problems.push_back(config_text.error().message);
    status.refused_paths = true;
  }
  if (status.present && !status.current) {
    status.problems.push_back("phoenix is not the current context of " + user.name +
                              " (`docker context use phoenix`, or rerun apply)");
  }
  return status;
}

}  // namespace phoenix::agent::docker
