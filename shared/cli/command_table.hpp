#pragma once
// `program COMMAND [options]` dispatch shared by phoenix-agent and phoenix-hub: top-level
// --help lists the commands, --version prints the version, an unknown command says what
// to type instead. Each command parses its own options (Boost.Program_options).
#include <boost/program_options.hpp>

#include <functional>
#include <string>
#include <vector>

namespace phoenix::cli {

struct Command {
  std::string name;     // may contain a space for two-word commands: "token create"
  std::string summary;  // one line for the top-level --help
  std::function<int(const std::vector<std::string>& args)> run;  // args after the name
};

int dispatch(const std::string& program, const std::string& description,
             const std::vector<Command>& commands, int argc, char** argv);

// Parses `args` against `options`. Returns -1 when parsing succeeded and the command should
// go on; otherwise the exit code to return (0 after printing --help, 2 on a usage error,
// with the message and a hint on stderr).
int parse_options(const std::string& usage, const boost::program_options::options_description& options,
                  const std::vector<std::string>& args, boost::program_options::variables_map& vm);

}  // namespace phoenix::cli
