// Swarm join tokens as a configured manager's agent answers them (issue 13): any bytes parse or
// fail cleanly, and the check of a pair against a recorded digest never passes tokens whose
// digest differs. The input is split at its first newline into the worker and manager tokens.
#include "hub/swarm/swarm_token.hpp"
#include "hub/swarm/swarm_trust.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix::hub;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto cut = text.find('\n');
  const std::string worker(text.substr(0, cut));
  const std::string manager(cut == std::string_view::npos ? std::string_view() : text.substr(cut + 1));
  const auto token = parse_swarm_token(worker);
  if (token && "SWMTKN-1-" + token->ca_digest + "-" + token->secret != worker) std::abort();
  const std::string recorded(50, 'z');
  const auto verdict = check_join_tokens(worker, manager, recorded);
  if (verdict.ok && (!token || token->ca_digest != recorded)) std::abort();
  return 0;
}
