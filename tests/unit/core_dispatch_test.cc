// Specification of the dispatch wrapper: faults before the body, latency on the virtual
// clock, exactly one api.call event and one completion per call.
#include <catch2/catch.hpp>

#include <optional>

#include "core/clock.h"
#include "core/dispatch.h"
#include "core/env.h"
#include "core/ids.h"
#include "core/store.h"

namespace core_dispatch_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;

namespace {

const Time kStart = *parse_rfc3339("2026-01-01T00:00:00Z");

struct Fixture {
  Clock clock{Clock::Mode::kVirtual, kStart};
  Ids ids{1};
  Events events{clock};
  Faults faults{clock, ids};
  std::unique_ptr<Store> store = std::move(Store::open("")).value();
  Env env{clock, ids, events, faults, *store};

  int body_runs = 0;
  std::optional<Status> result;
  int completions = 0;

  // Calls pubsub.Publish whose body answers `answer`.
  void publish(Status answer = Status::ok()) {
    dispatch(env, Call{.method = "pubsub.Publish", .service = "pubsub", .target = "projects/p/topics/t",
                       .attrs = {{"messages", int64_t{1}}}},
             sync_body([this, answer] {
               ++body_runs;
               return answer;
             }),
             [this](Status s) {
               ++completions;
               result = std::move(s);
             });
  }

  std::vector<Event> calls() { return events.query({.kind = "api.call"}); }

  void add(FaultAction::Kind kind, Duration delay = {}, Code code = Code::kUnavailable) {
    FaultRule r;
    r.match.method = "pubsub.Publish";
    r.action.kind = kind;
    r.action.code = code;
    r.action.delay = delay;
    faults.add(r);
  }
};

}  // namespace

TEST_CASE("a call without faults runs its body and records one event with its code") {
  Fixture f;
  f.publish();
  REQUIRE(f.body_runs == 1);
  REQUIRE(f.completions == 1);
  REQUIRE(f.result->is_ok());
  auto calls = f.calls();
  REQUIRE(calls.size() == 1);
  REQUIRE(Events::to_json(calls[0]) ==
          R"({"seq":1,"time":"2026-01-01T00:00:00Z","kind":"api.call","service":"pubsub","attrs":{)"
          R"("code":"OK","messages":1,"method":"pubsub.Publish","target":"projects/p/topics/t"}})");
}

TEST_CASE("the body's error code is what the event records and done receives") {
  Fixture f;
  f.publish(Status::not_found("Resource not found (resource=t)."));
  REQUIRE(f.result->code() == Code::kNotFound);
  REQUIRE(std::get<std::string>(f.calls().at(0).attrs.at("code")) == "NOT_FOUND");
}

TEST_CASE("an error fault skips the body and answers with the fault's status") {
  Fixture f;
  f.add(FaultAction::Kind::kError, {}, Code::kResourceExhausted);
  f.publish();
  REQUIRE(f.body_runs == 0);
  REQUIRE(f.result->code() == Code::kResourceExhausted);
  auto e = f.calls().at(0);
  REQUIRE(std::get<std::string>(e.attrs.at("code")) == "RESOURCE_EXHAUSTED");
  REQUIRE(std::get<std::string>(e.attrs.at("fault")) == "error");
}

TEST_CASE("an error fault with a delay answers only once the virtual clock reaches it") {
  Fixture f;
  f.add(FaultAction::Kind::kError, 5s, Code::kUnavailable);
  f.publish();
  REQUIRE(f.completions == 0);
  f.clock.advance(4999ms);
  REQUIRE(f.completions == 0);
  f.clock.advance(1ms);
  REQUIRE(f.completions == 1);
  REQUIRE(f.body_runs == 0);
  REQUIRE(f.result->code() == Code::kUnavailable);
  REQUIRE(f.calls().at(0).time == kStart + 5s);
}

