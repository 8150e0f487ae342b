// The event bus and its listeners, without sockets: wire format, fan-out, the bounds on listeners
// and on what a slow listener may queue, and shutdown.
#include "hub/events/change_filter.hpp"
#include "hub/events/event_bus.hpp"
#include "hub/events/fleet_watcher.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace phoenix::hub {
namespace {

// Drains what a listener has queued right now (its `next` answers at once when it has text).
std::optional<std::string> drain(EventSubscription& listener) {
  std::optional<std::string> got;
  bool answered = false;
  listener.next([&](std::optional<std::string> text) {
    answered = true;
    got = std::move(text);
  });
  if (!answered) return std::string();  // nothing queued: still waiting
  return got;
}

TEST(EventBus, FormatsOneRecordWithIdTypeAndOneLineOfJson) {
  const auto text = EventBus::format(7, "agent", {{"vm", "a\nb"}});
  EXPECT_EQ(text, "id: 7\nevent: agent\ndata: {\"vm\":\"a\\nb\"}\n\n");
}

TEST(EventBus, GreetsEachListenerThenFansEventsOut) {
  EventBus bus;
  auto one = bus.subscribe({{"version", "1.2.3"}});
  auto two = bus.subscribe({{"version", "1.2.3"}});
  ASSERT_TRUE(one && two);
  const auto hello = drain(*one);
  ASSERT_TRUE(hello);
  EXPECT_NE(hello->find("retry: "), std::string::npos);
  EXPECT_NE(hello->find("event: hello\ndata: {\"version\":\"1.2.3\"}"), std::string::npos);
  (void)drain(*two);

  bus.publish("rotation", {{"id", "r1"}});
  bus.publish("vms", nlohmann::json::object());
  for (auto* listener : {one.get(), two.get()}) {
    const auto got = drain(*listener);
    ASSERT_TRUE(got);
    EXPECT_NE(got->find("event: rotation\ndata: {\"id\":\"r1\"}\n\n"), std::string::npos) << *got;
    EXPECT_NE(got->find("event: vms\ndata: {}\n\n"), std::string::npos) << *got;
  }
}

TEST(EventBus, AWaitingReaderIsWokenByTheNextEvent) {
  EventBus bus;
  auto listener = bus.subscribe({});
  (void)drain(*listener);
  std::optional<std::string> got;
  listener->next([&](std::optional<std::string> text) { got = std::move(text); });
  EXPECT_FALSE(got);
  bus.heartbeat();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, ": ping\n\n");
}

TEST(EventBus, RefusesListenersBeyondTheLimitUntilOneLeaves) {
  EventBus bus(EventBusLimits{2, 1024});
  auto a = bus.subscribe({});
  auto b = bus.subscribe({});
  EXPECT_TRUE(a && b);
  EXPECT_EQ(bus.subscribe({}), nullptr);
  EXPECT_EQ(bus.listeners(), 2u);
  a->cancel();  // its connection went away
  EXPECT_EQ(bus.listeners(), 1u);
  EXPECT_NE(bus.subscribe({}), nullptr);
}

TEST(EventBus, AListenerThatFallsTooFarBehindIsEndedNotGrown) {
  EventBus bus(EventBusLimits{4, 1024});
  auto slow = bus.subscribe({});
  auto fast = bus.subscribe({});
  for (int i = 0; i < 100; ++i) {
    bus.publish("agent", {{"vm", "vm-" + std::to_string(i)}});
    (void)drain(*fast);
  }
  EXPECT_TRUE(slow->overflowed());
  EXPECT_TRUE(slow->ended());
  EXPECT_FALSE(fast->ended());
  // What it had queued (under the bound) is still delivered, then the end.
  const auto queued = drain(*slow);
  ASSERT_TRUE(queued);
  EXPECT_LE(queued->size(), 1024u);
  EXPECT_EQ(drain(*slow), std::nullopt);
  EXPECT_EQ(bus.listeners(), 1u);
}

TEST(EventBus, CloseEndsEveryStreamAndRefusesNewOnes) {
  EventBus bus;
  auto listener = bus.subscribe({});
  (void)drain(*listener);
  bool ended = false;
  listener->next([&](std::optional<std::string> text) { ended = !text; });
  bus.close();
  EXPECT_TRUE(ended);
  EXPECT_EQ(bus.subscribe({}), nullptr);
}

TEST(EventBus, PublishingWithNoListenerIsFree) {
  EventBus bus;
  bus.publish("agent", {{"vm", "x"}});  // nothing to do, nothing kept
  auto listener = bus.subscribe({});
  const auto got = drain(*listener);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->find("event: agent"), std::string::npos);
}

TEST(EventSubscription, CancelDropsTheQueueAndAnswersAWaitingReader) {
  EventSubscription listener(1024);
  std::optional<std::string> got = "unset";
  listener.next([&](std::optional<std::string> text) { got = std::move(text); });
  listener.cancel();
  EXPECT_EQ(got, std::nullopt);
  EXPECT_FALSE(listener.push("data: x\n\n"));
}

TEST(FleetWatcher, FingerprintIgnoresOrderAndSeesStateChanges) {
  VmInfo a{"a", "running", true};
  VmInfo b{"b", "stopped", false};
  EXPECT_EQ(FleetWatcher::fingerprint({a, b}), FleetWatcher::fingerprint({b, a}));
  VmInfo b_started{"b", "running", true};
  EXPECT_NE(FleetWatcher::fingerprint({a, b}), FleetWatcher::fingerprint({a, b_started}));
  EXPECT_NE(FleetWatcher::fingerprint({a, b}), FleetWatcher::fingerprint({a}));
  EXPECT_NE(FleetWatcher::fingerprint({}), FleetWatcher::fingerprint({a}));  // from an empty fleet too
}

TEST(ChangeFilter, PassesFirstSightingsChangesAndDeparturesOnly) {
  ChangeFilter filter;
  EXPECT_TRUE(filter.changed("vm1", "state A"));
  EXPECT_FALSE(filter.changed("vm1", "state A"));  // the same report again: nothing to tell
  EXPECT_TRUE(filter.changed("vm2", "state A"));   // keys are independent
  EXPECT_TRUE(filter.changed("vm1", "state B"));
  EXPECT_TRUE(filter.changed("vm1", std::nullopt));   // gone
  EXPECT_FALSE(filter.changed("vm1", std::nullopt));  // already gone
  EXPECT_TRUE(filter.changed("vm1", "state B"));      // back: told again
}

}  // namespace
}  // namespace phoenix::hub
