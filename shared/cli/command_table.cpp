#include "shared/cli/command_table.hpp"

#include "phoenix/version.hpp"

#include <iostream>
#include <sstream>

namespace po = boost::program_options;

namespace phoenix::cli {
namespace {

void print_help(const std::string& program, const std::string& description,
                const std::vector<Command>& commands) {
  std::cout << program << " " << kVersion << " - " << description << "\n\nUsage: " << program
            << " COMMAND [options]\n\nCommands:\n";
  for (const auto& c : commands) {
    std::string name = c.name;
    name.resize(std::max<std::size_t>(name.size() + 2, 18), ' ');
    std::cout << "  " << name << c.summary << "\n";
  }
  std::cout << "\nRun '" << program << " COMMAND --help' for the options of a command.\n";
}

}  // namespace

int dispatch(const std::string& program, const std::string& description,
             const std::vector<Command>& commands, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help(program, description, commands);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    std::cout << program << " " << kVersion << "\n";
    return 0;
  }
  // Longest match first, so "token create" wins over a hypothetical "token".
  const Command* best = nullptr;
  std::size_t best_words = 0;
  for (const auto& c : commands) {
    std::istringstream words(c.name);
    std::string word;
    std::size_t i = 0;
    bool match = true;
    while (words >> word) {
      if (i >= args.size() || args[i] != word) {
        match = false;
        break;
      }
      ++i;
    }
    if (match && i > best_words) {
      best = &c;
      best_words = i;
    }
  }
  if (best == nullptr) {
    std::cerr << program << ": unknown command '" << args[0] << "'. Run '" << program
              << " --help' for the list of commands.\n";
    return 2;
  }
  return best->run(std::vector<std::string>(args.begin() + static_cast<long>(best_words), args.end()));
}

int parse_options(const std::string& usage, const po::options_description& options,
                  const std::vector<std::string>& args, po::variables_map& vm) {
  po::options_description all = options;
  all.add_options()("help,h", "show this help and exit");
  try {
    po::store(po::command_line_parser(args).options(all).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << "Usage: " << usage << "\n\n" << all << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << e.what() << "\nUsage: " << usage << " (see --help)\n";
    return 2;
  }
  return -1;
}

}  // namespace phoenix::cli
