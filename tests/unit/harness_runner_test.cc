// The runner end to end on a fresh emulator: step records and events in the transcript,
// the failure headline and diff, expect_failure, and byte-identical repeats.
#include <catch2/catch.hpp>

#include <sstream>

#include "harness/runner.h"

namespace harness_runner_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::harness;

namespace {

Scenario scenario(const std::string& yaml) {
  auto s = parse_scenario(yaml, "/tmp/unit.yaml");
  REQUIRE(s.ok());
  return *s;
}

}  // namespace

TEST_CASE("a passing run writes a header, events, step records and a result") {
  auto s = scenario(R"(name: ticks
steps:
  - http: {method: POST, path: /_gcpsim/clock, json: {advance: 2s}}
    expect: {status: 200}
  - advance: 3s
)");
  auto r = run_scenario(s, RunConfig{});
  REQUIRE(r.passed);
  CHECK(r.transcript.rfind(R"({"scenario":"ticks","file":"unit.yaml","seed":42,"start_time":"2026-01-01T00:00:00Z"})", 0) == 0);
  CHECK(r.transcript.find(R"("kind":"clock.move")") != std::string::npos);
  CHECK(r.transcript.find(R"({"step":1,"kind":"http","line":3,"time":"2026-01-01T00:00:02Z","outcome":"pass","status":200})") != std::string::npos);
  CHECK(r.transcript.find(R"({"step":2,"kind":"advance","line":5,"time":"2026-01-01T00:00:05Z","outcome":"pass"})") != std::string::npos);
  CHECK(r.transcript.substr(r.transcript.size() - 18) == "{\"result\":\"pass\"}\n");
}

TEST_CASE("a failing step stops the run with its headline, a diff and the last events") {
  auto s = scenario(R"(steps:
  - http: {path: /_gcpsim/clock}
    expect: {status: 200, json: {mode: real}}
  - advance: 1s
)");
  std::ostringstream progress;
  RunConfig cfg;
  cfg.progress = &progress;
  auto r = run_scenario(s, cfg);
  CHECK_FALSE(r.passed);
  CHECK(r.headline == R"(step 1 (unit.yaml:2): expected json.mode "real", got "virtual")");
  CHECK(r.details.find("  json.mode:\n    - expected \"real\"\n    + actual   \"virtual\"\n") == 0);
  CHECK(r.details.find("response: 200 {") != std::string::npos);
  CHECK(progress.str().find("FAIL 1 http GET /_gcpsim/clock  (unit.yaml:2)") != std::string::npos);
  CHECK(r.transcript.find(R"("step":2)") == std::string::npos);
}

TEST_CASE("expect_failure turns the expected failure into a pass, anything else into a failure") {
  RunResult failed{false, false, "step 2 (a.yaml:7): expected status 200, got 404", "", ""};
  CHECK(judge("expected status 200, got 404", failed).passed);
  auto other = judge("got 500", failed);
  CHECK_FALSE(other.passed);
  CHECK(other.headline == "expected a failure containing \"got 500\"");
  CHECK(other.details.rfind("it failed with: step 2 (a.yaml:7)", 0) == 0);
  RunResult passed{true, false, "", "", ""};
  CHECK(judge("x", passed).headline == "expected the scenario to fail with \"x\", but it passed");
  CHECK(judge("", passed).passed);
}

TEST_CASE("the same scenario and seed give the same transcript byte for byte") {
  auto s = scenario(R"(seed: 3
steps:
  - fault: {match: {service: gcpsim}, action: {error: UNAVAILABLE}, probability: 0.5}
  - http: {method: POST, path: /_gcpsim/clock, json: {advance: 1m}}
  - advance: 1h
)");
  auto a = run_scenario(s, RunConfig{});
  auto b = run_scenario(s, RunConfig{});
  REQUIRE(a.passed);
  CHECK(a.transcript == b.transcript);
}

TEST_CASE("event expectations match the event's virtual time, with matchers") {
  auto s = scenario(R"(steps:
  - http: {method: POST, path: /_gcpsim/clock, json: {advance: 90s}}
  - expect:
      events:
        - {kind: clock.move, time: "2026-01-01T00:01:30Z", count: 1}
        - {kind: clock.move, time: {regex: "T00:00:"}, count: 0}
      events_in_order:
        - {kind: clock.move, time: {regex: "T00:01:30Z$"}}
)");
  REQUIRE(run_scenario(s, RunConfig{}).passed);
  auto wrong = scenario(R"(steps:
  - http: {method: POST, path: /_gcpsim/clock, json: {advance: 90s}}
  - expect:
      events_in_order: [{kind: clock.move, time: "2026-01-01T00:01:00Z"}]
)");
  auto r = run_scenario(wrong, RunConfig{});
  CHECK_FALSE(r.passed);
  CHECK(r.headline.find("events_in_order[0]") != std::string::npos);
}

TEST_CASE("a repeated http step sends every copy with its own ${i} and checks each response") {
  auto s = scenario(R"(steps:
  - http: {method: POST, path: /_gcpsim/faults, json: {id: "rule-${i}", match: {service: gemini}, action: {error: UNAVAILABLE}}}
    repeat: 3
    expect: {status: 200, json: {id: "rule-${i}"}}
  - http: {path: /_gcpsim/faults}
    expect: {json: {faults: [{id: rule-1}, {id: rule-2}, {id: rule-3}]}}
)");
  auto r = run_scenario(s, RunConfig{});
  REQUIRE(r.passed);
  CHECK(r.transcript.find(R"("repeat":3,"statuses":{"200":3})") != std::string::npos);
  auto wrong = scenario(R"(steps:
  - http: {method: POST, path: /_gcpsim/faults, json: {id: "rule-${i}", match: {service: gemini}, action: {error: UNAVAILABLE}}}
    repeat: 3
    expect: {json: {id: rule-1}}
)");
  auto f = run_scenario(wrong, RunConfig{});
  CHECK_FALSE(f.passed);
  CHECK(f.headline.find("copy i=2 json.id") != std::string::npos);
  CHECK(f.details.find("copy i=3 json.id") != std::string::npos);
}

TEST_CASE("unordered_events: events come last, sorted by time and content, without seq or arrival-order ids") {
  auto s = scenario(R"(unordered_events: true
steps:
  - http: {method: POST, path: /_gcpsim/clock, json: {advance: 2s}}
  - advance: 3s
)");
  auto r = run_scenario(s, RunConfig{});
  REQUIRE(r.passed);
  CHECK(r.transcript.find(R"("seq":)") == std::string::npos);
  auto last_step = r.transcript.find(R"({"step":2,)");
  auto first_move = r.transcript.find(R"("kind":"clock.move")");
  REQUIRE(last_step != std::string::npos);
  REQUIRE(first_move != std::string::npos);
  CHECK(first_move > last_step);
  CHECK(r.transcript.find(R"("time":"2026-01-01T00:00:02Z")", first_move - 40) <
        r.transcript.find(R"("time":"2026-01-01T00:00:05Z")", first_move - 40));
  CHECK(r.transcript.substr(r.transcript.size() - 18) == "{\"result\":\"pass\"}\n");
}

}  // namespace harness_runner_test
