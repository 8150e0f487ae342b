#include "agent/docker/systemd_dropin.hpp"

#include <map>

namespace phoenix::agent::docker {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

// Logical lines of a unit file: a trailing backslash continues the line (systemd joins
// them with a space).
std::vector<std::string> logical_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string pending;
  bool continuing = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (continuing) pending += ' ';
    const std::string_view trimmed_right = line.substr(0, line.find_last_not_of(" \t") + 1);
    if (!trimmed_right.empty() && trimmed_right.back() == '\\') {
      pending += trimmed_right.substr(0, trimmed_right.size() - 1);
      continuing = true;
    } else {
      pending += line;
      lines.push_back(std::move(pending));
      pending.clear();
      continuing = false;
    }
    if (end == text.size()) break;
    pos = end + 1;
  }
  if (continuing) lines.push_back(std::move(pending));
  return lines;
}

// Applies the ExecStart= lines of one file's [Service] section to `current`.
void apply_exec_starts(std::string_view text, std::optional<std::string>& current) {
  bool in_service = false;
  for (const std::string& raw : logical_lines(text)) {
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      in_service = line == "[Service]";
      continue;
    }
    if (!in_service) continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || trim(line.substr(0, eq)) != "ExecStart") continue;
    const std::string_view value = trim(line.substr(eq + 1));
    if (value.empty()) {
      current.reset();
    } else {
      current = std::string(value);
    }
  }
}

// Splits a command line into words, keeping each word's original text (quotes included).
std::vector<std::string> split_words(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  for (char c : command) {
    if (quote != 0) {
      word += c;
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      word += c;
      quote = c;
    } else if (c == ' ' || c == '\t') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// -H / --host with the value as the next word.
bool is_separate_host_flag(std::string_view word) { return word == "-H" || word == "--host"; }

// -H=x, -Hx, --host=x.
bool is_attached_host_flag(std::string_view word) {
  return word.starts_with("--host=") || (word.starts_with("-H") && word.size() > 2);
}

}  // namespace

Result<UnitFile> find_docker_unit(const fs::FileSystem& fs, const SystemPaths& paths) {
  for (const auto& path : paths.unit_search_order) {
    auto text = fs.read_file(path);
    if (text) return UnitFile{path, std::move(*text)};
    if (text.error().code != "not_found") return text.error();
  }
  return make_error("docker_unit_not_found",
                    "no docker.service in /etc/systemd/system, /lib/systemd/system or "
                    "/usr/lib/systemd/system; install docker (apt-get install docker.io) first");
}

std::vector<UnitFile> find_docker_dropins(const fs::FileSystem& fs, const SystemPaths& paths,
                                          const std::string& exclude_path) {
  std::map<std::string, std::string> by_name;  // sorted by file name, as systemd applies them
  for (const auto& dir : paths.dropin_search_order) {
    auto names = fs.list_directory(dir);
    if (!names) continue;
    for (const auto& name : *names) {
      if (!name.ends_with(".conf")) continue;
      by_name.try_emplace(name, dir + "/" + name);  // higher-priority directory came first
    }
  }
  std::vector<UnitFile> dropins;
  for (const auto& [name, path] : by_name) {
    if (path == exclude_path) continue;
    auto text = fs.read_file(path);
    if (text) dropins.push_back(UnitFile{path, std::move(*text)});
  }
  return dropins;
}

std::optional<std::string> effective_exec_start(std::string_view unit_text,
                                                const std::vector<std::string>& dropin_texts) {
  std::optional<std::string> current;
  apply_exec_starts(unit_text, current);
  for (const auto& text : dropin_texts) apply_exec_starts(text, current);
  return current;
}

bool unit_passes_host_flag(std::string_view unit_text, const std::vector<std::string>& dropin_texts) {
  const auto command = effective_exec_start(unit_text, dropin_texts);
  if (!command) return false;
  const auto words = split_words(*command);
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (is_separate_host_flag(words[i]) || is_attached_host_flag(words[i])) return true;
  }
  return false;
}

Result<std::string> make_dropin(std::string_view unit_text, const std::vector<std::string>& dropin_texts) {
  const auto command = effective_exec_start(unit_text, dropin_texts);
  if (!command) {
    return make_error("docker_unit_no_exec_start",
                      "docker.service has no ExecStart= line; check the unit with `systemctl cat docker`");
  }
  const auto words = split_words(*command);
  std::string exec = words.front();  // the binary, with any systemd prefix such as '-'
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (is_separate_host_flag(words[i])) {
      ++i;  // and its value
      continue;
    }
    if (is_attached_host_flag(words[i])) continue;
    exec += ' ';
    exec += words[i];
  }
  return std::string(
             "# Written by phoenix-agent; it is rewritten by `phoenix-agent docker apply`.\n"
             "# Phoenix keeps dockerd's listeners in /etc/docker/daemon.json (\"hosts\"); with -H also on\n"
             "# the command line dockerd refuses to start with:\n"
             "#   the following directives are specified both as a flag and in the configuration file: hosts\n"
             "# so this re-states the unit's ExecStart without -H/--host, keeping every other argument.\n"
             "[Service]\n"
             "ExecStart=\n"
             "ExecStart=") +
         exec + "\n";
}

}  // namespace phoenix::agent::docker
