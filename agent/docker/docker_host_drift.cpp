#include "agent/docker/docker_host_drift.hpp"

#include "agent/docker/daemon_json.hpp"
#include "agent/docker/systemd_dropin.hpp"
#include "shared/fs/user_tree.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace phoenix::agent::docker {
namespace {

constexpr std::string_view kVariable = "DOCKER_HOST";
constexpr std::string_view kTlsPort = "2376";

std::string_view trim_left(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  return first == std::string_view::npos ? std::string_view{} : s.substr(first);
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  const auto last = s.find_last_not_of(" \t\r");
  return last == std::string_view::npos ? std::string_view{} : s.substr(0, last + 1);
}

// Shell-like words: quotes group and are removed, an unquoted ';', '&', '|' or a '#' that
// starts a word ends the command. Enough for assignment lines; not a shell.
std::vector<std::string> shell_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == ';' || c == '&' || c == '|' || (c == '#' && !in_word)) {
      break;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

bool is_assignment(std::string_view word) {
  const auto eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  for (char c : word.substr(0, eq)) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_')) return false;
  }
  return true;
}

std::optional<std::string> value_of_assignment(std::string_view word) {
  const std::string prefix = std::string(kVariable) + "=";
  if (!word.starts_with(prefix)) return std::nullopt;
  return std::string(word.substr(prefix.size()));
}

// `DOCKER_HOST=v`, `export DOCKER_HOST=v`, `export A=1 DOCKER_HOST=v`, `declare -x ...`.
// `DOCKER_HOST=v some-command` only sets it for that command, so it does not count.
std::optional<std::string> shell_assignment(std::string_view line) {
  const auto words = shell_words(line);
  std::size_t i = 0;
  bool exported = false;
  if (i < words.size() && (words[i] == "export" || words[i] == "declare" || words[i] == "typeset")) {
    exported = true;
    ++i;
    while (i < words.size() && words[i].starts_with("-")) ++i;
  }
  std::optional<std::string> found;
  for (; i < words.size(); ++i) {
    if (!is_assignment(words[i])) return exported ? found : std::nullopt;  // a command follows
    if (auto value = value_of_assignment(words[i])) found = std::move(value);
  }
  return found;
}

// pam_env: `DOCKER_HOST DEFAULT=v`, `DOCKER_HOST OVERRIDE=v` (OVERRIDE wins), or `DOCKER_HOST=v`.
std::optional<std::string> pam_assignment(std::string_view line) {
  const auto words = shell_words(line);
  if (words.empty()) return std::nullopt;
  if (auto value = value_of_assignment(words[0])) return value;
  if (words[0] != kVariable) return std::nullopt;
  std::optional<std::string> found;
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i].starts_with("DEFAULT=") && !found) found = words[i].substr(8);
    if (words[i].starts_with("OVERRIDE=")) found = words[i].substr(9);
  }
  return found;
}

// systemd: `Environment=DOCKER_HOST=v`, `Environment="DOCKER_HOST=v" "OTHER=w"`.
std::optional<std::string> unit_assignment(std::string_view line) {
  const auto eq = line.find('=');
  if (eq == std::string_view::npos || trim(line.substr(0, eq)) != "Environment") return std::nullopt;
  std::optional<std::string> found;
  for (const auto& word : shell_words(line.substr(eq + 1))) {
    if (auto value = value_of_assignment(word)) found = std::move(value);
  }
  return found;
}

std::string_view where(DriftSource source) {
  switch (source) {
    case DriftSource::etc_environment:
      return "It is set for every login session on this machine (pam_env reads /etc/environment).";
    case DriftSource::profile_d:
      return "It is set for every login shell on this machine (/etc/profile.d is sourced by /etc/profile).";
    case DriftSource::default_docker:
      return "It is set in /etc/default/docker, which init scripts and tools source.";
    case DriftSource::user_shell_rc:
      return "It is set in this user's shell start-up file, so every shell of this user has it.";
    case DriftSource::pam_environment:
      return "It is set in this user's ~/.pam_environment, so every session of this user has it.";
    case DriftSource::systemd_unit:
      return "It is set in docker.service's environment, inherited by everything the unit runs; "
             "after removing it run `systemctl daemon-reload`.";
    case DriftSource::unknown:
      break;
  }
  return "";
}

struct Lines {
  std::vector<std::string> items;  // split on '\n'; joining with '\n' gives the file back
};

