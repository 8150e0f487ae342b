#include "hub/tart/tart_cli.hpp"

#include "hub/tart/tart_errors.hpp"
#include "hub/tart/tart_json.hpp"
#include "hub/vms/vm_name.hpp"

#include <algorithm>

namespace phoenix::hub {
namespace {

// `tart ip --wait` longer than this is a client mistake, not a reason to hold a worker.
constexpr int kMaxIpWaitSeconds = 600;

std::string describe(const std::vector<std::string>& args) {
  std::string text = "tart";
  for (const auto& arg : args) text += " " + arg;
  return text;
}

}  // namespace

TartCli::TartCli(TartConfig config, std::shared_ptr<process::ProcessRunner> runner)
    : config_(std::move(config)), runner_(std::move(runner)) {}

Result<process::RunResult> TartCli::call(std::vector<std::string> args,
                                         std::chrono::milliseconds timeout) const {
  const std::string what = describe(args);
  process::RunOptions options;
  options.argv.reserve(args.size() + 1);
  options.argv.push_back(config_.tart_path);
  for (auto& arg : args) options.argv.push_back(std::move(arg));
  options.timeout = timeout;
  options.extra_env = config_.extra_env;

  const auto started = std::chrono::steady_clock::now();
  auto result = runner_->run(options);
  if (config_.on_call) {
    config_.on_call(options.argv.size() > 1 ? options.argv[1] : std::string("?"),
                    std::chrono::steady_clock::now() - started,
                    result && !result->timed_out && result->exit_code == 0);
  }
  if (!result) {
    // tart missing or not executable: the driver cannot work at all.
    return make_error("driver_failed", "cannot run tart: " + result.error().message);
  }
  if (result->timed_out || result->exit_code != 0) return map_tart_failure(*result, what);
  if (result->truncated) {
    return make_error("driver_failed", what + " printed more output than the hub accepts");
  }
  return result;
}

Result<std::vector<VmInfo>> TartCli::list() const {
  auto result = call({"list", "--format", "json", "--source", "local"}, config_.call_timeout);
  if (!result) return result.error();
  return parse_tart_list(result->out);
}

Result<VmInfo> TartCli::get(const std::string& name) const {
  if (auto valid = validate_vm_name(name); !valid) return valid.error();
  auto result = call({"get", name, "--format", "json"}, config_.call_timeout);
  if (!result) return result.error();
  return parse_tart_get(name, result->out);
}

Result<void> TartCli::stop(const std::string& name, std::chrono::seconds graceful_timeout) const {
  if (auto valid = validate_vm_name(name); !valid) return valid.error();
  const auto seconds = std::max<std::int64_t>(0, graceful_timeout.count());
  // tart itself escalates to SIGKILL after --timeout: give it that long plus a normal call.
  auto result = call({"stop", name, "--timeout", std::to_string(seconds)},
                     std::chrono::seconds(seconds) + config_.call_timeout);
  if (!result) return result.error();
  return ok();
}

Result<std::string> TartCli::ip(const std::string& name, int wait_seconds) const {
  if (auto valid = validate_vm_name(name); !valid) return valid.error();
  const int wait = std::clamp(wait_seconds, 0, kMaxIpWaitSeconds);
  auto result = call({"ip", name, "--wait", std::to_string(wait)},
                     std::chrono::seconds(wait) + config_.call_timeout);
  if (!result) return result.error();
  std::string address = trim(result->out);
  const auto first_line_end = address.find('\n');
  if (first_line_end != std::string::npos) address = trim(address.substr(0, first_line_end));
  if (address.empty()) return make_error("driver_failed", "tart ip " + name + " printed no address");
  return address;
}

Result<std::vector<std::string>> TartCli::run_argv(const std::string& name) const {
  if (auto valid = validate_vm_name(name); !valid) return valid.error();
  return std::vector<std::string>{config_.tart_path, "run", name, "--no-graphics"};
}

}  // namespace phoenix::hub