TEST_CASE("a delay fault runs the body only after the delay on the virtual clock") {
  Fixture f;
  f.add(FaultAction::Kind::kDelay, 2s);
  f.publish();
  REQUIRE(f.body_runs == 0);
  REQUIRE(f.calls().empty());
  f.clock.advance(1s);
  REQUIRE(f.body_runs == 0);
  f.clock.advance(1s);
  REQUIRE(f.body_runs == 1);
  REQUIRE(f.result->is_ok());
  auto e = f.calls().at(0);
  REQUIRE(e.time == kStart + 2s);
  REQUIRE(std::get<std::string>(e.attrs.at("code")) == "OK");
  REQUIRE(std::get<std::string>(e.attrs.at("fault")) == "delay");
}

TEST_CASE("a dropped or timed-out API call ends in DEADLINE_EXCEEDED without the body") {
  for (auto kind : {FaultAction::Kind::kDrop, FaultAction::Kind::kTimeout}) {
    Fixture f;
    f.add(kind, 30s);
    f.publish();
    REQUIRE(f.completions == 0);
    f.clock.advance(30s);
    REQUIRE(f.body_runs == 0);
    REQUIRE(f.result->code() == Code::kDeadlineExceeded);
    REQUIRE(std::get<std::string>(f.calls().at(0).attrs.at("fault")) == action_kind_name(kind));
  }
}

TEST_CASE("an outage at the API boundary answers UNAVAILABLE without the body") {
  Fixture f;
  f.add(FaultAction::Kind::kOutage);
  f.publish();
  REQUIRE(f.body_runs == 0);
  REQUIRE(f.result->code() == Code::kUnavailable);
}

TEST_CASE("drop at another boundary is left to that layer: the body runs") {
  Fixture f;
  FaultRule r;
  r.match.boundary = Boundary::kRouter;
  r.action.kind = FaultAction::Kind::kDrop;
  f.faults.add(r);
  int runs = 0;
  dispatch(f.env, Call{.method = "run.request", .service = "task-api", .boundary = Boundary::kRouter},
           sync_body([&] {
             ++runs;
             return Status::ok();
           }),
           [](Status) {});
  REQUIRE(runs == 1);
  auto e = f.events.query({.kind = "api.call"}).at(0);
  REQUIRE(e.service == "task-api");
  REQUIRE_FALSE(e.attrs.count("target"));
  REQUIRE(std::get<std::string>(e.attrs.at("fault")) == "drop");
}

TEST_CASE("done is called once even when a body completes twice") {
  Fixture f;
  int completions = 0;
  dispatch(f.env, Call{.method = "pubsub.Publish", .service = "pubsub"},
           [](Done d) {
             d(Status::ok());
             d(Status::internal("again"));
           },
           [&](Status s) {
             ++completions;
             REQUIRE(s.is_ok());
           });
  REQUIRE(completions == 1);
  REQUIRE(f.calls().size() == 1);
}

TEST_CASE("a body may complete later, from a timer") {
  Fixture f;
  std::optional<Status> result;
  dispatch(f.env, Call{.method = "tasks.RunTask", .service = "tasks"},
           [&f](Done d) { f.clock.schedule_in(3s, [d] { d(Status::ok()); }); },
           [&](Status s) { result = s; });
  REQUIRE_FALSE(result);
  f.clock.advance(3s);
  REQUIRE(result);
  REQUIRE(f.calls().at(0).time == kStart + 3s);
}

TEST_CASE("a counted fault affects only the first calls") {
  Fixture f;
  FaultRule r;
  r.match.service = "pubsub";
  r.action.code = Code::kUnavailable;
  r.count = 1;
  f.faults.add(r);
  f.publish();
  REQUIRE(f.result->code() == Code::kUnavailable);
  f.publish();
  REQUIRE(f.result->is_ok());
  REQUIRE(f.body_runs == 1);
  auto calls = f.calls();
  REQUIRE(calls.size() == 2);
  REQUIRE(calls[0].attrs.count("fault") == 1);
  REQUIRE(calls[1].attrs.count("fault") == 0);
}

}  // namespace core_dispatch_test
