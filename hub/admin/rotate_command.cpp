#include "hub/admin/rotate_command.hpp"

#include "hub/admin/hub_paths.hpp"
#include "hub/rotation/rollout_driver.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/vms/vm_name.hpp"
#include "shared/cli/command_table.hpp"
#include "shared/fs/real_file_system.hpp"

#include <iostream>
#include <map>
#include <sstream>
#include <thread>

namespace phoenix::hub {
namespace {
namespace po = boost::program_options;

constexpr const char* kUsage =
    "phoenix-hub rotate --kind docker-tls [--vms a,b] [--parallel N] [--max-failures M]\n"
    "                   [--no-wait] [--timeout SECONDS] [--config F] [--state-dir DIR]\n\n"
    "Starts a rotation of every enrolled VM (or those named by --vms) in rolling waves of --parallel\n"
    "VMs; it halts once more than --max-failures VMs fail. The running `phoenix-hub serve` on the same\n"
    "state dir carries it out; this command prints each VM's progress until the rollout ends.\n"
    "Exit: 0 every VM done (or skipped); 1 refused, or the rollout halted or a VM failed;\n"
    "2 usage; 4 still running when --timeout ran out (the rollout goes on).";

int fail(std::ostream& err, const Error& error) {
  err << "phoenix-hub rotate: " << error.message << " [" << error.code << "]\n";
  return 1;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string name; std::getline(in, name, ',');) {
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

std::string describe(const RotationTargetRecord& t) {
  std::string line = t.vm + ": " + std::string(to_string(t.state));
  if (t.state == TargetState::done) {
    line += ", serial " + (t.old_serial.empty() ? std::string("(none)") : t.old_serial) + " -> " + t.new_serial;
    if (t.started_at && t.finished_at) {
      line += " in " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*t.finished_at - *t.started_at).count()) + " s";
    }
  }
  if (!t.error.empty()) line += " (" + t.error + ")";
  return line;
}
}  // namespace

int run_rotate_command(const std::vector<std::string>& args) { return run_rotate_command(args, std::cout, std::cerr); }

int run_rotate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                       std::chrono::milliseconds poll_interval) {
  po::options_description options("Options");
  options.add_options()
      ("kind", po::value<std::string>()->required()->value_name("KIND"),
       "docker-tls (new dockerd/client certs), docker-ca (a new docker CA, in three phases) or identity "
       "(new agent identities)")
      ("vms", po::value<std::string>()->value_name("a,b"), "only these VMs (default: every enrolled VM)")
      ("parallel", po::value<int>()->default_value(1)->value_name("N"), "VMs rotated at once")
      ("max-failures", po::value<int>()->default_value(0)->value_name("M"), "failures tolerated before halting")
      ("no-wait", "start it and exit; follow with GET /rotations/{id}")
      ("timeout", po::value<int>()->default_value(3600)->value_name("SECONDS"), "stop following after this long")
      ("config", po::value<std::string>()->default_value(default_hub_config_path())->value_name("F"), "hub config file")
      ("state-dir", po::value<std::string>()->default_value(default_hub_state_dir())->value_name("DIR"),
       "hub state directory");
  po::variables_map vm;
  if (int rc = cli::parse_options(kUsage, options, args, vm); rc >= 0) return rc;

  RotationRequest request;
  request.kind = vm["kind"].as<std::string>();
  request.max_parallel = vm["parallel"].as<int>();
  request.max_failures = vm["max-failures"].as<int>();
  if (vm.count("vms") != 0) {
    request.vms = split_names(vm["vms"].as<std::string>());
    for (const auto& name : request.vms) {
      if (auto checked = validate_vm_name(name); !checked) return fail(err, checked.error());
    }
  }

  fs::RealFileSystem fs;
  const HubPaths paths = hub_paths(vm["state-dir"].as<std::string>());
  if (!fs.exists(paths.database)) {
    return fail(err, make_error("not_initialized", paths.database + " does not exist: pass the --state-dir of "
                                                                    "the running `phoenix-hub serve`"));
  }
  auto store = HubStore::open(paths.database);
  if (!store) return fail(err, store.error());
  const auto now = std::chrono::system_clock::now();
  std::shared_ptr<DockerTrust> trust;
  if (request.kind == "docker-ca") {
    auto loaded = DockerTrust::load(paths.ca_dir, std::chrono::hours(24 * 90));
    if (!loaded) return fail(err, loaded.error());
    trust = *loaded;
  }
  auto record = make_rotation_record(request, **store, trust.get(), new_rotation_id(now), now);
  if (!record) return fail(err, record.error());
  if (auto stored = (*store)->create_rotation(*record); !stored) return fail(err, stored.error());
  out << "rotation " << record->id << " (" << record->kind << ") of " << record->targets.size()
      << " VM(s) started; `phoenix-hub serve` rolls it out\n" << std::flush;
  if (vm.count("no-wait") != 0) return 0;

  std::map<std::string, std::string> shown;
  std::string shown_phase;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(vm["timeout"].as<int>());
  const auto started = std::chrono::steady_clock::now();
  bool hinted = false;
  for (;;) {
    auto current = (*store)->get_rotation(record->id);
    if (!current) return fail(err, current.error());
    if (!*current) return fail(err, make_error("rotation_not_found", "rotation " + record->id + " vanished"));
    const RotationRecord& r = **current;
    bool moved = false;
    for (const auto& target : r.targets) {
      const auto line = describe(target);
      if (shown[target.vm] != line) {
        out << "  " << line << "\n" << std::flush;
        shown[target.vm] = line;
      }
      moved = moved || target.state != TargetState::pending;
    }
    if (!r.plan.empty() && r.plan + std::to_string(r.phase) != shown_phase) {
      shown_phase = r.plan + std::to_string(r.phase);
      shown.clear();  // every VM goes through each phase again
      out << "phase " << r.phase + 1 << " of the " << r.plan << " plan\n" << std::flush;
    }
    if (r.finished_at) {
      int failed = 0;
      for (const auto& t : r.targets) failed += t.state == TargetState::failed ? 1 : 0;
      out << "rotation " << r.id << " " << to_string(r.outcome) << (r.reason.empty() ? "" : ": " + r.reason) << "\n";
      return r.outcome == RolloutOutcome::completed && failed == 0 ? 0 : 1;
    }
    if (!moved && !hinted && std::chrono::steady_clock::now() - started > std::chrono::seconds(15)) {
      err << "phoenix-hub rotate: no VM has started yet: is `phoenix-hub serve --state-dir " << paths.state_dir
          << "` running, and are the agents connected?\n";
      hinted = true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      err << "phoenix-hub rotate: still running after --timeout; it goes on (GET /rotations/" << r.id << ")\n";
      return 4;
    }
    std::this_thread::sleep_for(poll_interval);
  }
}

}  // namespace phoenix::hub
