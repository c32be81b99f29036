// TaskQueues: queue and task lifecycles, validation, listing and name de-duplication.
#include "services/tasks/domain.h"

#include <algorithm>
#include <cmath>

#include "core/env.h"
#include "core/ids.h"
#include "net/http_client.h"
#include "services/tasks/errors.h"
#include "services/tasks/limits.h"

namespace gcpsim::services::tasks {
namespace {

bool under(const std::string& name, const std::string& prefix) {
  return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0;
}

// Page tokens are the last name returned; they must lie under the listed parent.
template <class T, class Keep>
StatusOr<Page<T>> page_of(const std::map<std::string, T>& items, const std::string& prefix, int page_size,
                          int max_page, const std::string& token, Keep keep) {
  if (page_size < 0) return errors::bad_field("page_size", "must not be negative");
  if (!token.empty() && !under(token, prefix)) return errors::bad_page_token();
  size_t limit = page_size == 0 ? size_t(max_page) : size_t(std::min(page_size, max_page));
  Page<T> page;
  auto it = token.empty() ? items.lower_bound(prefix) : items.upper_bound(token);
  for (; it != items.end() && under(it->first, prefix); ++it) {
    if (!keep(it->second)) continue;
    if (page.items.size() == limit) {
      page.next_page_token = page.items.back().name;
      break;
    }
    page.items.push_back(it->second);
  }
  return page;
}

const char* state_name(QueueState s) {
  switch (s) {
    case QueueState::kRunning: return "RUNNING";
    case QueueState::kPaused: return "PAUSED";
    case QueueState::kDisabled: return "DISABLED";
  }
  return "STATE_UNSPECIFIED";
}

// "state: PAUSED", "state = RUNNING", "state != PAUSED"; empty keeps everything.
StatusOr<std::function<bool(const Queue&)>> queue_filter(const std::string& filter) {
  if (filter.find_first_not_of(' ') == std::string::npos) return std::function<bool(const Queue&)>{[](const Queue&) { return true; }};
  std::string f;
  for (char c : filter) if (c != ' ') f += c;
  bool negate = false;
  std::string value;
  if (f.rfind("state!=", 0) == 0) negate = true, value = f.substr(7);
  else if (f.rfind("state:", 0) == 0 || f.rfind("state=", 0) == 0) value = f.substr(6);
  else return errors::bad_filter(filter);
  if (value != "RUNNING" && value != "PAUSED" && value != "DISABLED") return errors::bad_filter(filter);
  return std::function<bool(const Queue&)>{
      [negate, value](const Queue& q) { return (state_name(q.state) == value) != negate; }};
}

bool valid_url(const std::string& url) {
  for (const char* scheme : {"http://", "https://"}) {
    std::string s = scheme;
    if (url.rfind(s, 0) == 0) {
      return url.size() > s.size() && url[s.size()] != '/' && url.find_first_of(" \t\r\n") == std::string::npos;
    }
  }
  return false;
}

size_t task_size(const TaskSpec& s) {
  size_t n = s.id.size() + s.http.url.size() + s.http.body.size();
  for (const auto& [k, v] : s.http.headers) n += k.size() + v.size();
  return n;
}

}  // namespace

Duration backoff(const RetryConfig& r, int n) {
  if (n < 1) n = 1;
  int doublings = std::min(n - 1, std::min(r.max_doublings, 62));
  double base = double(r.min_backoff.count());
  double delay = base * std::ldexp(1.0, doublings);
  if (n - 1 > r.max_doublings) delay += double(n - 1 - r.max_doublings) * base * std::ldexp(1.0, r.max_doublings);
  double cap = double(r.max_backoff.count());
  return Duration{int64_t(std::min(delay, cap))};
}

TaskQueues::TaskQueues(core::Env& env, net::HttpClient& http) : env_(env), http_(http) {}

TaskQueues::~TaskQueues() {
  for (auto& [name, rt] : runtime_) {
    if (rt.timer) env_.clock.cancel(rt.timer);
  }
  for (auto& [name, f] : flights_) env_.clock.cancel(f.deadline);
}

StatusOr<std::unique_ptr<TaskQueues>> TaskQueues::open(core::Env& env, net::HttpClient& http) {
  std::unique_ptr<TaskQueues> q(new TaskQueues(env, http));
  RETURN_IF_ERROR(q->load());
  return q;
}

void TaskQueues::start() {
  for (auto& [name, q] : queues_) pump(name);
}

Status TaskQueues::validate(const Queue& q) const {
  const RateLimits& r = q.rate;
  if (!(r.max_dispatches_per_second > 0) || r.max_dispatches_per_second > limits::kMaxDispatchesPerSecond) {
    return errors::bad_field("rate_limits.max_dispatches_per_second", "must be greater than 0 and at most 500");
  }
  if (r.max_concurrent_dispatches < 1 || r.max_concurrent_dispatches > limits::kMaxConcurrentDispatches) {
    return errors::bad_field("rate_limits.max_concurrent_dispatches", "must be between 1 and 5000");
  }
  const RetryConfig& t = q.retry;
  if (t.max_attempts < -1) return errors::bad_field("retry_config.max_attempts", "must be >= -1");
  if (t.max_doublings < 0) return errors::bad_field("retry_config.max_doublings", "must be >= 0");
  if (t.min_backoff.count() < 0 || t.max_backoff.count() < 0 || t.max_retry_duration.count() < 0) {
    return errors::bad_field("retry_config", "durations must not be negative");
  }
  if (t.min_backoff > t.max_backoff) {
    return errors::bad_field("retry_config.min_backoff", "must be less than or equal to max_backoff");
  }
  if (q.logging_sampling_ratio < 0 || q.logging_sampling_ratio > 1) {
    return errors::bad_field("stackdriver_logging_config.sampling_ratio", "must be between 0 and 1");
  }
  return Status::ok();
}

StatusOr<Queue> TaskQueues::create_queue(const LocationName& parent, Queue q) {
  ASSIGN_OR_RETURN(auto name, QueueName::parse(q.name));
  if (name.parent().str() != parent.str()) {
    return errors::bad_field("queue.name", "the queue must be in the location given as the parent");
  }
  if (queues_.count(q.name)) return errors::already_exists();
  auto tomb = queue_tombstones_.find(q.name);
  if (tomb != queue_tombstones_.end() && tomb->second > env_.clock.now()) return errors::queue_too_recent();
  RETURN_IF_ERROR(validate(q));
  q.state = QueueState::kRunning;
  q.purge_time.reset();
  RETURN_IF_ERROR(save_queue(q));
  return q;
}

StatusOr<Queue> TaskQueues::get_queue(const QueueName& name) const {
  auto it = queues_.find(name.str());
  if (it == queues_.end()) return errors::not_found();
  return it->second;
}

StatusOr<Page<Queue>> TaskQueues::list_queues(const LocationName& parent, const std::string& filter,
                                              int page_size, const std::string& page_token) const {
  ASSIGN_OR_RETURN(auto keep, queue_filter(filter));
  return page_of(queues_, parent.str() + "/queues/", page_size, limits::kMaxQueuePage, page_token, keep);
}

StatusOr<Queue> TaskQueues::update_queue(const QueueName& name, const Queue& in, const std::vector<std::string>& mask) {
  auto it = queues_.find(name.str());
  if (it == queues_.end()) {
    Queue fresh = in;
    fresh.name = name.str();
    return create_queue(name.parent(), fresh);
  }
  Queue q = it->second;
  bool burst_set = false;
  auto apply = [&](const std::string& path) -> Status {
    if (path == "rate_limits") q.rate = in.rate, burst_set = true;
    else if (path == "rate_limits.max_dispatches_per_second") q.rate.max_dispatches_per_second = in.rate.max_dispatches_per_second;
    else if (path == "rate_limits.max_concurrent_dispatches") q.rate.max_concurrent_dispatches = in.rate.max_concurrent_dispatches;
    else if (path == "retry_config") q.retry = in.retry;
    else if (path == "retry_config.max_attempts") q.retry.max_attempts = in.retry.max_attempts;
    else if (path == "retry_config.max_retry_duration") q.retry.max_retry_duration = in.retry.max_retry_duration;
    else if (path == "retry_config.min_backoff") q.retry.min_backoff = in.retry.min_backoff;
    else if (path == "retry_config.max_backoff") q.retry.max_backoff = in.retry.max_backoff;
    else if (path == "retry_config.max_doublings") q.retry.max_doublings = in.retry.max_doublings;
    else if (path == "stackdriver_logging_config" || path == "stackdriver_logging_config.sampling_ratio") {
      q.logging_sampling_ratio = in.logging_sampling_ratio;
    } else if (path == "rate_limits.max_burst_size" || path == "state" || path == "purge_time" || path == "name" ||
               path == "app_engine_routing_override") {
      // Output-only or App Engine fields: ignored, as the real service does.
    } else {
      return errors::bad_field("update_mask", "unknown field path \"" + path + "\"");
    }
    return Status::ok();
  };
  if (mask.empty()) {
    q.rate = in.rate;
    q.retry = in.retry;
    q.logging_sampling_ratio = in.logging_sampling_ratio;
    burst_set = true;
  }
  for (const auto& p : mask) RETURN_IF_ERROR(apply(p));
  if (!burst_set) q.rate.max_burst_size = it->second.rate.max_burst_size;
  RETURN_IF_ERROR(validate(q));
  RETURN_IF_ERROR(save_queue(q));
  auto rt = runtime_.find(q.name);
  if (rt != runtime_.end()) rt->second.tokens = std::min(rt->second.tokens, double(q.rate.max_burst_size));
  pump(q.name);
  return q;
}

Status TaskQueues::delete_queue(const QueueName& name) {
  auto it = queues_.find(name.str());
  if (it == queues_.end()) return errors::not_found();
  std::string prefix = name.str() + "/tasks/";
  std::vector<std::string> doomed;
  for (auto t = tasks_.lower_bound(prefix); t != tasks_.end() && under(t->first, prefix); ++t) doomed.push_back(t->first);
  for (const auto& t : doomed) RETURN_IF_ERROR(erase_task(t, false));
  auto rt = runtime_.find(name.str());
  if (rt != runtime_.end()) {
    if (rt->second.timer) env_.clock.cancel(rt->second.timer);
    runtime_.erase(rt);
  }
  return remove_queue_rows(name.str(), env_.clock.now() + limits::kQueueNameReuse);
}

StatusOr<Queue> TaskQueues::purge_queue(const QueueName& name) {
  auto it = queues_.find(name.str());
  if (it == queues_.end()) return errors::not_found();
  std::string prefix = name.str() + "/tasks/";
  std::vector<std::string> doomed;
  for (auto t = tasks_.lower_bound(prefix); t != tasks_.end() && under(t->first, prefix); ++t) doomed.push_back(t->first);
  for (const auto& t : doomed) RETURN_IF_ERROR(erase_task(t, true));
  Queue q = it->second;
  q.purge_time = env_.clock.now();
  RETURN_IF_ERROR(save_queue(q));
  return q;
}

StatusOr<Queue> TaskQueues::pause_queue(const QueueName& name) {
  auto it = queues_.find(name.str());
  if (it == queues_.end()) return errors::not_found();
  Queue q = it->second;
  q.state = QueueState::kPaused;
  RETURN_IF_ERROR(save_queue(q));
  return q;
}

StatusOr<Queue> TaskQueues::resume_queue(const QueueName& name) {
  auto it = queues_.find(name.str());
  if (it == queues_.end()) return errors::not_found();
  Queue q = it->second;
  q.state = QueueState::kRunning;
  RETURN_IF_ERROR(save_queue(q));
  pump(q.name);
  return q;
}

bool TaskQueues::tombstoned(const std::string& name) const {
  auto it = task_tombstones_.find(name);
  return it != task_tombstones_.end() && it->second > env_.clock.now();
}

StatusOr<Task> TaskQueues::create_task(const QueueName& queue, TaskSpec spec) {
  if (!queues_.count(queue.str())) return errors::not_found();
  if (!spec.has_http) return errors::missing_target();
  if (!valid_url(spec.http.url)) return errors::bad_url(spec.http.url);
  if (run_.resolve) {
    auto target = run_.resolve(spec.http.url);
    if (!target.ok()) return errors::unknown_run_service(spec.http.url, target.status().message());
  }
  if (task_size(spec) > limits::kMaxTaskBytes) return errors::task_too_large();
  Time now = env_.clock.now();
  if (spec.schedule_time && *spec.schedule_time > now + limits::kMaxScheduleAhead) return errors::schedule_too_far(core::format_rfc3339(*spec.schedule_time));
  if (spec.dispatch_deadline &&
      (*spec.dispatch_deadline < limits::kMinDispatchDeadline || *spec.dispatch_deadline > limits::kMaxDispatchDeadline)) {
    return errors::bad_deadline();
  }
  std::string id = spec.id;
  if (id.empty()) {
    auto& rng = env_.ids.rng("tasks.id");
    do {
      id = std::to_string(1000000000000000000ULL + rng.below(9000000000000000000ULL));
    } while (tasks_.count(queue.str() + "/tasks/" + id));
  }
  Task t;
  t.name = queue.str() + "/tasks/" + id;
  if (tasks_.count(t.name) || tombstoned(t.name)) return errors::already_exists();
  t.http = std::move(spec.http);
  if (t.http.method.empty()) t.http.method = "POST";
  t.create_time = now;
  t.schedule_time = spec.schedule_time && *spec.schedule_time > now ? *spec.schedule_time : now;
  if (spec.dispatch_deadline) t.dispatch_deadline = *spec.dispatch_deadline;
  t.seq = next_seq_++;
  RETURN_IF_ERROR(save_task(t));
  pump(queue.str());
  return tasks_.at(t.name);
}

StatusOr<Task> TaskQueues::get_task(const TaskName& name) const {
  auto it = tasks_.find(name.str());
  if (it == tasks_.end()) return errors::not_found();
  return it->second;
}

StatusOr<Page<Task>> TaskQueues::list_tasks(const QueueName& queue, int page_size, const std::string& page_token) const {
  if (!queues_.count(queue.str())) return errors::not_found();
  return page_of(tasks_, queue.str() + "/tasks/", page_size, limits::kMaxTaskPage, page_token,
                 [](const Task&) { return true; });
}

Status TaskQueues::delete_task(const TaskName& name) {
  if (!tasks_.count(name.str())) return errors::not_found();
  RETURN_IF_ERROR(erase_task(name.str(), true));
  pump(name.queue.str());
  return Status::ok();
}

// Dispatches now, ignoring pause and rate limits; the returned task shows the new attempt.
StatusOr<Task> TaskQueues::run_task(const TaskName& name) {
  auto it = tasks_.find(name.str());
  if (it == tasks_.end()) return errors::not_found();
  if (!flights_.count(name.str())) {
    runtime(queues_.at(name.queue.str()));
    send(name.str());
  }
  auto after = tasks_.find(name.str());
  if (after == tasks_.end()) return errors::not_found();
  return after->second;
}

}  // namespace gcpsim::services::tasks
