#pragma once
// The thin I/O shell around ApplyMachine: performs each action the machine asks for on the
// FileSystem, the ProcessRunner (restart command) and the DockerProber, journals every step
// atomically before going on, and reports. All decisions live in ApplyMachine.
//
// What each action does:
//   stage            write the five files into /etc/docker/tls/sets/<new>
//   backup           copy daemon.json, the phoenix drop-in and each user's docker config and
//                    phoenix context into <state-dir>/docker-apply-backup
//   swap             merge daemon.json (TLS paths through tls/current), write the systemd
//                    drop-in when the unit passes -H, then point `current` at the new set
//   restart          run the restart command(s)
//   verify_new       TLS /_ping with the new client cert until the served serial is the new
//                    server cert's, within the verify timeout
//   write_contexts   each user's `phoenix` context from the new set
//   verify_contexts  TLS /_ping through each context's own files and host
//   commit           prune sets but new and previous, drop backups and the journal
//   restore          put backups back, point `current` at the old set (or remove it)
//   restart_old      run the restart command(s) again
//   verify_old       TLS /_ping with the old set (serial check), or the unix socket on first setup
//   discard          remove the new set (never the live one), the backups and the journal
#include "agent/apply/apply_journal.hpp"
#include "agent/apply/apply_machine.hpp"
#include "agent/apply/docker_prober.hpp"
#include "agent/apply/material_validation.hpp"
#include "agent/apply/tls_sets.hpp"
#include "agent/docker/system_paths.hpp"
#include "shared/fs/file_system.hpp"
#include "shared/process/process_runner.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::agent::apply {

struct ApplySettings {
  docker::SystemPaths paths;               // every system path, already under --root
  std::string state_dir = "/var/lib/phoenix-agent";
  std::string listen = "tcp://0.0.0.0:2376";
  std::string docker_socket = "/var/run/docker.sock";
  std::vector<std::vector<std::string>> restart_commands;  // argv each, run in order
  std::vector<std::string> users{"root"};
  std::chrono::milliseconds verify_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds verify_retry_interval{250};
  std::chrono::milliseconds restart_timeout{std::chrono::minutes(2)};
};

// The side-effect ports and hooks; tests pass fakes and a fake clock.
struct ApplyEnvironment {
  fs::FileSystem& fs;
  process::ProcessRunner& runner;
  DockerProber& prober;
  std::function<std::chrono::steady_clock::time_point()> steady_now;
  std::function<void(std::chrono::milliseconds)> sleep_for;
  std::function<std::chrono::system_clock::time_point()> wall_now;
  std::function<void(const std::string&)> progress;  // one human line per call
  // Runs right after a step is journaled (the failpoint hook; may not return).
  std::function<void(Step)> after_journal;
};

struct ApplyReport {
  bool succeeded = false;
  Step final_step = Step::unknown;
  std::optional<Failure> failure;
  std::string new_set;
  std::optional<std::string> old_set;
  std::string new_serial;
  std::optional<std::string> old_serial;
  std::string served_serial;  // what dockerd served at the last successful verification
  std::vector<std::string> users;
};

class ApplyExecutor {
 public:
  ApplyExecutor(ApplyEnvironment env, ApplySettings settings);

  // Converges a journal a crashed run left behind (see ApplyMachine::resume); nullopt when
  // there was none. Errors only when the journal cannot be read.
  Result<std::optional<ApplyReport>> converge();

  // A whole apply of already validated material. Call converge() first: a journal still
  // present is refused ("apply_in_progress").
  Result<ApplyReport> apply(const ValidatedMaterial& material);

 private:
  // When `live_set` holds exactly these files and dockerd serves its serial, an apply is a
  // no-op for dockerd (no restart): only the contexts are rewritten and verified.
  std::optional<ApplyReport> already_live(const std::string& live_set, const ValidatedMaterial& material,
                                          std::uint16_t port);
  ApplyReport run(ApplyMachine machine, ApplyJournal journal, const ValidatedMaterial* material);
  Result<void> perform(Action action, ApplyJournal& journal, const ValidatedMaterial* material,
                       std::string& served_serial);

  Result<void> do_stage(const ApplyJournal& journal, const ValidatedMaterial& material);
  Result<void> do_backup(ApplyJournal& journal);
  Result<void> do_swap(const ApplyJournal& journal);
  Result<void> do_restart();
  Result<std::string> do_verify_set(const std::string& set_id, const std::string& serial, std::uint16_t port);
  Result<void> do_write_contexts(const ApplyJournal& journal);
  Result<std::string> do_verify_contexts(const ApplyJournal& journal);
  Result<void> do_commit(const ApplyJournal& journal);
  Result<void> do_restore(const ApplyJournal& journal);
  Result<std::string> do_verify_old(const ApplyJournal& journal);
  Result<void> do_discard(const ApplyJournal& journal);

  // Retries `probe` until it succeeds and the serial matches, or the verify timeout passes.
  Result<std::string> probe_until(const TlsProbe& probe, const std::string& expected_serial);
  std::vector<std::string> backed_up_paths(const ApplyJournal& journal) const;
  std::string backup_dir() const;
  void say(const std::string& line) const;

  ApplyEnvironment env_;
  ApplySettings settings_;
  JournalStore journal_store_;
  TlsSets sets_;
};

// "tcp://127.0.0.1:2376" -> {"127.0.0.1", 2376} ([v6] unbracketed); Error "invalid_listen" otherwise.
Result<std::pair<std::string, std::uint16_t>> split_tcp_address(const std::string& address);

// "tcp://0.0.0.0:2376" -> 2376; Error "invalid_listen" otherwise.
Result<std::uint16_t> listen_port(const std::string& listen);

}  // namespace phoenix::agent::apply
