// Cloud Tasks domain on a virtual clock: the retry schedule, rate limits, concurrency,
// de-duplication, pause/resume, purge and bad input, with a scripted fake HTTP client.
#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "net/http_client.h"
#include "services/tasks/domain.h"

namespace tasks_domain_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

namespace {

using namespace gcpsim;
using namespace gcpsim::services::tasks;
using core::Code;
using namespace std::chrono_literals;

core::Time t0() { return *core::parse_rfc3339("2026-01-01T00:00:00Z"); }

// Answers each request on the clock with the next scripted status (default 200), or never
// when `hold` is set; records what was sent.
struct FakeHttp : net::HttpClient {
  explicit FakeHttp(core::Clock& c) : clock(c) {}
  void send(net::OutboundRequest req, std::function<void(net::OutboundResponse)> done) override {
    sent.push_back(req);
    if (hold) return;
    int status = 200;
    if (!script.empty()) status = script.front(), script.pop_front();
    clock.schedule_in(0s, [done, status] { done(net::OutboundResponse{status, {}, "", ""}); });
  }
  core::Clock& clock;
  std::deque<int> script;
  bool hold = false;
  std::vector<net::OutboundRequest> sent;
};

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, t0()};
  core::Ids ids{7};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> db = core::Store::open("").value();
  core::Env env{clock, ids, events, faults, *db};
  FakeHttp http{clock};
  std::unique_ptr<TaskQueues> q = TaskQueues::open(env, http).value();
  LocationName loc{"p", "us-central1"};

  QueueName queue(const std::string& id, Queue spec = {}) {
    QueueName name{"p", "us-central1", id};
    spec.name = name.str();
    REQUIRE(q->create_queue(loc, spec).ok());
    return name;
  }
  StatusOr<Task> task(const QueueName& queue, const std::string& id = "", std::optional<core::Time> at = {}) {
    TaskSpec s;
    s.id = id;
    s.has_http = true;
    s.http.url = "http://127.0.0.1:9/work";
    s.http.body = "payload";
    s.schedule_time = at;
    return q->create_task(queue, s);
  }
  // Seconds after t0 of every dispatch event.
  std::vector<double> dispatch_times() {
    std::vector<double> out;
    for (const auto& e : events.query({.kind = "tasks.dispatch"})) {
      out.push_back(std::chrono::duration<double>(*core::parse_rfc3339(std::get<std::string>(e.attrs.at("dispatch_time"))) - t0()).count());
    }
    return out;
  }
};

}  // namespace

TEST_CASE("backoff doubles max_doublings times, then grows linearly, capped at max_backoff") {
  RetryConfig r{.max_attempts = -1, .max_retry_duration = {}, .min_backoff = 10s, .max_backoff = 300s, .max_doublings = 3};
  std::vector<int64_t> got;
  for (int n = 1; n <= 9; n++) got.push_back(std::chrono::duration_cast<std::chrono::seconds>(backoff(r, n)).count());
  REQUIRE(got == std::vector<int64_t>{10, 20, 40, 80, 160, 240, 300, 300, 300});
}

TEST_CASE("a task answered 500 is retried at exactly the configured backoff times") {
  Fixture f;
  Queue spec;
  spec.retry = {.max_attempts = 7, .max_retry_duration = {}, .min_backoff = 1s, .max_backoff = 60s, .max_doublings = 3};
  auto qn = f.queue("retry", spec);
  f.http.script = {500, 500, 500, 500, 500, 500, 500};
  REQUIRE(f.task(qn, "t1").ok());
  f.clock.advance(10min);
  // Attempts at 0, then +1, +2, +4, +8, +16, +24 seconds.
  REQUIRE(f.dispatch_times() == std::vector<double>{0, 1, 3, 7, 15, 31, 55});
  auto evs = f.events.query({.kind = "tasks.dispatch"});
  REQUIRE(std::get<std::string>(evs.back().attrs.at("outcome")) == "gave_up");
  REQUIRE(std::get<int64_t>(evs.back().attrs.at("attempt")) == 7);
  REQUIRE(std::get<int64_t>(evs.back().attrs.at("status")) == 500);
  REQUIRE(f.q->get_task({qn, "t1"}).status().code() == Code::kNotFound);
}

