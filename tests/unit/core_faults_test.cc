// Specification of the fault rule table: matching, count, after, windows, seeded draws.
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/faults.h"
#include "core/ids.h"

namespace core_faults_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;

namespace {
const Time kStart = *parse_rfc3339("2026-01-01T00:00:00Z");

struct Fixture {
  Clock clock{Clock::Mode::kVirtual, kStart};
  Ids ids{42};
  Faults faults{clock, ids};
};

FaultSubject publish(std::string topic = "projects/p/topics/t") {
  return {Boundary::kApi, "pubsub", "pubsub.Publish", std::move(topic)};
}

FaultRule unavailable(FaultMatch m) {
  FaultRule r;
  r.match = std::move(m);
  r.action.kind = FaultAction::Kind::kError;
  r.action.code = Code::kUnavailable;
  return r;
}

// Which of `n` calls the rules hit, as a 0/1 string.
std::string pattern(Faults& faults, const FaultSubject& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += faults.check(s) ? '1' : '0';
  return out;
}
}  // namespace

TEST_CASE("empty match fields match anything, set fields must match exactly") {
  Fixture f;
  f.faults.add(unavailable({.service = "gemini"}));
  REQUIRE_FALSE(f.faults.check(publish()));
  REQUIRE(f.faults.check({Boundary::kApi, "gemini", "gemini.generateContent", "models/x"}));
  f.faults.clear();
  f.faults.add(unavailable({}));
  REQUIRE(f.faults.check(publish()));
  REQUIRE(f.faults.check({Boundary::kProxy, "redis", "", "127.0.0.1:6379"}));
}

TEST_CASE("a trailing '*' matches a prefix of method, target or service") {
  Fixture f;
  f.faults.add(unavailable({.method = "pubsub.*"}));
  REQUIRE(f.faults.check(publish()));
  REQUIRE_FALSE(f.faults.check({Boundary::kApi, "storage", "storage.objects.get", ""}));
  f.faults.clear();
  f.faults.add(unavailable({.target = "projects/p/topics/orders-*"}));
  REQUIRE(f.faults.check(publish("projects/p/topics/orders-eu")));
  REQUIRE_FALSE(f.faults.check(publish("projects/p/topics/billing")));
  f.faults.clear();
  f.faults.add(unavailable({.service = "pub*"}));
  REQUIRE(f.faults.check(publish()));
}

TEST_CASE("a boundary restricts the rule to calls crossing it") {
  Fixture f;
  f.faults.add(unavailable({.boundary = Boundary::kPush, .service = "pubsub"}));
  REQUIRE_FALSE(f.faults.check(publish()));
  REQUIRE(f.faults.check({Boundary::kPush, "pubsub", "pubsub.push", "http://worker/pubsub"}));
}

TEST_CASE("count limits how often a rule fires, after lets calls through first") {
  Fixture f;
  FaultRule r = unavailable({.service = "pubsub"});
  r.after = 2;
  r.count = 3;
  auto id = f.faults.add(r);
  REQUIRE(id == "fault-1");
  REQUIRE(pattern(f.faults, publish(), 8) == "00111000");
  REQUIRE(f.faults.rules()[0].seen == 8);
  REQUIRE(f.faults.rules()[0].fired == 3);
}

TEST_CASE("a rule is active only within from until (half-open) on the clock") {
  Fixture f;
  FaultRule r = unavailable({});
  r.from = kStart + 10s;
  r.until = kStart + 20s;
  f.faults.add(r);
  REQUIRE_FALSE(f.faults.check(publish()));
  f.clock.advance(10s);
  REQUIRE(f.faults.check(publish()));
  f.clock.advance(9999ms);
  REQUIRE(f.faults.check(publish()));
  f.clock.advance(1ms);
  REQUIRE_FALSE(f.faults.check(publish()));
}

TEST_CASE("probabilistic rules replay exactly from the seed") {
  auto run = [](uint64_t seed) {
    Clock clock(Clock::Mode::kVirtual, kStart);
    Ids ids(seed);
    Faults faults(clock, ids);
    FaultRule r = unavailable({.service = "gemini"});
    r.probability = 0.3;
    faults.add(r);
    return pattern(faults, {Boundary::kApi, "gemini", "gemini.generateContent", ""}, 200);
  };
  std::string a = run(7);
  REQUIRE(a == run(7));
  REQUIRE(a != run(8));
  auto hits = std::count(a.begin(), a.end(), '1');
  REQUIRE(hits > 30);
  REQUIRE(hits < 90);
}

TEST_CASE("the draw happens only for calls the rule otherwise matches") {
  // Calls to other services, and certain rules, must not shift the faults stream.
  auto run = [](bool noise) {
    Clock clock(Clock::Mode::kVirtual, kStart);
    Ids ids(11);
    Faults faults(clock, ids);
    FaultRule r = unavailable({.service = "gemini"});
    r.probability = 0.5;
    faults.add(r);
    std::string out;
    for (int i = 0; i < 50; ++i) {
      if (noise) faults.check(publish());
      out += faults.check({Boundary::kApi, "gemini", "m", ""}) ? '1' : '0';
    }
    return out;
  };
  REQUIRE(run(false) == run(true));
}

