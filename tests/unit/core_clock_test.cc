// Specification of the clock: virtual time, timer order, and discrete-event stepping.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/clock.h"

namespace core_clock_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;

namespace {
const Time kStart = *parse_rfc3339("2026-01-01T00:00:00Z");
}

TEST_CASE("a virtual clock never moves by itself") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  REQUIRE(clock.now() == kStart);
  REQUIRE(clock.now() == kStart);
  clock.advance(90s);
  REQUIRE(clock.now() == kStart + 90s);
}

TEST_CASE("timers fire in deadline order, equal deadlines in scheduling order") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  std::vector<std::string> fired;
  clock.schedule(kStart + 3s, [&] { fired.push_back("c@3"); });
  clock.schedule(kStart + 1s, [&] { fired.push_back("a@1"); });
  clock.schedule(kStart + 2s, [&] { fired.push_back("b1@2"); });
  clock.schedule(kStart + 2s, [&] { fired.push_back("b2@2"); });
  clock.schedule(kStart + 2s, [&] { fired.push_back("b3@2"); });
  REQUIRE(clock.pending() == 5);
  REQUIRE(clock.next_timer() == kStart + 1s);

  clock.advance(2s);
  REQUIRE(fired == std::vector<std::string>{"a@1", "b1@2", "b2@2", "b3@2"});
  REQUIRE(clock.pending() == 1);
  clock.advance(1s);
  REQUIRE(fired.back() == "c@3");
  REQUIRE_FALSE(clock.next_timer());
}

TEST_CASE("during advance each timer sees now() equal to its own deadline") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  std::vector<Time> seen;
  clock.schedule_in(250ms, [&] { seen.push_back(clock.now()); });
  clock.schedule_in(10s, [&] { seen.push_back(clock.now()); });
  clock.advance(1min);
  REQUIRE(seen == std::vector<Time>{kStart + 250ms, kStart + 10s});
  REQUIRE(clock.now() == kStart + 1min);
}

TEST_CASE("a cancelled timer never fires and cannot be cancelled twice") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  int fired = 0;
  auto id = clock.schedule_in(5s, [&] { ++fired; });
  clock.schedule_in(6s, [&] { ++fired; });
  REQUIRE(clock.cancel(id));
  REQUIRE_FALSE(clock.cancel(id));
  clock.advance(10s);
  REQUIRE(fired == 1);
  REQUIRE_FALSE(clock.cancel(12345));
}

TEST_CASE("a fired timer cannot be cancelled") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  auto id = clock.schedule_in(1s, [] {});
  clock.advance(1s);
  REQUIRE_FALSE(clock.cancel(id));
}

TEST_CASE("timers scheduled by callbacks fire within the same advance span when due in it") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  std::vector<Time> retries;
  std::function<void()> retry = [&] {
    retries.push_back(clock.now());
    if (retries.size() < 5) clock.schedule_in(10s, retry);
  };
  clock.schedule_in(10s, retry);
  clock.advance(35s);
  REQUIRE(retries == std::vector<Time>{kStart + 10s, kStart + 20s, kStart + 30s});
  clock.advance(1h);
  REQUIRE(retries.size() == 5);
  REQUIRE(retries.back() == kStart + 50s);
}

TEST_CASE("a callback can cancel a later timer of the same span") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  bool late_fired = false;
  Clock::TimerId late = clock.schedule_in(2s, [&] { late_fired = true; });
  clock.schedule_in(1s, [&] { REQUIRE(clock.cancel(late)); });
  clock.advance(5s);
  REQUIRE_FALSE(late_fired);
  REQUIRE(clock.pending() == 0);
}

TEST_CASE("a timer scheduled at or before now waits for the next run_due, not re-entrantly") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  int fired = 0;
  clock.schedule(kStart - 1s, [&] { ++fired; });
  clock.schedule(kStart, [&] { ++fired; });
  REQUIRE(fired == 0);
  REQUIRE(clock.run_due() == 2);
  REQUIRE(fired == 2);
  REQUIRE(clock.now() == kStart);  // a past deadline never moves time backwards
}

TEST_CASE("step jumps to the next timer and fires everything due at that instant") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  std::vector<int> fired;
  clock.schedule_in(1h, [&] { fired.push_back(1); });
  clock.schedule_in(1h, [&] { fired.push_back(2); });
  clock.schedule_in(2h, [&] { fired.push_back(3); });

  REQUIRE_FALSE(clock.step(kStart + 30min));
  REQUIRE(clock.now() == kStart);
  REQUIRE(clock.step(kStart + 1h));
  REQUIRE(clock.now() == kStart + 1h);
  REQUIRE(fired == std::vector<int>{1, 2});
}

TEST_CASE("run_until_idle fires a day of retries instantly and stops at the limit") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  int attempts = 0;
  std::function<void()> attempt = [&] {
    ++attempts;
    clock.schedule_in(10min, attempt);
  };
  clock.schedule_in(10min, attempt);
  REQUIRE(clock.run_until_idle(kStart + 24h) == 144);
  REQUIRE(attempts == 144);
  REQUIRE(clock.now() == kStart + 24h);  // the 144th attempt was due exactly at the limit
  REQUIRE(clock.next_timer() == kStart + 24h + 10min);
  REQUIRE(clock.run_until_idle(kStart + 24h + 5min) == 0);
}

TEST_CASE("set moves forward like advance and backward without firing anything") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  int fired = 0;
  clock.schedule_in(1min, [&] { ++fired; });
  clock.set(kStart - 1h);
  REQUIRE(clock.now() == kStart - 1h);
  REQUIRE(fired == 0);
  clock.set(kStart + 1min);
  REQUIRE(fired == 1);
  REQUIRE(clock.now() == kStart + 1min);
}

TEST_CASE("the wakeup hook hears every change of the earliest deadline") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  int calls = 0;
  clock.on_wakeup_change([&] { ++calls; });
  auto early = clock.schedule_in(5s, [] {});
  REQUIRE(calls == 1);
  clock.schedule_in(10s, [] {});  // not the earliest: no change
  REQUIRE(calls == 1);
  clock.schedule_in(1s, [] {});
  REQUIRE(calls == 2);
  clock.cancel(early);  // not the earliest any more: no change
  REQUIRE(calls == 2);
  clock.advance(2s);    // the earliest fired
  REQUIRE(calls >= 3);
}

TEST_CASE("a real clock follows the wall clock plus an offset") {
  Clock clock(Clock::Mode::kReal);
  Time before = clock.now();
  clock.advance(1h);
  REQUIRE(clock.now() - before >= 1h);
  int fired = 0;
  clock.schedule_in(30min, [&] { ++fired; });
  clock.advance(31min);
  REQUIRE(fired == 1);
  clock.set(kStart);
  REQUIRE(clock.now() >= kStart);
  REQUIRE(clock.now() - kStart < 1h);
}

}  // namespace core_clock_test
