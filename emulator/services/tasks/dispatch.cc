// Dispatch: per-queue token bucket and concurrency cap on the clock, one HTTP attempt per
// dispatch with the X-CloudTasks-* headers, and the retry schedule on failure. Every attempt
// is a fault boundary (kPush, service "tasks") and a "tasks.dispatch" event.
#include <algorithm>
#include <cstdio>

#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "net/http_client.h"
#include "services/tasks/domain.h"

namespace gcpsim::services::tasks {
namespace {

std::string queue_of_task(const std::string& task) { return task.substr(0, task.rfind("/tasks/")); }
std::string last_segment(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// Seconds since the epoch with microseconds, as X-CloudTasks-TaskETA carries it.
std::string eta(Time t) {
  int64_t us = core::to_micros(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000));
  return buf;
}

bool lower_equal(const std::string& a, const char* b) {
  std::string l;
  for (char c : a) l += char(std::tolower(static_cast<unsigned char>(c)));
  return l == b;
}

// Headers the service sets itself; a task's own values for them are replaced.
bool reserved(const std::string& h) {
  std::string l;
  for (char c : h) l += char(std::tolower(static_cast<unsigned char>(c)));
  return l == "host" || l == "user-agent" || l == "content-length" || l.rfind("x-cloudtasks-", 0) == 0 ||
         l.rfind("x-google-", 0) == 0 || l.rfind("x-appengine-", 0) == 0 || (l == "authorization");
}

// Why the previous attempt is being retried, for X-CloudTasks-TaskRetryReason.
std::string retry_reason(const Attempt& a) {
  if (a.http_status == 0) return a.error.empty() ? "UNAVAILABLE" : a.error;
  return core::code_name(core::code_from_http(a.http_status));
}

}  // namespace

TaskQueues::Runtime& TaskQueues::runtime(const Queue& q) {
  auto [it, fresh] = runtime_.try_emplace(q.name);
  if (fresh) {
    it->second.tokens = q.rate.max_burst_size;
    it->second.refilled = env_.clock.now();
  }
  return it->second;
}

const Task* TaskQueues::next_ready(const std::string& queue) const {
  const Task* best = nullptr;
  std::string prefix = queue + "/tasks/";
  for (auto it = tasks_.lower_bound(prefix); it != tasks_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    const Task& t = it->second;
    if (flights_.count(t.name)) continue;
    if (!best || std::tie(t.schedule_time, t.seq) < std::tie(best->schedule_time, best->seq)) best = &t;
  }
  return best;
}

void TaskQueues::arm(const std::string& queue, Time at) {
  Runtime& rt = runtime_.at(queue);
  if (rt.timer) {
    if (rt.timer_at <= at) return;
    env_.clock.cancel(rt.timer);
  }
  rt.timer_at = at;
  rt.timer = env_.clock.schedule(at, guarded([this, queue] {
    auto it = runtime_.find(queue);
    if (it == runtime_.end()) return;
    it->second.timer = 0;
    pump(queue);
  }));
}

void TaskQueues::pump(const std::string& queue) {
  auto qit = queues_.find(queue);
  if (qit == queues_.end() || qit->second.state != QueueState::kRunning) return;
  const Queue& q = qit->second;
  Runtime& rt = runtime(q);
  Time now = env_.clock.now();
  double rate = q.rate.max_dispatches_per_second;
  double elapsed = std::chrono::duration<double>(now - rt.refilled).count();
  rt.tokens = std::min(double(q.rate.max_burst_size), rt.tokens + elapsed * rate);
  rt.refilled = now;
  while (const Task* t = next_ready(queue)) {
    if (t->schedule_time > now) return arm(queue, t->schedule_time);
    if (rt.inflight >= q.rate.max_concurrent_dispatches) return;  // a completion pumps again
    if (rt.tokens < 1 - 1e-9) {
      auto wait = std::chrono::duration<double>((1 - rt.tokens) / rate);
      return arm(queue, now + std::chrono::ceil<Duration>(wait));
    }
    rt.tokens = std::max(0.0, rt.tokens - 1);
    send(t->name);
  }
}

bool TaskQueues::gives_up(const Queue& q, const Task& t) const {
  const RetryConfig& r = q.retry;
  bool attempts_done = r.max_attempts >= 0 && t.dispatch_count >= r.max_attempts;
  bool age_done = r.max_retry_duration.count() > 0 && t.first_attempt &&
                  env_.clock.now() - t.first_attempt->dispatch_time >= r.max_retry_duration;
  if (r.max_attempts == -1) return age_done;
  if (r.max_retry_duration.count() == 0) return attempts_done;
  return attempts_done && age_done;
}

void TaskQueues::send(const std::string& task_name) {
  Task& t = tasks_.at(task_name);
  std::string queue = queue_of_task(task_name);
  Runtime& rt = runtime(queues_.at(queue));
  Time now = env_.clock.now();
  std::optional<Attempt> previous = t.last_attempt;
  t.dispatch_count++;
  Attempt a;
  a.schedule_time = t.schedule_time;
  a.dispatch_time = now;
  if (!t.first_attempt) t.first_attempt = a;
  t.last_attempt = a;
  Status saved = save_task(t);
  if (!saved.is_ok()) {
    env_.events.record("tasks.error", "tasks", {{"task", task_name}, {"message", saved.to_string()}});
  }

  net::OutboundRequest req;
  req.method = t.http.method;
  req.url = t.http.url;
  req.body = t.http.body;
  req.timeout = t.dispatch_deadline;
  bool has_type = false;
  for (const auto& [k, v] : t.http.headers) {
    if (reserved(k)) continue;
    has_type = has_type || lower_equal(k, "content-type");
    req.headers.emplace_back(k, v);
  }
  if (!has_type && !t.http.body.empty()) req.headers.emplace_back("Content-Type", "application/octet-stream");
  req.headers.emplace_back("User-Agent", "Google-Cloud-Tasks");
  req.headers.emplace_back("X-CloudTasks-QueueName", last_segment(queue));
  req.headers.emplace_back("X-CloudTasks-TaskName", last_segment(task_name));
  req.headers.emplace_back("X-CloudTasks-TaskRetryCount", std::to_string(t.dispatch_count - 1));
  req.headers.emplace_back("X-CloudTasks-TaskExecutionCount", std::to_string(t.response_count));
  req.headers.emplace_back("X-CloudTasks-TaskETA", eta(t.schedule_time));
  if (previous) {
    if (previous->http_status) {
      req.headers.emplace_back("X-CloudTasks-TaskPreviousResponse", std::to_string(previous->http_status));
    }
    req.headers.emplace_back("X-CloudTasks-TaskRetryReason", retry_reason(*previous));
  }
  if (t.http.auth.kind != AuthToken::Kind::kNone && minter_) {
    auto token = minter_(t.http.auth, t.http.url);
    if (token.ok()) req.headers.emplace_back("Authorization", "Bearer " + *token);
  }

  uint64_t id = next_flight_++;
  rt.inflight++;
  auto done = guarded([this, task_name, id](int status, std::string error) {
    finish(task_name, id, status, std::move(error));
  });
  Flight f{id, t.dispatch_count, now, 0};
  f.deadline = env_.clock.schedule_in(t.dispatch_deadline, [done]() mutable { done(0, "DEADLINE_EXCEEDED"); });
  flights_[task_name] = f;

  core::FaultSubject subject{core::Boundary::kPush, "tasks", "tasks.dispatch", t.http.url};
  auto fault = env_.faults.check(subject);
  // A Run service's URL goes through the Run router (ingress, auth, autoscaling); others directly.
  std::optional<std::string> service;
  if (run_.resolve) {
    auto target = run_.resolve(t.http.url);
    if (target.ok()) service = *target;
  }
  auto deliver = [this, done, service](net::OutboundRequest r) mutable {
    auto answered = [done](net::OutboundResponse resp) mutable { done(resp.status, resp.status ? "" : "UNAVAILABLE"); };
    if (service && run_.send) return run_.send(*service, std::move(r), std::move(answered));
    http_.send(std::move(r), std::move(answered));
  };
  using K = core::FaultAction::Kind;
  if (!fault) return deliver(std::move(req));
  if (fault->kind == K::kError) {
    int status = fault->http_status ? fault->http_status : core::http_status(fault->code);
    env_.clock.schedule_in(fault->delay, [done, status]() mutable { done(status, ""); });
  } else if (fault->kind == K::kDelay) {
    env_.clock.schedule_in(fault->delay, guarded([deliver, req]() mutable { deliver(std::move(req)); }));
  }
  // Dropped, timed out, crashed or out: no answer, so the dispatch deadline decides.
}

void TaskQueues::finish(const std::string& task_name, uint64_t flight, int status, std::string error) {
  auto f = flights_.find(task_name);
  if (f == flights_.end() || f->second.id != flight) return;
  Flight done = f->second;
  env_.clock.cancel(done.deadline);
  flights_.erase(f);
  std::string queue = queue_of_task(task_name);
  auto rt = runtime_.find(queue);
  if (rt != runtime_.end()) rt->second.inflight--;

  std::string outcome = "deleted";
  auto it = tasks_.find(task_name);
  auto qit = queues_.find(queue);
  if (it != tasks_.end() && qit != queues_.end()) {
    Task& t = it->second;
    Time now = env_.clock.now();
    if (t.last_attempt) {
      if (status) t.last_attempt->response_time = now;
      t.last_attempt->http_status = status;
      t.last_attempt->error = error;
    }
    if (status) t.response_count++;
    Status st;
    if (status >= 200 && status < 300) {
      outcome = "succeeded";
      st = erase_task(task_name, true);
    } else if (gives_up(qit->second, t)) {
      outcome = "gave_up";
      st = erase_task(task_name, true);
    } else {
      outcome = "retry";
      t.schedule_time = now + backoff(qit->second.retry, t.dispatch_count);
      st = save_task(t);
    }
    if (!st.is_ok()) env_.events.record("tasks.error", "tasks", {{"task", task_name}, {"message", st.to_string()}});
  }
  core::Attrs attrs{{"queue", queue}, {"task", task_name}, {"attempt", int64_t(done.attempt)},
                    {"status", int64_t(status)}, {"outcome", outcome},
                    {"dispatch_time", core::format_rfc3339(done.dispatched)}};
  if (!error.empty()) attrs["error"] = error;
  env_.events.record("tasks.dispatch", "tasks", std::move(attrs));
  pump(queue);
}

}  // namespace gcpsim::services::tasks
