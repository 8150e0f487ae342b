#include "agent/commands.hpp"

int main(int argc, char** argv) {
  return phoenix::cli::dispatch("phoenix-agent", "the Phoenix VM agent",
                                phoenix::agent::agent_commands(), argc, argv);
}
