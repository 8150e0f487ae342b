#include "agent/apply/apply_executor.hpp"

#include "agent/apply/file_backup.hpp"
#include "agent/docker/context_store.hpp"
#include "agent/docker/daemon_json.hpp"
#include "agent/docker/systemd_dropin.hpp"
#include "agent/docker/user_account.hpp"
#include "shared/pki/certificate.hpp"

#include <unistd.h>

#include <cstdlib>

namespace phoenix::agent::apply {
namespace {

Failure to_failure(const Error& e) { return Failure{e.code, e.message}; }

Result<std::string> serial_of(const std::string& cert_pem) {
  auto cert = pki::Certificate::from_pem(cert_pem);
  if (!cert) return cert.error();
  return cert->facts().serial_hex;
}

// An argv[0] without a slash is looked up in PATH, as a shell would, but without one.
std::vector<std::string> resolve_program(std::vector<std::string> argv) {
  if (argv.empty() || argv[0].find('/') != std::string::npos) return argv;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = dirs.find(':', start);
    const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty()) {
      const std::string candidate = dir + "/" + argv[0];
      if (::access(candidate.c_str(), X_OK) == 0) {
        argv[0] = candidate;
        return argv;
      }
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return argv;
}

std::string join(const std::vector<std::string>& words, const char* sep = " ") {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

}  // namespace

// "tcp://127.0.0.1:2376" -> {"127.0.0.1", 2376}.
Result<std::pair<std::string, std::uint16_t>> split_tcp_address(const std::string& host) {
  const std::string prefix = "tcp://";
  const auto colon = host.rfind(':');
  if (host.rfind(prefix, 0) != 0 || colon == std::string::npos || colon < prefix.size()) {
    return make_error("invalid_listen", "'" + host + "' is not tcp://HOST:PORT");
  }
  const std::string port_text = host.substr(colon + 1);
  std::string name = host.substr(prefix.size(), colon - prefix.size());
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return make_error("invalid_listen", "'" + host + "' has no valid port");
  }
  const unsigned long port = std::stoul(port_text);
  if (port == 0 || port > 65535) return make_error("invalid_listen", "'" + host + "' has no valid port");
  return std::make_pair(name, static_cast<std::uint16_t>(port));
}

Result<std::uint16_t> listen_port(const std::string& listen) {
  auto split = split_tcp_address(listen);
  if (!split) return split.error();
  return split->second;
}

ApplyExecutor::ApplyExecutor(ApplyEnvironment env, ApplySettings settings)
    : env_(std::move(env)),
      settings_(std::move(settings)),
      journal_store_(env_.fs, settings_.state_dir),
      sets_(env_.fs, settings_.paths.tls_dir) {}

void ApplyExecutor::say(const std::string& line) const {
  if (env_.progress) env_.progress(line);
}

std::string ApplyExecutor::backup_dir() const { return settings_.state_dir + "/docker-apply-backup"; }

Result<std::optional<ApplyReport>> ApplyExecutor::converge() {
  auto loaded = journal_store_.load();
  if (!loaded) return loaded.error();
  if (!*loaded) return std::optional<ApplyReport>{};
  ApplyJournal journal = std::move(**loaded);
  auto machine = ApplyMachine::resume(journal.step, journal.failure);
  say("found an unfinished apply at step '" + std::string(to_string(journal.step)) + "' (set " + journal.new_set +
      "): converging first by " + std::string(to_string(machine.next_action())));
  journal.step = machine.step();
  journal.failure = machine.failure();
  if (machine.journal_needed()) {
    if (auto r = journal_store_.save(journal); !r) return r.error();
  }
  return std::optional<ApplyReport>(run(std::move(machine), std::move(journal), nullptr));
}

Result<ApplyReport> ApplyExecutor::apply(const ValidatedMaterial& material) {
  if (env_.fs.exists(journal_store_.path())) {
    return make_error("apply_in_progress", "an unfinished apply's journal is at " + journal_store_.path() +
                                               "; converge it first");
  }
  auto port = listen_port(settings_.listen);
  if (!port) return port.error();
  auto users = docker::resolve_users(env_.fs, settings_.paths, settings_.users);
  if (!users) return users.error();
  auto old = sets_.current_set();
  if (!old) return old.error();

  if (*old) {
    if (auto report = already_live(**old, material, *port)) return *report;
  }

  ApplyJournal journal;
  journal.step = Step::begun;
  journal.new_set = sets_.new_set_id(env_.wall_now(), material.server_serial);
  journal.old_set = *old;
  journal.new_serial = material.server_serial;
  if (journal.old_set) {
    auto old_material = sets_.read(*journal.old_set);
    if (!old_material) return old_material.error();
    auto serial = serial_of(old_material->server_cert_pem);
    if (!serial) return serial.error();
    journal.old_serial = *serial;
  }
  journal.users = settings_.users;
  journal.verify_port = *port;
  journal.started_at = pki::format_utc(env_.wall_now());
  journal.settings = RecordedSettings{settings_.paths.root, settings_.restart_commands, settings_.listen,
                                      settings_.docker_socket, settings_.verify_timeout.count()};
  if (auto r = journal_store_.save(journal); !r) return r.error();
  if (env_.after_journal) env_.after_journal(journal.step);
  return run(ApplyMachine(), std::move(journal), &material);
}

ApplyReport ApplyExecutor::run(ApplyMachine machine, ApplyJournal journal, const ValidatedMaterial* material) {
  std::string served;
  while (!machine.finished()) {
    const Action action = machine.next_action();
    auto result = perform(action, journal, material, served);
    if (result) {
      machine.on_success(action);
    } else {
      say(std::string(to_string(action)) + " failed: " + result.error().to_string());
      machine.on_failure(action, to_failure(result.error()));
    }
    journal.step = machine.step();
    journal.failure = machine.failure();
    if (machine.journal_needed()) {
      if (auto saved = journal_store_.save(journal); !saved) {
        say("cannot write the journal: " + saved.error().to_string());
        machine.on_journal_failure(Failure{"journal_unwritable", saved.error().message});
        journal.step = machine.step();
        journal.failure = machine.failure();
        continue;
      }
      if (env_.after_journal) env_.after_journal(journal.step);
    }
  }
  ApplyReport report;
  report.succeeded = machine.succeeded();
  report.final_step = machine.step();
  report.failure = machine.failure();
  report.new_set = journal.new_set;
  report.old_set = journal.old_set;
  report.new_serial = journal.new_serial;
  report.old_serial = journal.old_serial;
  report.served_serial = served;
  report.users = journal.users;
  return report;
}

Result<void> ApplyExecutor::perform(Action action, ApplyJournal& journal, const ValidatedMaterial* material,
                                    std::string& served) {
  auto record = [&](Result<std::string> serial) -> Result<void> {
    if (!serial) return serial.error();
    served = *serial;
    return ok();
  };
  switch (action) {
    case Action::stage:
      if (material == nullptr) return make_error("internal", "stage without material");
      say("staging set " + journal.new_set + " under " + sets_.sets_dir());
      return do_stage(journal, *material);
    case Action::backup:
      say("backing up daemon.json, the systemd drop-in and the docker contexts");
      return do_backup(journal);
    case Action::swap:
      say("swapping " + sets_.current_link() + " to set " + journal.new_set);
      return do_swap(journal);
    case Action::restart:
      say("restarting dockerd…");
      return do_restart();
    case Action::verify_new:
      say("verifying TLS on 127.0.0.1:" + std::to_string(journal.verify_port) + " with the new client cert…");
      return record(do_verify_set(journal.new_set, journal.new_serial, journal.verify_port));
    case Action::write_contexts:
      say("writing the phoenix context for " + join(journal.users, ", "));
      return do_write_contexts(journal);
    case Action::verify_contexts:
      return record(do_verify_contexts(journal));
    case Action::commit:
      say("committing: pruning older sets");
      if (auto r = do_commit(journal); !r) {
        say("warning: " + r.error().to_string());
        return r;
      }
      return ok();
    case Action::restore:
      say("rolling back: restoring the previous files and set " + journal.old_set.value_or("(none)"));
      return do_restore(journal);
    case Action::restart_old:
      say("restarting dockerd on the previous set…");
      return do_restart();
    case Action::verify_old:
      return record(do_verify_old(journal));
    case Action::discard:
      return do_discard(journal);
    case Action::none:
      break;
  }
  return ok();
}

Result<void> ApplyExecutor::do_stage(const ApplyJournal& journal, const ValidatedMaterial& m) {
  const auto& f = m.files;
  return sets_.stage(journal.new_set,
                     SetMaterial{f.ca_pem, f.server_cert_pem, f.server_key_pem, f.client_cert_pem, f.client_key_pem,
                                 f.client_ca_pem});
}

std::vector<std::string> ApplyExecutor::backed_up_paths(const ApplyJournal& journal) const {
  std::vector<std::string> paths{settings_.paths.daemon_json, settings_.paths.phoenix_dropin};
  if (auto users = docker::resolve_users(env_.fs, settings_.paths, journal.users)) {
    for (const auto& user : *users) {
      const auto cp = docker::context_paths(user);
      paths.push_back(cp.config_json);
      paths.push_back(cp.meta_dir);
      paths.push_back(fs::parent_path(cp.tls_dir));
    }
  }
  return paths;
}

Result<void> ApplyExecutor::do_backup(ApplyJournal& journal) {
  auto entries = back_up(env_.fs, backed_up_paths(journal), backup_dir());
  if (!entries) return entries.error();
  journal.backups = std::move(*entries);
  return ok();
}

Result<void> ApplyExecutor::do_swap(const ApplyJournal& journal) {
  const auto& paths = settings_.paths;
  auto existing = env_.fs.read_file(paths.daemon_json);
  if (!existing && existing.error().code != "not_found") return existing.error();
  const std::string existing_text = existing ? *existing : std::string();

  if (auto unit = docker::find_docker_unit(env_.fs, paths)) {
    std::vector<std::string> dropin_texts;
    for (const auto& d : docker::find_docker_dropins(env_.fs, paths, paths.phoenix_dropin)) {
      dropin_texts.push_back(d.text);
    }
    if (docker::unit_passes_host_flag(unit->text, dropin_texts)) {
      auto dropin = docker::make_dropin(unit->text, dropin_texts);
      if (!dropin) return dropin.error();
      say("the docker unit passes -H: writing " + paths.phoenix_dropin);
      if (auto r = env_.fs.create_directories(paths.dropin_dir, 0755); !r) return r;
      if (auto r = env_.fs.write_file_atomic(paths.phoenix_dropin, *dropin); !r) return r;
    }
  }

  docker::DaemonTlsSettings tls;
  // Under --root these are the paths under the root, so a dockerd started with that
  // daemon.json (tests, the netns driver) finds its files; without --root they are
  // /etc/docker/tls/current/*.pem.
  // dockerd's tlscacert is the set's client CA: for a hub rotation that is this VM's own client
  // CA plus the operators', so a client cert made for another VM is refused here.
  tls.ca_path = sets_.current_file(kClientCaFile);
  tls.cert_path = sets_.current_file(kServerCertFile);
  tls.key_path = sets_.current_file(kServerKeyFile);
  tls.unix_host = "unix://" + settings_.docker_socket;
  tls.tcp_host = settings_.listen;
  auto merged = docker::merge_daemon_json(existing_text, tls);
  if (!merged) return merged.error();
  fs::WriteOptions options;
  if (auto info = env_.fs.stat(paths.daemon_json)) options.mode = info->mode;
  if (auto r = env_.fs.create_directories(paths.docker_dir, 0755); !r) return r;
  if (auto r = env_.fs.write_file_atomic(paths.daemon_json, *merged, options); !r) return r;
  return sets_.point_current_at(journal.new_set);
}

Result<void> ApplyExecutor::do_restart() {
  for (const auto& argv : settings_.restart_commands) {
    process::RunOptions options;
    options.argv = resolve_program(argv);
    options.timeout = settings_.restart_timeout;
    auto result = env_.runner.run(options);
    if (!result) {
      return make_error("restart_failed", "cannot run '" + join(argv) + "': " + result.error().message);
    }
    if (result->exit_code != 0 || result->timed_out) {
      std::string err = result->err.size() > 400 ? result->err.substr(result->err.size() - 400) : result->err;
      return make_error("restart_failed", "'" + join(argv) + "' " + process::describe_outcome(*result, options) +
                                              (err.empty() ? "" : ": " + err));
    }
  }
  return ok();
}

Result<void> ApplyExecutor::do_write_contexts(const ApplyJournal& journal) {
  auto users = docker::resolve_users(env_.fs, settings_.paths, journal.users);
  if (!users) return users.error();
  auto material = sets_.read(journal.new_set);
  if (!material) return material.error();
  docker::ContextMaterial context{material->ca_pem, material->client_cert_pem, material->client_key_pem,
                                  "tcp://127.0.0.1:" + std::to_string(journal.verify_port)};
  for (const auto& user : *users) {
    if (auto r = docker::write_phoenix_context(env_.fs, user, context); !r) return r;
  }
  return ok();
}

Result<void> ApplyExecutor::do_commit(const ApplyJournal& journal) {
  std::vector<std::string> keep{journal.new_set};
  if (journal.old_set) keep.push_back(*journal.old_set);
  auto pruned = sets_.prune(keep);
  auto backups = env_.fs.remove_tree(backup_dir());
  if (auto r = journal_store_.remove(); !r) return r;
  if (!pruned) return pruned;
  return backups;
}

Result<void> ApplyExecutor::do_restore(const ApplyJournal& journal) {
  if (auto r = restore(env_.fs, journal.backups); !r) return r;
  return sets_.point_current_at(journal.old_set);
}

Result<void> ApplyExecutor::do_discard(const ApplyJournal& journal) {
  auto current = sets_.current_set();
  const bool new_is_live = current && *current && **current == journal.new_set;
  if (!new_is_live) {
    if (auto r = sets_.remove_set(journal.new_set); !r) return r;
  }
  if (auto r = env_.fs.remove_tree(backup_dir()); !r) return r;
  return journal_store_.remove();
}

}  // namespace phoenix::agent::apply
