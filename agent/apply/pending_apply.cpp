#include "agent/apply/pending_apply.hpp"

#include "agent/apply/apply_lock.hpp"
#include "agent/apply/real_apply_environment.hpp"
#include "shared/core/log.hpp"

namespace phoenix::agent::apply {
namespace {

constexpr const char* kLog = "docker-apply";

}  // namespace

Result<ApplySettings> settings_from_journal(const ApplyJournal& journal, const std::string& state_dir) {
  if (!journal.settings) {
    return make_error("journal_without_settings",
                      "the docker apply journal in " + state_dir +
                          " does not record the settings it ran with (restart command, listen, socket, root); "
                          "rerun the same `phoenix-agent docker apply` command to converge it");
  }
  const auto& recorded = *journal.settings;
  if (recorded.restart_commands.empty() || journal.users.empty()) {
    return make_error("journal_without_settings", "the docker apply journal in " + state_dir +
                                                      " records no restart command or no users; rerun the same "
                                                      "`phoenix-agent docker apply` command to converge it");
  }
  ApplySettings settings;
  settings.paths = docker::SystemPaths::under(recorded.root);
  settings.state_dir = state_dir;
  settings.listen = recorded.listen;
  settings.docker_socket = recorded.docker_socket;
  settings.restart_commands = recorded.restart_commands;
  settings.users = journal.users;
  settings.verify_timeout = std::chrono::milliseconds(recorded.verify_timeout_ms);
  return settings;
}

Result<std::optional<ApplyReport>> converge_pending_apply(const std::string& state_dir) {
  RealApplyPorts ports;
  JournalStore store(ports.fs(), state_dir);
  if (!ports.fs().exists(store.path())) return std::optional<ApplyReport>{};
  auto lock = ApplyLock::acquire(state_dir);
  if (!lock) return lock.error();
  // Read under the lock: a `docker apply` that held it may have finished in the meantime.
  auto journal = store.load();
  if (!journal) return journal.error();
  if (!*journal) return std::optional<ApplyReport>{};
  auto settings = settings_from_journal(**journal, state_dir);
  if (!settings) return settings.error();
  ApplyExecutor executor(ports.environment([](const std::string& line) { log::info(kLog, line); }, {}),
                         std::move(*settings));
  return executor.converge();
}

void converge_pending_apply_at_start(const std::string& state_dir) {
  auto converged = converge_pending_apply(state_dir);
  if (!converged) {
    log::error(kLog, "cannot converge the unfinished docker apply: " + converged.error().to_string());
    return;
  }
  if (!*converged) return;
  const ApplyReport& r = **converged;
  if (r.final_step == Step::rollback_failed) {
    log::error(kLog, "the unfinished docker apply could not be rolled back (" +
                         (r.failure ? r.failure->code + ": " + r.failure->message : std::string("unknown")) +
                         "); fix dockerd (journalctl -u docker) and rerun `phoenix-agent docker apply`");
    return;
  }
  const bool on_new = r.succeeded;
  log::notice(kLog, "converged the unfinished docker apply: dockerd serves " +
                        std::string(on_new ? "the new set " + r.new_set : "the previous set " +
                                                                              r.old_set.value_or("(none)")) +
                        (r.served_serial.empty() ? std::string() : " (serial " + r.served_serial + ")"));
}

}  // namespace phoenix::agent::apply
