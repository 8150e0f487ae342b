#include "shared/core/io_loop.hpp"

#include "shared/core/log.hpp"
#include "shared/core/safe_text.hpp"

#include <atomic>
#include <exception>
#include <string>

namespace phoenix {
namespace {

std::atomic<std::uint64_t> exceptions{0};

}  // namespace

void run_io_loop(boost::asio::io_context& ioc, std::string_view component) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      exceptions.fetch_add(1, std::memory_order_relaxed);
      log::error(component, "a handler failed and was abandoned (the process goes on): " +
                                printable(e.what(), 512));
    } catch (...) {
      exceptions.fetch_add(1, std::memory_order_relaxed);
      log::error(component, "a handler failed with an unknown exception and was abandoned");
    }
  }
}

std::uint64_t io_loop_exceptions() { return exceptions.load(std::memory_order_relaxed); }

}  // namespace phoenix
