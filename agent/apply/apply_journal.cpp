#include "agent/apply/apply_journal.hpp"

#include "shared/core/safe_text.hpp"

#include <nlohmann/json.hpp>

namespace phoenix::agent::apply {
namespace {

constexpr int kJournalVersion = 1;
constexpr const char* kJournalFile = "docker-apply.journal.json";

Error invalid(const std::string& what) {
  return make_error("journal_invalid", "the docker apply journal is unreadable (" + what +
                                           "); inspect it and the TLS sets under /etc/docker/tls, then "
                                           "remove it to start over");
}

std::optional<RecordedSettings> decode_settings(const nlohmann::json& in) {
  if (!in.is_object()) return std::nullopt;
  auto string_at = [&](const char* key, std::string& out) {
    auto it = in.find(key);
    if (it == in.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  RecordedSettings s;
  if (!string_at("root", s.root) || !string_at("listen", s.listen) || !string_at("docker_socket", s.docker_socket)) {
    return std::nullopt;
  }
  auto commands = in.find("restart_commands");
  if (commands == in.end() || !commands->is_array() || commands->empty()) return std::nullopt;
  for (const auto& argv : *commands) {
    if (!argv.is_array() || argv.empty()) return std::nullopt;
    std::vector<std::string> words;
    for (const auto& word : argv) {
      if (!word.is_string()) return std::nullopt;
      words.push_back(word.get<std::string>());
    }
    s.restart_commands.push_back(std::move(words));
  }
  auto timeout = in.find("verify_timeout_ms");
  if (timeout == in.end() || !timeout->is_number_integer() || timeout->get<std::int64_t>() <= 0) return std::nullopt;
  s.verify_timeout_ms = timeout->get<std::int64_t>();
  return s;
}

}  // namespace

std::string encode_journal(const ApplyJournal& j) {
  nlohmann::json out;
  out["version"] = kJournalVersion;
  out["step"] = std::string(to_string(j.step));
  out["failure"] = j.failure ? nlohmann::json{{"code", j.failure->code}, {"message", j.failure->message}}
                             : nlohmann::json(nullptr);
  out["new_set"] = j.new_set;
  out["old_set"] = j.old_set ? nlohmann::json(*j.old_set) : nlohmann::json(nullptr);
  out["new_serial"] = j.new_serial;
  out["old_serial"] = j.old_serial ? nlohmann::json(*j.old_serial) : nlohmann::json(nullptr);
  auto backups = nlohmann::json::array();
  for (const auto& b : j.backups) {
    backups.push_back({{"path", b.path}, {"backup", b.backup}, {"existed", b.existed}});
  }
  out["backups"] = std::move(backups);
  out["users"] = j.users;
  out["verify_host"] = j.verify_host;
  out["verify_port"] = j.verify_port;
  out["started_at"] = j.started_at;
  if (j.settings) {
    out["settings"] = {{"root", j.settings->root},
                       {"restart_commands", j.settings->restart_commands},
                       {"listen", j.settings->listen},
                       {"docker_socket", j.settings->docker_socket},
                       {"verify_timeout_ms", j.settings->verify_timeout_ms}};
  } else {
    out["settings"] = nullptr;
  }
  return dump_json(out, 2) + "\n";
}

Result<ApplyJournal> decode_journal(std::string_view text) {
  const auto in = nlohmann::json::parse(text, nullptr, false);
  if (in.is_discarded() || !in.is_object()) return invalid("not a JSON object");
  auto string_at = [&](const char* key) -> std::optional<std::string> {
    auto it = in.find(key);
    if (it == in.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto optional_string_at = [&](const char* key, std::optional<std::string>& out) -> bool {
    auto it = in.find(key);
    if (it == in.end() || it->is_null()) return true;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  auto version = in.find("version");
  if (version == in.end() || !version->is_number_integer() || version->get<int>() != kJournalVersion) {
    return invalid("unsupported version");
  }
  ApplyJournal j;
  const auto step = string_at("step");
  if (!step) return invalid("no step");
  j.step = step_from_string(*step);
  if (j.step == Step::unknown) return invalid("unknown step '" + *step + "'");
  if (auto f = in.find("failure"); f != in.end() && !f->is_null()) {
    if (!f->is_object() || !f->contains("code") || !(*f)["code"].is_string() || !f->contains("message") ||
        !(*f)["message"].is_string()) {
      return invalid("bad failure");
    }
    j.failure = Failure{(*f)["code"].get<std::string>(), (*f)["message"].get<std::string>()};
  }
  const auto new_set = string_at("new_set");
  const auto new_serial = string_at("new_serial");
  if (!new_set || new_set->empty() || !new_serial) return invalid("no new set");
  j.new_set = *new_set;
  j.new_serial = *new_serial;
  if (!optional_string_at("old_set", j.old_set) || !optional_string_at("old_serial", j.old_serial)) {
    return invalid("bad old set");
  }
  if (auto b = in.find("backups"); b != in.end()) {
    if (!b->is_array()) return invalid("bad backups");
    for (const auto& entry : *b) {
      if (!entry.is_object() || !entry.contains("path") || !entry["path"].is_string() ||
          !entry.contains("backup") || !entry["backup"].is_string() || !entry.contains("existed") ||
          !entry["existed"].is_boolean()) {
        return invalid("bad backup entry");
      }
      j.backups.push_back(
          {entry["path"].get<std::string>(), entry["backup"].get<std::string>(), entry["existed"].get<bool>()});
    }
  }
  if (auto u = in.find("users"); u != in.end()) {
    if (!u->is_array()) return invalid("bad users");
    for (const auto& user : *u) {
      if (!user.is_string()) return invalid("bad users");
      j.users.push_back(user.get<std::string>());
    }
  }
  if (auto h = string_at("verify_host")) j.verify_host = *h;
  if (auto p = in.find("verify_port"); p != in.end()) {
    if (!p->is_number_unsigned() || p->get<unsigned>() == 0 || p->get<unsigned>() > 65535) {
      return invalid("bad verify_port");
    }
    j.verify_port = static_cast<std::uint16_t>(p->get<unsigned>());
  }
  if (auto s = string_at("started_at")) j.started_at = *s;
  if (auto s = in.find("settings"); s != in.end() && !s->is_null()) {
    auto recorded = decode_settings(*s);
    if (!recorded) return invalid("bad settings");
    j.settings = std::move(*recorded);
  }
  return j;
}

JournalStore::JournalStore(fs::FileSystem& fs, std::string state_dir)
    : fs_(fs), state_dir_(std::move(state_dir)), path_(state_dir_ + "/" + kJournalFile) {}

Result<std::optional<ApplyJournal>> JournalStore::load() const {
  auto text = fs_.read_file(path_);
  if (!text) {
    if (text.error().code == "not_found") return std::optional<ApplyJournal>{};
    return text.error();
  }
  auto journal = decode_journal(*text);
  if (!journal) return journal.error();
  return std::optional<ApplyJournal>(std::move(*journal));
}

Result<void> JournalStore::save(const ApplyJournal& journal) {
  if (auto r = fs_.create_directories(state_dir_, 0700); !r) return r;
  fs::WriteOptions options;
  options.mode = 0600;
  return fs_.write_file_atomic(path_, encode_journal(journal), options);
}

Result<void> JournalStore::remove() { return fs_.remove(path_); }

}  // namespace phoenix::agent::apply
