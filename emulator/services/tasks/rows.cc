// The store side of TaskQueues: queues, tasks and name tombstones as rows (JSON bodies),
// written through on every change and loaded on open, so --data-dir keeps them.
#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/store.h"
#include "services/tasks/domain.h"
#include "services/tasks/limits.h"

namespace gcpsim::services::tasks {
namespace {

using nlohmann::json;

const std::vector<std::string> kMigration = {R"sql(
CREATE TABLE tasks_queues (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE tasks_tasks (name TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE tasks_tombstones (name TEXT NOT NULL, kind TEXT NOT NULL, until INTEGER NOT NULL,
                               PRIMARY KEY (kind, name));
)sql"};

int64_t ns(Time t) { return t.time_since_epoch().count(); }
int64_t ns(Duration d) { return d.count(); }
Time at(const json& j) { return Time{Duration{j.get<int64_t>()}}; }
Duration span(const json& j) { return Duration{j.get<int64_t>()}; }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json queue_json(const Queue& q) {
  json j = {{"rate", {q.rate.max_dispatches_per_second, q.rate.max_burst_size, q.rate.max_concurrent_dispatches}},
            {"retry", {q.retry.max_attempts, ns(q.retry.max_retry_duration), ns(q.retry.min_backoff),
                       ns(q.retry.max_backoff), q.retry.max_doublings}},
            {"state", static_cast<int>(q.state)},
            {"sampling", q.logging_sampling_ratio}};
  if (q.purge_time) j["purge"] = ns(*q.purge_time);
  return j;
}

Queue queue_of(const std::string& name, const json& j) {
  Queue q;
  q.name = name;
  const json& r = j["rate"];
  q.rate = {r[0].get<double>(), r[1].get<int>(), r[2].get<int>()};
  const json& t = j["retry"];
  q.retry = {t[0].get<int>(), span(t[1]), span(t[2]), span(t[3]), t[4].get<int>()};
  q.state = static_cast<QueueState>(j["state"].get<int>());
  q.logging_sampling_ratio = j["sampling"].get<double>();
  if (j.contains("purge")) q.purge_time = at(j["purge"]);
  return q;
}

json attempt_json(const Attempt& a) {
  json j = {{"schedule", ns(a.schedule_time)}, {"dispatch", ns(a.dispatch_time)},
            {"status", a.http_status}, {"error", a.error}};
  if (a.response_time) j["response"] = ns(*a.response_time);
  return j;
}

Attempt attempt_of(const json& j) {
  Attempt a;
  a.schedule_time = at(j["schedule"]);
  a.dispatch_time = at(j["dispatch"]);
  a.http_status = j["status"].get<int>();
  a.error = j["error"].get<std::string>();
  if (j.contains("response")) a.response_time = at(j["response"]);
  return a;
}

json task_json(const Task& t) {
  const HttpTarget& h = t.http;
  json j = {{"url", h.url}, {"method", h.method}, {"headers", h.headers},
            {"body", std::vector<uint8_t>(h.body.begin(), h.body.end())},
            {"auth", {static_cast<int>(h.auth.kind), h.auth.email, h.auth.audience, h.auth.scope}},
            {"schedule", ns(t.schedule_time)}, {"create", ns(t.create_time)},
            {"deadline", ns(t.dispatch_deadline)}, {"dispatches", t.dispatch_count},
            {"responses", t.response_count}, {"seq", t.seq}};
  if (t.first_attempt) j["first"] = attempt_json(*t.first_attempt);
  if (t.last_attempt) j["last"] = attempt_json(*t.last_attempt);
  return j;
}

Task task_of(const std::string& name, const json& j) {
  Task t;
  t.name = name;
  t.http.url = j["url"].get<std::string>();
  t.http.method = j["method"].get<std::string>();
  t.http.headers = j["headers"].get<std::map<std::string, std::string>>();
  auto body = j["body"].get<std::vector<uint8_t>>();
  t.http.body.assign(body.begin(), body.end());
  const json& a = j["auth"];
  t.http.auth = {static_cast<AuthToken::Kind>(a[0].get<int>()), a[1].get<std::string>(),
                 a[2].get<std::string>(), a[3].get<std::string>()};
  t.schedule_time = at(j["schedule"]);
  t.create_time = at(j["create"]);
  t.dispatch_deadline = span(j["deadline"]);
  t.dispatch_count = j["dispatches"].get<int>();
  t.response_count = j["responses"].get<int>();
  t.seq = j["seq"].get<int64_t>();
  if (j.contains("first")) t.first_attempt = attempt_of(j["first"]);
  if (j.contains("last")) t.last_attempt = attempt_of(j["last"]);
  return t;
}

}  // namespace

Status TaskQueues::load() {
  RETURN_IF_ERROR(env_.store.migrate("tasks", kMigration));
  auto qs = env_.store.prepare("SELECT name, body FROM tasks_queues");
  while (qs.step()) {
    auto name = qs.column_text(0);
    queues_[name] = queue_of(name, json::parse(qs.column_text(1)));
  }
  RETURN_IF_ERROR(qs.status());
  auto ts = env_.store.prepare("SELECT name, body FROM tasks_tasks");
  while (ts.step()) {
    auto name = ts.column_text(0);
    Task t = task_of(name, json::parse(ts.column_text(1)));
    next_seq_ = std::max(next_seq_, t.seq + 1);
    tasks_[name] = std::move(t);
  }
  RETURN_IF_ERROR(ts.status());
  auto tomb = env_.store.prepare("SELECT name, kind, until FROM tasks_tombstones");
  while (tomb.step()) {
    Time until{Duration{tomb.column_int(2)}};
    (tomb.column_text(1) == "queue" ? queue_tombstones_ : task_tombstones_)[tomb.column_text(0)] = until;
  }
  return tomb.status();
}

Status TaskQueues::save_queue(const Queue& q) {
  queues_[q.name] = q;
  RETURN_IF_ERROR(env_.store.prepare("DELETE FROM tasks_tombstones WHERE kind = 'queue' AND name = ?")
                      .bind(1, q.name).run());
  queue_tombstones_.erase(q.name);
  return env_.store.prepare("INSERT OR REPLACE INTO tasks_queues (name, body) VALUES (?, ?)")
      .bind_all(q.name, dump(queue_json(q)))
      .run();
}

Status TaskQueues::save_task(const Task& t) {
  if (&tasks_[t.name] != &t) tasks_[t.name] = t;
  return env_.store.prepare("INSERT OR REPLACE INTO tasks_tasks (name, body) VALUES (?, ?)")
      .bind_all(t.name, dump(task_json(t)))
      .run();
}

Status TaskQueues::erase_task(const std::string& name, bool tombstone) {
  tasks_.erase(name);
  auto flight = flights_.find(name);
  if (flight != flights_.end()) {
    env_.clock.cancel(flight->second.deadline);
    flights_.erase(flight);
    auto rt = runtime_.find(name.substr(0, name.rfind("/tasks/")));
    if (rt != runtime_.end()) rt->second.inflight--;
  }
  RETURN_IF_ERROR(env_.store.prepare("DELETE FROM tasks_tasks WHERE name = ?").bind(1, name).run());
  if (!tombstone) return Status::ok();
  Time until = env_.clock.now() + limits::kTaskNameReuse;
  task_tombstones_[name] = until;
  return env_.store.prepare("INSERT OR REPLACE INTO tasks_tombstones (name, kind, until) VALUES (?, 'task', ?)")
      .bind_all(name, ns(until))
      .run();
}

Status TaskQueues::remove_queue_rows(const std::string& name, Time reuse_after) {
  queues_.erase(name);
  queue_tombstones_[name] = reuse_after;
  RETURN_IF_ERROR(env_.store.prepare("DELETE FROM tasks_queues WHERE name = ?").bind(1, name).run());
  return env_.store.prepare("INSERT OR REPLACE INTO tasks_tombstones (name, kind, until) VALUES (?, 'queue', ?)")
      .bind_all(name, ns(reuse_after))
      .run();
}

}  // namespace gcpsim::services::tasks
