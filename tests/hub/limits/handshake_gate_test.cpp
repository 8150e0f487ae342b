#include "hub/limits/handshake_gate.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace phoenix::hub::limits {
namespace {

TEST(HandshakeGate, CapsOneSourceBeforeTheTotal) {
  auto gate = std::make_shared<HandshakeGate>(5, 2);
  Admission why{};
  auto a = gate->try_enter("10.0.0.1", why);
  auto b = gate->try_enter("10.0.0.1", why);
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  auto c = gate->try_enter("10.0.0.1", why);
  EXPECT_FALSE(c);
  EXPECT_EQ(why, Admission::too_many_from_source);
  EXPECT_STREQ(admission_name(why), "max_handshakes_per_source");
  auto d = gate->try_enter("10.0.0.2", why);
  EXPECT_TRUE(d) << "another address still gets in";
  EXPECT_EQ(why, Admission::admitted);
  EXPECT_EQ(gate->in_progress(), 3u);
}

TEST(HandshakeGate, CapsTheTotal) {
  auto gate = std::make_shared<HandshakeGate>(3, 10);
  std::vector<HandshakeGate::Ticket> held;
  Admission why{};
  for (int i = 0; i < 3; ++i) held.push_back(gate->try_enter("10.0.0." + std::to_string(i), why));
  EXPECT_FALSE(gate->try_enter("10.0.0.9", why));
  EXPECT_EQ(why, Admission::too_many_handshakes);
  EXPECT_EQ(gate->sources(), 3u) << "a refused source leaves no entry behind";
}

TEST(HandshakeGate, ATicketFreesItsSlotOnceReleasedOrDestroyed) {
  auto gate = std::make_shared<HandshakeGate>(1, 1);
  Admission why{};
  {
    auto ticket = gate->try_enter("a", why);
    EXPECT_TRUE(ticket);
    ticket.release();
    EXPECT_EQ(gate->in_progress(), 0u);
    ticket.release();  // twice is harmless
    EXPECT_EQ(gate->in_progress(), 0u);
  }
  {
    auto ticket = gate->try_enter("a", why);
    auto moved = std::move(ticket);
    EXPECT_EQ(gate->in_progress(), 1u);
  }
  EXPECT_EQ(gate->in_progress(), 0u);
  EXPECT_EQ(gate->sources(), 0u);
  EXPECT_TRUE(gate->try_enter("a", why));
}

}  // namespace
}  // namespace phoenix::hub::limits
