#pragma once
// Runs an admin command function in-process with captured output.
#include <sstream>
#include <string>
#include <vector>

namespace phoenix::hub::testing {

struct CommandRun {
  int rc = -1;
  std::string out;
  std::string err;

  // The last non-empty line of stdout.
  std::string last_line() const {
    std::string text = out;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const auto newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
  }
};

template <class Fn>
CommandRun run_command(Fn fn, const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CommandRun run;
  run.rc = fn(args, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace phoenix::hub::testing
