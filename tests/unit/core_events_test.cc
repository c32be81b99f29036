// Specification of the event log: virtual timestamps, queries, listeners, byte-stable JSONL.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/clock.h"
#include "core/events.h"

namespace core_events_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;

namespace {
const Time kStart = *parse_rfc3339("2026-01-01T00:00:00Z");

std::vector<uint64_t> seqs(const std::vector<Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.seq);
  return out;
}

struct Log {
  Clock clock{Clock::Mode::kVirtual, kStart};
  Events events{clock};
  Log() {
    events.record("api.call", "pubsub", {{"method", std::string("pubsub.Publish")}});   // 1
    clock.advance(1s);
    events.record("pubsub.delivery", "pubsub", {{"attempt", int64_t{1}}});              // 2
    events.record("api.call", "storage", {{"method", std::string("storage.objects.insert")}});  // 3
    clock.advance(1500ms);
    events.record("pubsub.ack", "pubsub");                                              // 4
    events.record("process.exit", "task-api", {{"code", int64_t{0}}});                 // 5
  }
};
}  // namespace

TEST_CASE("events get consecutive sequence numbers and the virtual time they happened at") {
  Log log;
  auto all = log.events.query({});
  REQUIRE(seqs(all) == std::vector<uint64_t>{1, 2, 3, 4, 5});
  REQUIRE(all[0].time == kStart);
  REQUIRE(all[2].time == kStart + 1s);
  REQUIRE(all[4].time == kStart + 2500ms);
  REQUIRE(log.events.last_seq() == 5);
}

TEST_CASE("queries filter by exact kind, kind prefix, service, since and limit") {
  Log log;
  REQUIRE(seqs(log.events.query({.kind = "api.call"})) == std::vector<uint64_t>{1, 3});
  REQUIRE(seqs(log.events.query({.kind = "pubsub.*"})) == std::vector<uint64_t>{2, 4});
  REQUIRE(seqs(log.events.query({.kind = "pubsub."})).empty());  // exact without the '*'
  REQUIRE(seqs(log.events.query({.service = "pubsub"})) == std::vector<uint64_t>{1, 2, 4});
  REQUIRE(seqs(log.events.query({.kind = "api.call", .service = "storage"})) == std::vector<uint64_t>{3});
  REQUIRE(seqs(log.events.query({.since_seq = 3})) == std::vector<uint64_t>{4, 5});
  // limit keeps the most recent matches, oldest first.
  REQUIRE(seqs(log.events.query({.limit = 2})) == std::vector<uint64_t>{4, 5});
  REQUIRE(seqs(log.events.query({.service = "pubsub", .since_seq = 1, .limit = 1})) == std::vector<uint64_t>{4});
}

TEST_CASE("the log is bounded: the oldest events are dropped, numbering continues") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  Events events(clock, 3);
  for (int i = 0; i < 5; ++i) events.record("log", "svc", {{"i", int64_t{i}}});
  REQUIRE(seqs(events.query({})) == std::vector<uint64_t>{3, 4, 5});
  events.clear();
  REQUIRE(events.query({}).empty());
  REQUIRE(events.record("log", "svc").seq == 6);
}

TEST_CASE("listeners see each event as it is recorded until they unsubscribe") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  Events events(clock);
  std::vector<std::string> a, b;
  auto ida = events.subscribe([&](const Event& e) { a.push_back(e.kind); });
  events.subscribe([&](const Event& e) { b.push_back(e.kind); });
  events.record("one", "s");
  events.unsubscribe(ida);
  events.record("two", "s");
  REQUIRE(a == std::vector<std::string>{"one"});
  REQUIRE(b == std::vector<std::string>{"one", "two"});
}

TEST_CASE("a listener may unsubscribe itself while being called") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  Events events(clock);
  int calls = 0;
  uint64_t id = 0;
  id = events.subscribe([&](const Event&) {
    ++calls;
    events.unsubscribe(id);
  });
  events.record("one", "s");
  events.record("two", "s");
  REQUIRE(calls == 1);
}

TEST_CASE("JSONL lines are byte-exact: fixed key order, sorted attrs, escaped strings") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  Events events(clock);
  clock.advance(1500ms);
  const Event& e = events.record("api.call", "pubsub",
                                 {{"method", std::string("pubsub.Publish")},
                                  {"code", std::string("OK")},
                                  {"bytes", int64_t{-42}},
                                  {"ratio", 0.1},
                                  {"big", 1e21},
                                  {"whole", 2.0},
                                  {"nan", std::nan("")},
                                  {"ok", true},
                                  {"note", std::string("a \"q\"\\ \n\t\x01 é \xff")}});
  REQUIRE(Events::to_json(e) ==
          R"({"seq":1,"time":"2026-01-01T00:00:01.500Z","kind":"api.call","service":"pubsub","attrs":{)"
          R"("big":1e+21,"bytes":-42,"code":"OK","method":"pubsub.Publish","nan":null,)"
          R"("note":"a \"q\"\\ \n\t\u0001 é \ufffd","ok":true,"ratio":0.1,"whole":2}})");
}

TEST_CASE("an event without attrs still has an attrs object") {
  Clock clock(Clock::Mode::kVirtual, kStart);
  Events events(clock);
  REQUIRE(Events::to_json(events.record("clock.advance", "")) ==
          R"({"seq":1,"time":"2026-01-01T00:00:00Z","kind":"clock.advance","service":"","attrs":{}})");
}

}  // namespace core_events_test
