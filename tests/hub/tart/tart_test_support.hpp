#pragma once
// Helpers shared by the tart driver tests: waiting for an async handler, a temp dir.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

namespace phoenix::hub::test {

// Calls `start(handler)` and waits (bounded) for the handler's value.
template <class R, class Start>
R wait_for_result(Start&& start, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto promise = std::make_shared<std::promise<R>>();
  auto future = promise->get_future();
  start([promise](R value) { promise->set_value(std::move(value)); });
  if (future.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << "handler not called within " << limit.count() << " ms";
    std::abort();  // the service still references `promise`; nothing sane to return
  }
  return future.get();
}

struct TempDir {
  TempDir() {
    char pattern[] = "/tmp/phoenix-tart-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    path = made ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

}  // namespace phoenix::hub::test