TEST_CASE("the first matching rule that wins its draw applies") {
  Fixture f;
  FaultRule never = unavailable({});
  never.probability = 0.0;
  f.faults.add(never);
  FaultRule delay;
  delay.action.kind = FaultAction::Kind::kDelay;
  delay.action.delay = 2s;
  f.faults.add(delay);
  auto action = f.faults.check(publish());
  REQUIRE(action);
  REQUIRE(action->kind == FaultAction::Kind::kDelay);
  REQUIRE(action->delay == 2s);
}

TEST_CASE("rules are removed by id, re-adding an id replaces the rule") {
  Fixture f;
  FaultRule r = unavailable({});
  r.id = "flaky";
  f.faults.add(r);
  r.match.service = "storage";
  f.faults.add(r);
  REQUIRE(f.faults.rules().size() == 1);
  REQUIRE_FALSE(f.faults.check(publish()));
  REQUIRE(f.faults.remove("flaky"));
  REQUIRE_FALSE(f.faults.remove("flaky"));
  REQUIRE(f.faults.rules().empty());
}

TEST_CASE("an error action becomes a Status with a generic message and optional RetryInfo") {
  FaultAction a;
  a.code = Code::kResourceExhausted;
  a.retry_delay = 30s;
  Status s = Faults::to_status(a, publish());
  REQUIRE(s.json_error_body() ==
          R"({"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).",)"
          R"("status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}]}})");
  a.message = "Quota exceeded for quota metric 'Generate Content requests'.";
  a.retry_delay = {};
  s = Faults::to_status(a, publish());
  REQUIRE(s.message() == a.message);
  REQUIRE(s.details().empty());

  FaultAction timeout;
  timeout.kind = FaultAction::Kind::kTimeout;
  REQUIRE(Faults::to_status(timeout, publish()).code() == Code::kDeadlineExceeded);
  FaultAction outage;
  outage.kind = FaultAction::Kind::kOutage;
  REQUIRE(Faults::to_status(outage, publish()).code() == Code::kUnavailable);
}

TEST_CASE("boundaries and action kinds have names for files and the control API") {
  for (auto [b, n] : {std::pair{Boundary::kApi, "api"}, {Boundary::kPush, "push"}, {Boundary::kRouter, "router"},
                      {Boundary::kProcess, "process"}, {Boundary::kProxy, "proxy"}, {Boundary::kLb, "lb"},
                      {Boundary::kStub, "stub"}}) {
    REQUIRE(std::string(boundary_name(b)) == n);
    REQUIRE(boundary_from_name(n) == b);
  }
  using K = FaultAction::Kind;
  for (auto [k, n] : {std::pair{K::kError, "error"}, {K::kDelay, "delay"}, {K::kDrop, "drop"},
                      {K::kTimeout, "timeout"}, {K::kCrash, "crash"}, {K::kOutage, "outage"}}) {
    REQUIRE(std::string(action_kind_name(k)) == n);
    REQUIRE(action_kind_from_name(n) == k);
  }
  REQUIRE_FALSE(boundary_from_name("edge"));
  REQUIRE_FALSE(action_kind_from_name("explode"));
}

TEST_CASE("may_fire tells the TCP proxy whether any rule could reach a backing server") {
  Fixture f;
  CHECK_FALSE(f.faults.may_fire(Boundary::kProxy, "redis"));
  f.faults.add(unavailable({.boundary = Boundary::kApi, .service = "redis"}));
  f.faults.add(unavailable({.boundary = Boundary::kProxy, .service = "postgres"}));
  CHECK_FALSE(f.faults.may_fire(Boundary::kProxy, "redis"));   // another boundary
  CHECK(f.faults.may_fire(Boundary::kProxy, "postgres"));
  auto id = f.faults.add(unavailable({.service = "red*"}));     // any boundary, a wildcard
  CHECK(f.faults.may_fire(Boundary::kProxy, "redis"));
  f.faults.remove(id);
  auto once = unavailable({.boundary = Boundary::kProxy, .service = "redis"});
  once.count = 1;
  f.faults.add(once);
  CHECK(f.faults.may_fire(Boundary::kProxy, "redis"));
  f.faults.check({Boundary::kProxy, "redis", "proxy.data", "redis"});
  CHECK_FALSE(f.faults.may_fire(Boundary::kProxy, "redis"));   // used up
}

TEST_CASE("the observer hears every change to the rule table") {
  Fixture f;
  int changes = 0;
  f.faults.set_observer([&] { ++changes; });
  auto id = f.faults.add(unavailable({.service = "redis"}));
  f.faults.remove(id);
  f.faults.add(unavailable({.service = "redis"}));
  f.faults.clear();
  CHECK(changes == 4);
}

}  // namespace core_faults_test
