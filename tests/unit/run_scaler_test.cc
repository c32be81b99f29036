// Specification of the Run autoscaler: concurrency accounting, scale-out to max instances
// then queueing, 429 after the pending timeout, scale to zero on the virtual clock with min
// instances kept warm, and restart backoff after crashes.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "core/clock.h"
#include "services/run/scaler.h"

namespace run_scaler_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;
using namespace gcpsim::services::run;

namespace {

const Time kStart = *parse_rfc3339("2026-01-01T00:00:00Z");

// A scaler whose hooks only record what it asked for.
struct Fixture {
  explicit Fixture(ScalerConfig c) : scaler(clock, c, hooks()) {}

  ScalerHooks hooks() {
    return {[this](uint64_t id) { started.push_back(id); },
            [this](uint64_t id) { stopped.push_back(id); },
            [this](uint64_t t, uint64_t i) { granted[t] = i; },
            [this](uint64_t t) { rejected.push_back(t); }};
  }
  int in_flight(uint64_t id) const { return scaler.instance(id) ? scaler.instance(id)->in_flight : -1; }

  Clock clock{Clock::Mode::kVirtual, kStart};
  std::vector<uint64_t> started, stopped, rejected;
  std::map<uint64_t, uint64_t> granted;  // ticket → instance
  Scaler scaler;
};

ScalerConfig config(int concurrency, int min, int max) {
  ScalerConfig c;
  c.concurrency = concurrency;
  c.min_instances = min;
  c.max_instances = max;
  return c;
}

}  // namespace

TEST_CASE("the first request starts an instance and is granted when it is ready") {
  Fixture f(config(80, 0, 3));
  f.scaler.start();
  REQUIRE(f.started.empty());
  f.scaler.submit(1);
  REQUIRE(f.started == std::vector<uint64_t>{1});
  REQUIRE(f.granted.empty());
  REQUIRE(f.scaler.queued() == 1);
  f.scaler.ready(1);
  REQUIRE(f.granted.at(1) == 1);
  REQUIRE(f.in_flight(1) == 1);
  f.scaler.release(1);
  REQUIRE(f.in_flight(1) == 0);
}

TEST_CASE("concurrency 1: parallel requests scale out to max instances, then queue") {
  Fixture f(config(1, 0, 2));
  for (uint64_t t = 1; t <= 4; ++t) f.scaler.submit(t);
  REQUIRE(f.started == std::vector<uint64_t>{1, 2});  // never more than max
  f.scaler.ready(1);
  f.scaler.ready(2);
  REQUIRE(f.granted == std::map<uint64_t, uint64_t>{{1, 1}, {2, 2}});
  REQUIRE(f.scaler.queued() == 2);
  f.scaler.release(2);
  REQUIRE(f.granted.at(3) == 2);  // the freed slot takes the queue's head
  f.scaler.release(1);
  REQUIRE(f.granted.at(4) == 1);
  REQUIRE(f.scaler.queued() == 0);
}

TEST_CASE("starting instances absorb the queue before more are started") {
  Fixture f(config(10, 0, 5));
  for (uint64_t t = 1; t <= 10; ++t) f.scaler.submit(t);
  REQUIRE(f.started.size() == 1);  // one starting instance takes ten requests
  f.scaler.submit(11);
  REQUIRE(f.started.size() == 2);
}

TEST_CASE("requests are packed onto the lowest-numbered instance with a free slot") {
  Fixture f(config(2, 2, 2));
  f.scaler.start();
  f.scaler.ready(1);
  f.scaler.ready(2);
  f.scaler.submit(1);
  f.scaler.submit(2);
  f.scaler.submit(3);
  REQUIRE(f.granted == std::map<uint64_t, uint64_t>{{1, 1}, {2, 1}, {3, 2}});
}

TEST_CASE("a request queued at max instances for the pending timeout is rejected (429)") {
  Fixture f(config(1, 0, 1));
  f.scaler.submit(1);
  f.scaler.ready(1);
  f.scaler.submit(2);
  f.clock.advance(59s);
  REQUIRE(f.rejected.empty());
  f.clock.advance(1s);
  REQUIRE(f.rejected == std::vector<uint64_t>{2});
  REQUIRE(f.scaler.queued() == 0);
}

