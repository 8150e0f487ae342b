#pragma once
// The last crash boundary of a daemon: every handler of outside input has its own try/catch,
// but one that still throws must cost only the work it was doing, never the process. The hub
// and the agent run their io_context through run_io_loop().
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <string_view>

namespace phoenix {

// Runs `ioc` until it runs out of work or is stopped. When a handler throws, the exception is
// logged (as `component`, at error level) and counted, and the loop runs on: Asio leaves the
// io_context usable after a handler's exception, and the other connections' work is intact.
void run_io_loop(boost::asio::io_context& ioc, std::string_view component);

// Handlers that threw into run_io_loop() in this process (for /metrics).
std::uint64_t io_loop_exceptions();

}  // namespace phoenix
