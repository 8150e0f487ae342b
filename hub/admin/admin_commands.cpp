#include "hub/admin/admin_commands.hpp"

#include <iostream>

// Temporary: the commands land in the next commit.
namespace phoenix::hub {
int run_init_command(const std::vector<std::string>& a) { return run_init_command(a, std::cout, std::cerr); }
int run_init_command(const std::vector<std::string>&, std::ostream&, std::ostream& err) { err << "not yet\n"; return 3; }
int run_token_create_command(const std::vector<std::string>& a) { return run_token_create_command(a, std::cout, std::cerr); }
int run_token_create_command(const std::vector<std::string>&, std::ostream&, std::ostream& err) { err << "not yet\n"; return 3; }
int run_revoke_command(const std::vector<std::string>& a) { return run_revoke_command(a, std::cout, std::cerr); }
int run_revoke_command(const std::vector<std::string>&, std::ostream&, std::ostream& err) { err << "not yet\n"; return 3; }
}  // namespace phoenix::hub
