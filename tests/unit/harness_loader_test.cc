// Scenario loader: the DESIGN.md shape, step lines, modifiers, and errors that name the
// file, line and step.
#include <catch2/catch.hpp>

#include "harness/scenario.h"

namespace harness_loader_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::harness;

namespace {

std::string load_error(const std::string& yaml) {
  auto s = parse_scenario(yaml, "/some/dir/orders.yaml");
  REQUIRE_FALSE(s.ok());
  return s.status().message();
}

}  // namespace

TEST_CASE("a scenario loads with its settings and each step's line") {
  auto s = parse_scenario(R"(name: a created task is enriched
stack: ../stacks/gcpsim.yaml
seed: 7
start_time: 2026-03-01T08:00:00Z
vars: {title: Write report}
steps:
  - http: {method: POST, path: /tasks, json: {title: "${title}"}}
    expect: {status: 201, json: {title: Write report}}
    capture: {task_id: body.id}
  - wait_for: {event: {kind: pubsub.delivered, service: pubsub}, within: 60s}
  - fault: {match: {service: gemini}, action: {error: RESOURCE_EXHAUSTED}, count: 1}
  - advance: 30s
  - http: {path: "/tasks/${task_id}"}
    expect: {status: 200}
)", "/work/scen/orders.yaml");
  REQUIRE(s.ok());
  CHECK(s->name == "a created task is enriched");
  CHECK(s->file == "orders.yaml");
  CHECK(s->stack == "/work/stacks/gcpsim.yaml");
  CHECK(*s->seed == 7);
  CHECK(gcpsim::core::format_rfc3339(s->start_time) == "2026-03-01T08:00:00Z");
  REQUIRE(s->steps.size() == 5);
  CHECK(s->steps[0].kind == "http");
  CHECK(s->steps[0].line == 7);
  CHECK(s->steps[0].params["json"]["title"] == "${title}");
  CHECK(s->steps[0].expect["status"] == 201);
  CHECK(s->steps[0].capture.at("task_id") == "body.id");
  CHECK(s->steps[1].line == 10);
  CHECK(s->steps[3].params == "30s");
  CHECK(s->steps[4].where() == "step 5 (orders.yaml:13)");
}

TEST_CASE("defaults: name from the file, start time, no stack") {
  auto s = parse_scenario("steps:\n  - advance: 1s\n", "x/ticks.yaml");
  REQUIRE(s.ok());
  CHECK(s->name == "ticks");
  CHECK(s->stack.empty());
  CHECK_FALSE(s->seed);
  CHECK(gcpsim::core::format_rfc3339(s->start_time) == "2026-01-01T00:00:00Z");
}

TEST_CASE("a step with only expect: is a standalone expectation") {
  auto s = parse_scenario("steps:\n  - expect: {events: [{kind: api.call, count: 2}]}\n", "e.yaml");
  REQUIRE(s.ok());
  CHECK(s->steps[0].kind == "expect");
  CHECK(s->steps[0].params["events"][0]["count"] == 2);
}

TEST_CASE("load errors name the file, the line and the step") {
  CHECK(load_error("steps:\n  - advance: 1s\n  - htp: {path: /}\n") ==
        "orders.yaml:3: step 2: unknown step kind 'htp' (expected one of: http, publish, pull, gcs, secret, advance, "
        "wait_for, fault, clear_faults, kill, restart, expect, redis, sql, firestore, stub, hmac, backup, restore, "
        "websocket)");
  CHECK(load_error("steps:\n  - websocket: {id: a, receive: 2, until: {type: done}}\n") ==
        "orders.yaml:2: step 1: websocket: give receive (a count) or until (a frame to wait for), not both");
  CHECK(load_error("steps:\n  - http: {path: \"/t/${id}\"}\n") ==
        "orders.yaml:2: step 1: ${id} is not defined (declare it under vars: or capture it in an earlier step)");
  CHECK(load_error("steps:\n  - advance: soon\n") ==
        "orders.yaml:2: step 1: advance: expected a duration like '10s' or '5m', got 'soon'");
  CHECK(load_error("steps:\n  - http: {path: /, verb: GET}\n") ==
        "orders.yaml:2: step 1: unknown key 'verb' in http (expected one of: method, path, service, url, stub, headers, "
        "query, json, body, body_size, timeout, source)");
  CHECK(load_error("steps:\n  - http: {path: /, json: {a: 1}, body_size: 10}\n") ==
        "orders.yaml:2: step 1: http: body_size repeats body; it does not go with json");
  CHECK(load_error("steps:\n  - advance: 1s\n    expect: {status: 200}\n") ==
        "orders.yaml:3: step 1: 'advance' has no response to expect on; use a separate expect step");
  CHECK(load_error("steps:\n  - advance: 1s\n    http: {path: /}\n") ==
        "orders.yaml:3: step 1: one step does one thing: 'advance' and 'http' both given");
  CHECK(load_error("name: x\nsteps: [\n") .rfind("orders.yaml:", 0) == 0);
  CHECK(load_error("name: x\nsteps: [\n").find("invalid YAML") != std::string::npos);
  CHECK(load_error("nme: x\nsteps: []\n").find("orders.yaml:1: unknown key 'nme' at top level") == 0);
  CHECK(load_error("steps: []\n") == "orders.yaml:1: a scenario needs at least one step");
}

