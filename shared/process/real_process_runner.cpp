#include "shared/process/real_process_runner.hpp"

#include "shared/process/detached_spawner.hpp"
#include "shared/platform/descriptors.hpp"

// Process v2 in 1.81, with BOOST_PROCESS_USE_STD_FS, uses boost::optional and unqualified
// Boost.TypeTraits names that only boost/filesystem used to pull in: include them first.
#include <boost/optional.hpp>
#include <boost/type_traits.hpp>
// (keep the two lines above before any Process v2 header)
#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

#include <array>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

namespace phoenix::process {
namespace asio = boost::asio;
namespace bp = boost::process::v2;
using boost::system::error_code;

namespace {

// Asio opens sockets and files without O_CLOEXEC, so a child would inherit the hub's
// listening sockets and keep its ports bound after the hub exits. In the forked child,
// just before exec, every descriptor above stderr is marked close-on-exec (not closed:
// Process v2's own exec-error pipe must survive until the exec). Async-signal-safe.
struct CloseOtherDescriptorsOnExec {
  template <class Launcher>
  error_code on_exec_setup(Launcher&, const std::filesystem::path&, const char* const*&) {
    platform::mark_descriptors_cloexec_from(STDERR_FILENO + 1);
    return {};
  }
};

// After the child exits, grandchildren may still hold its pipes open: read what is already
// there, but do not wait for them longer than this.
constexpr std::chrono::milliseconds kDrainAfterExit{300};

// One output stream read to EOF into a capped buffer. Reading continues past the cap (and
// drops the bytes) so a chatty child never blocks on a full pipe.
struct Capture {
  Capture(asio::io_context& io, std::size_t cap) : pipe(io), limit(cap) {}

  void start(std::function<void()> on_eof) {
    done = std::move(on_eof);
    read_more();
  }

  void read_more() {
    pipe.async_read_some(asio::buffer(chunk), [this](error_code ec, std::size_t n) {
      const std::size_t room = data.size() < limit ? limit - data.size() : 0;
      data.append(chunk.data(), std::min(n, room));
      if (n > room) truncated = true;
      if (ec) {
        eof = true;
        done();
        return;
      }
      read_more();
    });
  }

  asio::readable_pipe pipe;
  std::size_t limit;
  std::array<char, 16384> chunk{};
  std::string data;
  bool truncated = false;
  bool eof = false;
  std::function<void()> done;
};

void decode_wait_status(int status, RunResult& result) {
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  }
}

}  // namespace

Result<RunResult> RealProcessRunner::run(const RunOptions& options) {
  if (options.argv.empty() || options.argv[0].empty() || options.argv[0][0] != '/') {
    return make_error("spawn_failed", "the program must be given by absolute path, got \"" +
                                          (options.argv.empty() ? "" : options.argv[0]) + "\"");
  }
  const std::string& program = options.argv[0];
  if (::access(program.c_str(), F_OK) != 0) {
    return make_error("not_found", program + " does not exist: install it or fix the configured path");
  }
  if (::access(program.c_str(), X_OK) != 0) {
    return make_error("spawn_failed", program + " is not executable by this user");
  }

  asio::io_context io;
  Capture out(io, options.max_output_bytes);
  Capture err(io, options.max_output_bytes);
  const std::vector<std::string> args(options.argv.begin() + 1, options.argv.end());
  const std::vector<std::string> env = child_environment(options.extra_env);

  // The launcher's own env pointer, rather than process_environment, whose on_setup 1.81
  // only defines in its separately compiled sources.
  std::vector<const char*> envp;
  for (const auto& kv : env) envp.push_back(kv.c_str());
  envp.push_back(nullptr);
  bp::default_process_launcher launcher;
  launcher.env = envp.data();

  // The executor overload: in 1.81 the io_context overload with an error_code drops it and
  // throws instead.
  error_code launch_error;
  bp::process child = launcher(io.get_executor(), launch_error, std::filesystem::path(program), args,
                               bp::process_stdio{nullptr, out.pipe, err.pipe},
                               CloseOtherDescriptorsOnExec{});
  if (launch_error) {
    // The forked child whose exec failed exits at once; 1.81 does not reap it.
    if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);
    return make_error(launch_error == boost::system::errc::no_such_file_or_directory ? "not_found"
                                                                                     : "spawn_failed",
                      "cannot start " + program + ": " + launch_error.message());
  }
  const pid_t pid = child.id();

  RunResult result;
  bool exited = false;
  bool reaped = false;
  int wait_status = 0;
  asio::steady_timer deadline(io);
  asio::steady_timer grace(io);
  asio::steady_timer drain(io);

  auto finish_if_done = [&] {
    if (exited && out.eof && err.eof) {
      deadline.cancel();
      grace.cancel();
      drain.cancel();
    }
  };
  out.start(finish_if_done);
  err.start(finish_if_done);

  child.async_wait([&](error_code ec, int) {
    exited = true;
    reaped = !ec;
    wait_status = reaped ? child.native_exit_code() : 0;
    deadline.cancel();
    grace.cancel();
    if (out.eof && err.eof) return;
    drain.expires_after(kDrainAfterExit);
    drain.async_wait([&](error_code timer_ec) {
      if (timer_ec) return;
      error_code ignored;
      out.pipe.close(ignored);
      err.pipe.close(ignored);
    });
  });

  // Signals go through ::kill on the pid, which stays valid: only async_wait reaps it, and
  // it runs on this same thread, so "not exited" here really means "not reaped".
  deadline.expires_after(options.timeout);
  deadline.async_wait([&](error_code ec) {
    if (ec || exited) return;
    result.timed_out = true;
    ::kill(pid, SIGTERM);
    grace.expires_after(kill_grace_);
    grace.async_wait([&](error_code grace_ec) {
      if (grace_ec || exited) return;
      ::kill(pid, SIGKILL);
    });
  });

  io.run();
  // Reaped by async_wait: detach so the destructor does not signal a pid that may be reused.
  child.detach();

  if (reaped) {
    decode_wait_status(wait_status, result);
  } else {  // someone else reaped it (SIGCHLD ignored?): the outcome is unknown
    result.exit_code = -1;
  }
  result.out = std::move(out.data);
  result.err = std::move(err.data);
  result.truncated = out.truncated || err.truncated;
  return result;
}

std::string describe_outcome(const RunResult& result, const RunOptions& options) {
  if (result.timed_out) {
    return "timed out after " + std::to_string(options.timeout.count()) + " ms";
  }
  if (result.signal != 0) return "killed by signal " + std::to_string(result.signal);
  return "exit " + std::to_string(result.exit_code);
}

}  // namespace phoenix::process
