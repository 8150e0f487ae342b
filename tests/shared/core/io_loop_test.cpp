#include "shared/core/io_loop.hpp"

#include "shared/core/log.hpp"

#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace phoenix {
namespace {

// A handler that throws costs only itself: the handlers queued after it still run, and the
// failure is logged with its reason and counted.
TEST(IoLoop, AHandlerThatThrowsCostsOnlyItself) {
  std::vector<std::string> lines;
  log::set_sink([&](log::Level, std::string_view line) { lines.emplace_back(line); });
  boost::asio::io_context ioc;
  int ran = 0;
  boost::asio::post(ioc, [&] { ++ran; });
  boost::asio::post(ioc, [] { throw std::runtime_error("bad \xff input"); });
  boost::asio::post(ioc, [&] { ++ran; });
  boost::asio::post(ioc, [] { throw 42; });
  boost::asio::post(ioc, [&] { ++ran; });
  const auto before = io_loop_exceptions();
  run_io_loop(ioc, "test");
  log::reset_sink();
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(io_loop_exceptions() - before, 2u);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("bad \\xff input"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace phoenix