TEST_CASE("captures define variables for the steps after them, not before") {
  auto ok = parse_scenario(R"(steps:
  - http: {path: /a}
    capture: {id: body.id}
  - http: {path: "/b/${id}"}
)", "c.yaml");
  CHECK(ok.ok());
  CHECK(load_error(R"(steps:
  - http: {path: "/b/${id}"}
  - http: {path: /a}
    capture: {id: body.id}
)").find("orders.yaml:2: step 1: ${id} is not defined") == 0);
  CHECK(parse_scenario("steps:\n  - http: {path: \"/${project}/${endpoint}\"}\n", "b.yaml").ok());
}

TEST_CASE("each kind checks its own value when the file loads") {
  CHECK(load_error("steps:\n  - wait_for: {within: 1s}\n").find("wait_for needs exactly one of event, log or http") != std::string::npos);
  CHECK(load_error("steps:\n  - gcs: {op: rename, bucket: b, object: o}\n").find("expected one of upload, download, get, delete, got 'rename'") != std::string::npos);
  CHECK(load_error("steps:\n  - fault: {match: {service: x}, action: {error: NOPE}}\n").find("unknown error code 'NOPE'") != std::string::npos);
  CHECK(load_error("steps:\n  - publish: {topic: t}\n").find("publish needs data, json or messages") != std::string::npos);
  CHECK(load_error("steps:\n  - expect: {status: 200}\n").find("unknown key 'status' in expect") != std::string::npos);
}

TEST_CASE("websocket hold: holds the clock while frames are awaited, never with a timeout or a close") {
  CHECK(parse_scenario("steps:\n  - websocket: {id: a, until: {type: token}, hold: 30s}\n", "h.yaml").ok());
  CHECK(load_error("steps:\n  - websocket: {id: a, until: {type: token}, hold: 30s, timeout: 1m}\n").find("timeout (virtual time) does not apply") !=
        std::string::npos);
  CHECK(load_error("steps:\n  - websocket: {id: a, send: hi, hold: 30s}\n").find("hold: belongs to a step that waits for frames") !=
        std::string::npos);
  CHECK(load_error("steps:\n  - websocket: {id: a, receive: 1, close: true, hold: 30s}\n").find("not to a close") != std::string::npos);
  CHECK(load_error("steps:\n  - websocket: {id: a, receive: 1, hold: 10m}\n").find("hold") != std::string::npos);
}

TEST_CASE("wait_for hold: holds the clock for event and log conditions only, and source: needs a socket request") {
  CHECK(parse_scenario("steps:\n  - wait_for: {event: {kind: log}, hold: 30s}\n", "h.yaml").ok());
  CHECK(load_error("steps:\n  - wait_for: {event: {kind: log}, hold: 30s, within: 1m}\n")
            .find("within (virtual time) does not apply") != std::string::npos);
  CHECK(load_error("steps:\n  - wait_for: {http: {path: /x}, hold: 30s}\n").find("hold: belongs to an event or log condition") !=
        std::string::npos);
  CHECK(load_error("steps:\n  - wait_for: {event: {kind: log}, hold: 10m}\n").find("hold") != std::string::npos);
  CHECK(parse_scenario("steps:\n  - http: {url: \"http://127.0.0.1:1/\", source: 127.0.3.1}\n", "s.yaml").ok());
  CHECK(load_error("steps:\n  - http: {path: /x, source: 127.0.3.1}\n").find("source: the client address of a socket request") !=
        std::string::npos);
}

TEST_CASE("repeat: sends copies of an http step, and ${i} is defined only there") {
  auto s = parse_scenario("steps:\n  - http: {path: \"/x/${i}\"}\n    repeat: 3\n", "r.yaml");
  REQUIRE(s.ok());
  CHECK(s->steps[0].repeat == 3);
  CHECK(load_error("steps:\n  - http: {path: \"/x/${i}\"}\n").find("${i} is not defined") != std::string::npos);
  CHECK(load_error("steps:\n  - advance: 1s\n    repeat: 2\n").find("'advance' cannot repeat") != std::string::npos);
  CHECK(load_error("steps:\n  - http: {path: /x}\n    repeat: 2\n    capture: {a: status}\n")
            .find("capture: needs one") != std::string::npos);
  CHECK(load_error("steps:\n  - http: {path: /x}\n    repeat: 0\n").find("repeat") != std::string::npos);
}

TEST_CASE("a scenario that is not UTF-8 is refused at its line instead of reaching the JSON writer") {
  // Found by the scenario_yaml fuzzer: a key with a stray byte reached nlohmann's dump().
  CHECK(load_error("name: x\nsteps:\n  - http: {path: /a, json: {descrip\x9aion: y}}\n") ==
        "orders.yaml:3: not valid UTF-8 (YAML files are UTF-8 text)");
  // Also found by it: yaml-cpp reads a NUL in a key as 0xA0, which is not UTF-8 either.
  CHECK(load_error(std::string("name: x\nsteps:\n  - http: {path: /a}\n  - http: {path: /b, json: {user") + '\0' + "_name: y}}\n") ==
        "orders.yaml:4: a control character (0x00) is not allowed in YAML");
}

}  // namespace harness_loader_test