TEST_CASE("retries carry the X-CloudTasks headers and counts") {
  Fixture f;
  auto qn = f.queue("hdrs");
  f.http.script = {503, 200};
  REQUIRE(f.task(qn, "t1").ok());
  f.clock.advance(0s);
  auto t = f.q->get_task({qn, "t1"});
  REQUIRE(t.ok());
  REQUIRE(t->dispatch_count == 1);
  REQUIRE(t->response_count == 1);
  REQUIRE(t->last_attempt->http_status == 503);
  f.clock.advance(100ms);
  REQUIRE(f.http.sent.size() == 2);
  auto header = [&](size_t i, const std::string& name) {
    for (const auto& [k, v] : f.http.sent[i].headers) if (k == name) return v;
    return std::string("-");
  };
  REQUIRE(header(0, "X-CloudTasks-QueueName") == "hdrs");
  REQUIRE(header(0, "X-CloudTasks-TaskName") == "t1");
  REQUIRE(header(0, "X-CloudTasks-TaskRetryCount") == "0");
  REQUIRE(header(0, "X-CloudTasks-TaskETA") == "1767225600.000000");
  REQUIRE(header(0, "X-CloudTasks-TaskPreviousResponse") == "-");
  REQUIRE(header(1, "X-CloudTasks-TaskRetryCount") == "1");
  REQUIRE(header(1, "X-CloudTasks-TaskExecutionCount") == "1");
  REQUIRE(header(1, "X-CloudTasks-TaskPreviousResponse") == "503");
  REQUIRE(header(1, "X-CloudTasks-TaskRetryReason") == "UNAVAILABLE");
  REQUIRE(header(1, "Content-Type") == "application/octet-stream");
  REQUIRE(f.q->get_task({qn, "t1"}).status().code() == Code::kNotFound);
}

TEST_CASE("the token bucket spaces dispatches at max_dispatches_per_second after the burst") {
  Fixture f;
  Queue spec;
  spec.rate = {.max_dispatches_per_second = 2, .max_burst_size = 3, .max_concurrent_dispatches = 100};
  auto qn = f.queue("rate", spec);
  for (int i = 0; i < 6; i++) REQUIRE(f.task(qn).ok());
  f.clock.advance(10s);
  REQUIRE(f.dispatch_times() == std::vector<double>{0, 0, 0, 0.5, 1.0, 1.5});
}

TEST_CASE("max_concurrent_dispatches caps attempts in flight") {
  Fixture f;
  Queue spec;
  spec.rate.max_concurrent_dispatches = 2;
  auto qn = f.queue("conc", spec);
  f.http.hold = true;
  for (int i = 0; i < 5; i++) REQUIRE(f.task(qn).ok());
  f.clock.advance(1s);
  REQUIRE(f.http.sent.size() == 2);
  // The default 10-minute dispatch deadline frees the slots; the next two go out then.
  f.clock.advance(10min);
  REQUIRE(f.http.sent.size() == 4);
  auto evs = f.events.query({.kind = "tasks.dispatch"});
  REQUIRE(std::get<std::string>(evs.at(0).attrs.at("error")) == "DEADLINE_EXCEEDED");
}

TEST_CASE("named tasks are de-duplicated, also for an hour after they ran or were deleted") {
  Fixture f;
  auto qn = f.queue("dedup");
  f.clock.advance(0s);
  REQUIRE(f.task(qn, "a", t0() + 1h).ok());
  REQUIRE(f.task(qn, "a").status().code() == Code::kAlreadyExists);
  REQUIRE(f.q->delete_task({qn, "a"}).is_ok());
  REQUIRE(f.task(qn, "a").status().code() == Code::kAlreadyExists);
  REQUIRE(f.task(qn, "b").ok());
  f.clock.advance(0s);
  REQUIRE(f.http.sent.size() == 1);
  REQUIRE(f.task(qn, "b").status().code() == Code::kAlreadyExists);
  f.clock.advance(61min);
  REQUIRE(f.task(qn, "a").ok());
  REQUIRE(f.task(qn, "b").ok());
}

TEST_CASE("a paused queue holds its tasks until resumed, RunTask dispatches anyway") {
  Fixture f;
  auto qn = f.queue("pause");
  REQUIRE(f.q->pause_queue(qn)->state == QueueState::kPaused);
  REQUIRE(f.task(qn, "x").ok());
  REQUIRE(f.task(qn, "y").ok());
  f.clock.advance(1h);
  REQUIRE(f.http.sent.empty());
  auto ran = f.q->run_task({qn, "x"});
  REQUIRE(ran.ok());
  REQUIRE(ran->dispatch_count == 1);
  f.clock.advance(0s);
  REQUIRE(f.http.sent.size() == 1);
  REQUIRE(f.q->resume_queue(qn)->state == QueueState::kRunning);
  f.clock.advance(0s);
  REQUIRE(f.http.sent.size() == 2);
}

TEST_CASE("purge deletes every task and stamps purge_time") {
  Fixture f;
  auto qn = f.queue("purge");
  for (int i = 0; i < 3; i++) REQUIRE(f.task(qn, "", t0() + 1h).ok());
  f.clock.advance(5s);
  auto q = f.q->purge_queue(qn);
  REQUIRE(q.ok());
  REQUIRE(q->purge_time == t0() + 5s);
  REQUIRE(f.q->list_tasks(qn, 0, "")->items.empty());
  f.clock.advance(2h);
  REQUIRE(f.http.sent.empty());
}

