#pragma once
// DOCKER_HOST drift: a DOCKER_HOST set anywhere in a login environment beats the current
// `phoenix` context (and DOCKER_CONTEXT), so the docker client connects without the
// context's TLS material. These functions find such lines, explain them, comment them
// out with a marker, and restore exactly what they commented out.
#include "agent/docker/system_paths.hpp"
#include "agent/docker/user_account.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::agent::docker {

// Where a finding was made: decides the line syntax and the wording of the reason.
enum class DriftSource {
  unknown,
  etc_environment,   // /etc/environment (pam_env: KEY=VALUE)
  profile_d,         // /etc/profile.d/*
  default_docker,    // /etc/default/docker
  user_shell_rc,     // ~/.bashrc ~/.profile ~/.bash_profile ~/.bash_login ~/.zshrc ~/.zprofile ~/.zshenv
  pam_environment,   // ~/.pam_environment (KEY DEFAULT=VALUE / KEY=VALUE)
  systemd_unit,      // docker.service and its drop-ins: Environment=DOCKER_HOST=...
};
std::string_view to_string(DriftSource source);

struct DriftFinding {
  std::string file;        // host path
  int line_number = 0;     // 1-based
  std::string line_text;   // the whole line as it is in the file (show it through shown_text)
  std::string value;       // the DOCKER_HOST value, cut by shown_text (may be empty: empty also overrides)
  DriftSource source_kind = DriftSource::unknown;
  std::string reason;      // why it breaks the context and how to fix it
};

// Marker put in front of a line Phoenix disabled: "# phoenix-disabled: <original line>".
inline constexpr std::string_view kDisabledMarker = "# phoenix-disabled: ";

// The DOCKER_HOST value a single line sets, if it sets one (pure; commented lines don't).
std::optional<std::string> docker_host_in_line(std::string_view line, DriftSource source);

// The explanation for a finding (pure).
std::string explain_docker_host(std::string_view value, DriftSource source);

// Every file scan_docker_host reads, for `users` (host paths, existing or not).
std::vector<std::pair<std::string, DriftSource>> drift_candidate_files(const fs::FileSystem& fs,
                                                                       const SystemPaths& paths,
                                                                       const std::vector<UserAccount>& users);

// Limits of one scan, so that whatever users put in their files the agent's `hello` and
// `state` stay far below the hub's 1 MiB message limit and a scan ends quickly:
inline constexpr std::size_t kDriftFileLimit = 64 * 1024;     // read of one file (rc files are small)
inline constexpr std::size_t kDriftScanBudget = 1024 * 1024;  // reads of all files together
inline constexpr std::size_t kMaxDriftFindings = 32;           // findings kept; the rest are counted
inline constexpr std::size_t kMaxDriftValue = 256;            // bytes of a value or line shown

// `text` if it fits in kMaxDriftValue bytes, else its start and a visible
// "…truncated (N bytes)" note (pure).
std::string shown_text(std::string_view text);

// A file the scan did not read, and why (a link, a FIFO, too big, not the user's...).
struct DriftSkip {
  std::string file;
  std::string reason;  // says what it is and what to do
};

struct DriftScan {
  std::vector<DriftFinding> findings;  // at most kMaxDriftFindings, values cut by shown_text
  std::size_t findings_left_out = 0;   // found beyond kMaxDriftFindings
  std::vector<DriftSkip> skipped;      // existing files not read (missing files are not listed)
};

// Scans /etc/environment, /etc/profile.d/*, /etc/default/docker, each user's shell rc
// files and ~/.pam_environment, and docker.service with its drop-ins, within the limits
// above. Findings in file order, then line order.
DriftScan scan_docker_host_report(const fs::FileSystem& fs, const SystemPaths& paths,
                                  const std::vector<UserAccount>& users);

// scan_docker_host_report's findings only (the skipped files are left out).
std::vector<DriftFinding> scan_docker_host(const fs::FileSystem& fs, const SystemPaths& paths,
                                           const std::vector<UserAccount>& users);

struct DriftFixResult {
  std::vector<std::string> files_changed;
  int lines_changed = 0;
};

// Comments out each finding's line with kDisabledMarker (atomic write, mode and owner kept).
// The whole line goes: `Environment="DOCKER_HOST=x" "OTHER=y"` loses OTHER too until restored.
// A file whose line no longer matches the finding's line_text is left untouched; the
// other files are still fixed, and the call then returns Error "drift_fix_failed" naming
// the files it could not fix (scan again to see what is left).
Result<DriftFixResult> fix_docker_host(fs::FileSystem& fs, const std::vector<DriftFinding>& findings);

// Undoes fix_docker_host in `files`: every line starting with kDisabledMarker gets its
// original text back, byte for byte. Files without marked lines are not rewritten.
Result<DriftFixResult> restore_docker_host(fs::FileSystem& fs, const std::vector<std::string>& files);

}  // namespace phoenix::agent::docker
