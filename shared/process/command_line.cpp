#include "shared/process/command_line.hpp"

namespace phoenix::process {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Result<std::vector<std::string>> split_command_line(const std::string& command) {
  enum class Quote { none, single, dbl };
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // true once a word started, even if empty ("" is an argument)
  Quote quote = Quote::none;

  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    switch (quote) {
      case Quote::single:
        if (c == '\'') quote = Quote::none; else word += c;
        break;
      case Quote::dbl:
        if (c == '"') {
          quote = Quote::none;
        } else if (c == '\\' && i + 1 < command.size() &&
                   (command[i + 1] == '"' || command[i + 1] == '\\')) {
          word += command[++i];
        } else {
          word += c;
        }
        break;
      case Quote::none:
        if (is_space(c)) {
          if (in_word) words.push_back(std::move(word));
          word.clear();
          in_word = false;
        } else if (c == '\'') {
          quote = Quote::single;
          in_word = true;
        } else if (c == '"') {
          quote = Quote::dbl;
          in_word = true;
        } else if (c == '\\') {
          if (i + 1 >= command.size()) {
            return make_error("invalid_command", "command ends with a lone backslash: " + command);
          }
          word += command[++i];
          in_word = true;
        } else {
          word += c;
          in_word = true;
        }
        break;
    }
  }
  if (quote != Quote::none) {
    return make_error("invalid_command", "unterminated quote in command: " + command);
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return make_error("invalid_command", "the command is empty");
  return words;
}

}  // namespace phoenix::process
