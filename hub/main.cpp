#include "hub/commands.hpp"

int main(int argc, char** argv) {
  return phoenix::cli::dispatch("phoenix-hub", "the Phoenix fleet hub", phoenix::hub::hub_commands(),
                                argc, argv);
}
