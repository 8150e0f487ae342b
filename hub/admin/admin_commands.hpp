#pragma once
// The hub's admin commands (SPEC "Command lines"): `phoenix-hub init`, `token create` and
// `revoke`. Each takes the arguments after its name, accepts --config F (default
// /etc/phoenix/hub.json) and --state-dir DIR (default /var/lib/phoenix-hub) and --help,
// and returns the process exit code: 0 on success, 1 when the work failed (the message
// says what to do), 2 on a usage error. The overloads with streams exist for tests.
#include <iosfwd>
#include <string>
#include <vector>

namespace phoenix::hub {

// Creates the identity and docker CAs, the agent endpoint's server cert, hub.db, logs/
// and (when absent) a default config. Refuses to touch an existing CA.
int run_init_command(const std::vector<std::string>& args);
int run_init_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// `token create --vm NAME [--ttl 1h] [--hub-url wss://…]`: stores sha256(secret) and prints
// the token as the last line of `out`.
int run_token_create_command(const std::vector<std::string>& args);
int run_token_create_command(const std::vector<std::string>& args, std::ostream& out,
                             std::ostream& err);

// `revoke --vm NAME`: marks the agent revoked and denies its current identity serial.
int run_revoke_command(const std::vector<std::string>& args);
int run_revoke_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace phoenix::hub