Lines split_lines(std::string_view text) {
  Lines lines;
  std::size_t pos = 0;
  while (true) {
    const auto end = text.find('\n', pos);
    lines.items.emplace_back(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return lines;
}

std::string join_lines(const Lines& lines) {
  std::string text;
  for (std::size_t i = 0; i < lines.items.size(); ++i) {
    if (i != 0) text += '\n';
    text += lines.items[i];
  }
  return text;
}

// Rewrites `path` keeping its mode and owner.
Result<void> rewrite_keeping_owner(fs::FileSystem& fs, const std::string& path, const std::string& content) {
  auto info = fs.stat(path);
  if (!info) return info.error();
  fs::WriteOptions options;
  options.mode = info->mode;
  options.owner_uid = info->uid;
  options.owner_gid = info->gid;
  return fs.write_file_atomic(path, content, options);
}

}  // namespace

std::string_view to_string(DriftSource source) {
  switch (source) {
    case DriftSource::etc_environment: return "etc_environment";
    case DriftSource::profile_d: return "profile_d";
    case DriftSource::default_docker: return "default_docker";
    case DriftSource::user_shell_rc: return "user_shell_rc";
    case DriftSource::pam_environment: return "pam_environment";
    case DriftSource::systemd_unit: return "systemd_unit";
    case DriftSource::unknown: break;
  }
  return "unknown";
}

std::optional<std::string> docker_host_in_line(std::string_view line, DriftSource source) {
  const std::string_view text = trim_left(line);
  if (text.empty() || text.front() == '#' || text.front() == ';') return std::nullopt;
  if (text.find(kVariable) == std::string_view::npos) return std::nullopt;
  switch (source) {
    case DriftSource::systemd_unit: return unit_assignment(text);
    case DriftSource::pam_environment: return pam_assignment(text);
    default: return shell_assignment(text);
  }
}

std::string explain_docker_host(std::string_view value, DriftSource source) {
  const std::string shown = value.empty() ? std::string("an empty value") : std::string(value);
  std::string reason =
      "DOCKER_HOST=" + std::string(value) +
      " overrides the phoenix docker context: the docker client gives DOCKER_HOST precedence over the "
      "current context (and over DOCKER_CONTEXT), so it connects to " + shown +
      " without the context's TLS material. ";
  const auto port = tcp_port_of(value);
  if (value.empty()) {
    reason += "Even an empty DOCKER_HOST counts as set: the client uses its default socket and ignores the context. ";
  } else if (port && *port == kTlsPort) {
    reason += "On the TLS port this makes the client speak plain HTTP to an HTTPS server "
              "(\"Client sent an HTTP request to an HTTPS server.\"). ";
  } else if (value.starts_with("tcp://")) {
    reason += "Without the context the client speaks plain, unauthenticated HTTP to that address. ";
  } else {
    reason += "The client bypasses the context and its mutual TLS. ";
  }
  reason += where(source);
  reason += " Fix: remove the line (or run `phoenix-agent doctor --fix-docker-host`, which comments it out; "
            "`--restore-docker-host` undoes that), then open a new shell.";
  return reason;
}

std::vector<std::pair<std::string, DriftSource>> drift_candidate_files(const fs::FileSystem& fs,
                                                                       const SystemPaths& paths,
                                                                       const std::vector<UserAccount>& users) {
  std::vector<std::pair<std::string, DriftSource>> files;
  files.emplace_back(paths.etc_environment, DriftSource::etc_environment);
  if (auto names = fs.list_directory(paths.profile_d)) {
    for (const auto& name : *names) {
      const std::string path = paths.profile_d + "/" + name;
      if (auto info = fs.stat(path); info && !info->is_directory) files.emplace_back(path, DriftSource::profile_d);
    }
  }
  files.emplace_back(paths.default_docker, DriftSource::default_docker);
  for (const auto& user : users) {
    for (const char* rc : {".bashrc", ".profile", ".bash_profile", ".bash_login", ".zshrc", ".zprofile", ".zshenv"}) {
      files.emplace_back(user.home + "/" + rc, DriftSource::user_shell_rc);
    }
    files.emplace_back(user.home + "/.pam_environment", DriftSource::pam_environment);
  }
  if (auto unit = find_docker_unit(fs, paths)) files.emplace_back(unit->path, DriftSource::systemd_unit);
  for (const auto& dropin : find_docker_dropins(fs, paths)) files.emplace_back(dropin.path, DriftSource::systemd_unit);
  // A user named twice (or two users sharing a home) must not make one line two findings.
  std::set<std::string> seen;
  std::erase_if(files, [&seen](const auto& file) { return !seen.insert(file.first).second; });
  return files;
}

std::string shown_text(std::string_view text) {
  if (text.size() <= kMaxDriftValue) return std::string(text);
  std::size_t cut = kMaxDriftValue;
  // Not in the middle of a UTF-8 sequence: continuation bytes are 10xxxxxx.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "\u2026truncated (" + std::to_string(text.size()) + " bytes)";
}

DriftScan scan_docker_host_report(const fs::FileSystem& fs, const SystemPaths& paths,
                                  const std::vector<UserAccount>& users) {
  DriftScan scan;
  std::size_t budget = kDriftScanBudget;
  for (const auto& [path, source] : drift_candidate_files(fs, paths, users)) {
    // Whole files or nothing: a file cut at the budget would be reported as too big.
    if (budget < kDriftFileLimit) {
      if (fs.exists(path)) {
        scan.skipped.push_back({path, "not scanned: this scan already read " + fs::describe_size(kDriftScanBudget) +
                                          ", its limit; shorten the larger start-up files"});
      }
      continue;
    }
    auto text = fs.read_file_at_most(path, kDriftFileLimit);
    if (!text) {
      if (text.error().code != "not_found") scan.skipped.push_back({path, text.error().message});
      continue;
    }
    budget -= std::min(budget, text->size());
    const Lines lines = split_lines(*text);
    for (std::size_t i = 0; i < lines.items.size(); ++i) {
      auto value = docker_host_in_line(lines.items[i], source);
      if (!value) continue;
      if (scan.findings.size() >= kMaxDriftFindings) {
        ++scan.findings_left_out;
        continue;
      }
      DriftFinding finding;
      finding.file = path;
      finding.line_number = static_cast<int>(i + 1);
      finding.line_text = lines.items[i];
      finding.value = shown_text(*value);
      finding.source_kind = source;
      finding.reason = explain_docker_host(finding.value, source);
      scan.findings.push_back(std::move(finding));
    }
  }
  return scan;
}

std::vector<DriftFinding> scan_docker_host(const fs::FileSystem& fs, const SystemPaths& paths,
                                           const std::vector<UserAccount>& users) {
  return scan_docker_host_report(fs, paths, users).findings;
}

Result<DriftFixResult> fix_docker_host(fs::FileSystem& fs, const std::vector<DriftFinding>& findings) {
  std::map<std::string, std::vector<const DriftFinding*>> by_file;
  for (const auto& finding : findings) by_file[finding.file].push_back(&finding);

  DriftFixResult result;
  std::string failures;
  for (const auto& [path, file_findings] : by_file) {
    auto text = fs.read_file(path);
    if (!text) {
      failures += " " + text.error().message + ";";
      continue;
    }
    Lines lines = split_lines(*text);
    bool changed_since_scan = false;
    for (const DriftFinding* finding : file_findings) {
      const auto index = static_cast<std::size_t>(finding->line_number - 1);
      if (finding->line_number < 1 || index >= lines.items.size() || lines.items[index] != finding->line_text) {
        changed_since_scan = true;
        break;
      }
      lines.items[index] = std::string(kDisabledMarker) + lines.items[index];
    }
    if (changed_since_scan) {
      failures += " " + path + " changed since it was scanned;";
      continue;
    }
    if (auto written = rewrite_keeping_owner(fs, path, join_lines(lines)); !written) {
      failures += " " + written.error().message + ";";
      continue;
    }
    result.files_changed.push_back(path);
    result.lines_changed += static_cast<int>(file_findings.size());
  }
  if (!failures.empty()) {
    return make_error("drift_fix_failed", "could not disable DOCKER_HOST in:" + failures +
                                              " run the doctor again, or edit those files by hand");
  }
  return result;
}

Result<DriftFixResult> restore_docker_host(fs::FileSystem& fs, const std::vector<std::string>& files) {
  DriftFixResult result;
  for (const auto& path : files) {
    auto text = fs.read_file(path);
    if (!text) {
      if (text.error().code == "not_found") continue;
      return text.error();
    }
    Lines lines = split_lines(*text);
    int restored = 0;
    for (auto& line : lines.items) {
      if (!line.starts_with(kDisabledMarker)) continue;
      line.erase(0, kDisabledMarker.size());
      ++restored;
    }
    if (restored == 0) continue;
    if (auto written = rewrite_keeping_owner(fs, path, join_lines(lines)); !written) return written.error();
    result.files_changed.push_back(path);
    result.lines_changed += restored;
  }
  return result;
}

}  // namespace phoenix::agent::docker