TEST_CASE("a withdrawn request leaves the queue and is never granted") {
  Fixture f(config(1, 0, 1));
  f.scaler.submit(1);
  f.scaler.submit(2);
  REQUIRE(f.scaler.withdraw(2));
  REQUIRE_FALSE(f.scaler.withdraw(2));
  f.scaler.ready(1);
  f.scaler.release(1);
  REQUIRE(f.granted.count(2) == 0);
}

TEST_CASE("an idle instance scales to zero after the idle timeout on the clock") {
  Fixture f(config(80, 0, 3));
  f.scaler.submit(1);
  f.scaler.ready(1);
  f.clock.advance(10min);
  f.scaler.release(1);
  f.clock.advance(14min);
  REQUIRE(f.stopped.empty());
  f.clock.advance(1min);
  REQUIRE(f.stopped == std::vector<uint64_t>{1});
  f.scaler.exited(1, false);
  REQUIRE(f.scaler.instances().empty());
  f.scaler.submit(2);  // the next request cold-starts a new instance
  REQUIRE(f.started == std::vector<uint64_t>{1, 2});
}

TEST_CASE("a request during the idle period restarts the idle countdown") {
  Fixture f(config(80, 0, 3));
  f.scaler.submit(1);
  f.scaler.ready(1);
  f.scaler.release(1);
  f.clock.advance(10min);
  f.scaler.submit(2);
  f.scaler.release(1);
  f.clock.advance(10min);
  REQUIRE(f.stopped.empty());
  f.clock.advance(5min);
  REQUIRE(f.stopped == std::vector<uint64_t>{1});
}

TEST_CASE("min instances start at once and are kept warm when idle") {
  Fixture f(config(1, 1, 3));
  f.scaler.start();
  REQUIRE(f.started == std::vector<uint64_t>{1});
  f.scaler.ready(1);
  f.scaler.submit(1);
  f.scaler.submit(2);  // a second instance for the burst
  f.scaler.ready(2);
  f.scaler.release(1);
  f.scaler.release(2);
  f.clock.advance(1h);
  REQUIRE(f.stopped.size() == 1);  // one idle instance goes, the minimum stays
  REQUIRE(f.scaler.live() == 1);
}

TEST_CASE("a crashed min instance is replaced at once, a crash loop backs off") {
  Fixture f(config(80, 1, 3));
  f.scaler.start();
  f.scaler.exited(1, true);           // first crash: immediate restart
  REQUIRE(f.started == std::vector<uint64_t>{1, 2});
  f.scaler.exited(2, true);           // second in a row: 1 s backoff
  REQUIRE(f.started.size() == 2);
  f.clock.advance(1s);
  REQUIRE(f.started.size() == 3);
  f.scaler.exited(3, true);           // then 2 s
  f.clock.advance(1s);
  REQUIRE(f.started.size() == 3);
  f.clock.advance(1s);
  REQUIRE(f.started.size() == 4);
  f.scaler.ready(4);                  // a healthy start resets the streak
  REQUIRE(f.scaler.crash_streak() == 0);
}

TEST_CASE("replacing every instance drains them and starts the minimum again") {
  Fixture f(config(80, 1, 3));
  f.scaler.start();
  f.scaler.ready(1);
  f.scaler.replace_all();
  REQUIRE(f.stopped == std::vector<uint64_t>{1});
  REQUIRE(f.started == std::vector<uint64_t>{1, 2});
  f.scaler.exited(1, false);  // its exit is expected: no crash
  REQUIRE(f.scaler.crash_streak() == 0);
}

TEST_CASE("a start that fails at once counts as a crash and is retried") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  std::vector<uint64_t> started;
  Scaler* self = nullptr;
  ScalerHooks hooks{[&](uint64_t id) {
                      started.push_back(id);
                      if (id == 1) self->exited(id, true);  // blocked cold start
                    },
                    [](uint64_t) {}, [](uint64_t, uint64_t) {}, [](uint64_t) {}};
  Scaler scaler(clock, config(80, 0, 3), hooks);
  self = &scaler;
  scaler.submit(1);
  REQUIRE(started == std::vector<uint64_t>{1, 2});
  REQUIRE(scaler.queued() == 1);
}

}  // namespace run_scaler_test