TEST_CASE("bad input gets clean errors") {
  Fixture f;
  auto qn = f.queue("bad");
  REQUIRE(QueueName::parse("projects/p/locations/l/queues/has_underscore").status().code() == Code::kInvalidArgument);
  REQUIRE(QueueName::parse("projects/p/locations/l/queues/" + std::string(101, 'a')).status().code() == Code::kInvalidArgument);
  REQUIRE(TaskName::parse("projects/p/locations/l/queues/q/tasks/a b").status().code() == Code::kInvalidArgument);
  REQUIRE(f.task(qn, "far", t0() + 31 * 24h).status().code() == Code::kInvalidArgument);
  auto past = f.task(qn, "past", t0() - 1h);
  REQUIRE(past.ok());
  REQUIRE(past->schedule_time == t0());
  TaskSpec big;
  big.has_http = true;
  big.http.url = "http://127.0.0.1:9/";
  big.http.body = std::string(100 * 1024 + 1, 'x');
  REQUIRE(f.q->create_task(qn, big).status().code() == Code::kInvalidArgument);
  TaskSpec slow = big;
  slow.http.body.clear();
  slow.dispatch_deadline = 10s;
  REQUIRE(f.q->create_task(qn, slow).status().code() == Code::kInvalidArgument);
  slow.dispatch_deadline.reset();
  slow.http.url = "ftp://example.com/";
  REQUIRE(f.q->create_task(qn, slow).status().code() == Code::kInvalidArgument);
  REQUIRE(f.task({"p", "us-central1", "missing"}).status().code() == Code::kNotFound);
  REQUIRE(f.q->create_queue(f.loc, Queue{.name = qn.str()}).status().code() == Code::kAlreadyExists);
}

TEST_CASE("queues list with a state filter and pages, update applies the mask") {
  Fixture f;
  for (auto id : {"a", "b", "c"}) f.queue(id);
  REQUIRE(f.q->pause_queue({"p", "us-central1", "b"}).ok());
  auto paused = f.q->list_queues(f.loc, "state: PAUSED", 0, "");
  REQUIRE(paused->items.size() == 1);
  auto first = f.q->list_queues(f.loc, "", 2, "");
  REQUIRE(first->items.size() == 2);
  auto rest = f.q->list_queues(f.loc, "", 2, first->next_page_token);
  REQUIRE(rest->items.size() == 1);
  REQUIRE(rest->next_page_token.empty());
  Queue change;
  change.rate.max_dispatches_per_second = 7;
  change.retry.max_attempts = 3;
  auto updated = f.q->update_queue({"p", "us-central1", "a"}, change, {"rate_limits.max_dispatches_per_second"});
  REQUIRE(updated->rate.max_dispatches_per_second == 7);
  REQUIRE(updated->retry.max_attempts == 100);
  REQUIRE(f.q->update_queue({"p", "us-central1", "a"}, change, {"bogus"}).status().code() == Code::kInvalidArgument);
  REQUIRE(f.q->delete_queue({"p", "us-central1", "c"}).is_ok());
  REQUIRE(f.q->create_queue(f.loc, Queue{.name = "projects/p/locations/us-central1/queues/c"}).status().code() ==
          Code::kFailedPrecondition);
}

TEST_CASE("a push fault fails the attempt, which is retried") {
  Fixture f;
  auto qn = f.queue("faulty");
  core::FaultRule rule;
  rule.match = {.boundary = core::Boundary::kPush, .service = "tasks"};
  rule.action = {.kind = core::FaultAction::Kind::kError, .code = Code::kUnavailable};
  rule.count = 1;
  f.faults.add(rule);
  REQUIRE(f.task(qn, "t").ok());
  f.clock.advance(1s);
  auto evs = f.events.query({.kind = "tasks.dispatch"});
  REQUIRE(evs.size() == 2);
  REQUIRE(std::get<int64_t>(evs[0].attrs.at("status")) == 503);
  REQUIRE(std::get<std::string>(evs[1].attrs.at("outcome")) == "succeeded");
  REQUIRE(f.http.sent.size() == 1);
}

TEST_CASE("queues and tasks survive reopening the store") {
  Fixture f;
  auto qn = f.queue("durable");
  REQUIRE(f.task(qn, "later", t0() + 1h).ok());
  f.q.reset();
  f.q = TaskQueues::open(f.env, f.http).value();
  f.q->start();
  REQUIRE(f.q->get_task({qn, "later"}).ok());
  f.clock.advance(1h);
  REQUIRE(f.http.sent.size() == 1);
}

}  // namespace tasks_domain_test
