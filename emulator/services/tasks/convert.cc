// Proto ⇄ domain translation for queues and tasks; defaults for unset fields live here.
#include "services/tasks/convert.h"

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "services/tasks/limits.h"

namespace gcpsim::services::tasks {
namespace {

void to_ts(Time t, google::protobuf::Timestamp* out) {
  auto ns = t.time_since_epoch().count();
  int64_t s = ns / 1000000000, n = ns % 1000000000;
  if (n < 0) s -= 1, n += 1000000000;
  out->set_seconds(s);
  out->set_nanos(int32_t(n));
}
Time from_ts(const google::protobuf::Timestamp& ts) { return core::from_seconds(ts.seconds(), ts.nanos()); }
void to_dur(Duration d, google::protobuf::Duration* out) {
  out->set_seconds(d.count() / 1000000000);
  out->set_nanos(int32_t(d.count() % 1000000000));
}
Duration from_dur(const google::protobuf::Duration& d) {
  return std::chrono::seconds(d.seconds()) + std::chrono::nanoseconds(d.nanos());
}
// The service truncates backoffs and the retry duration to whole seconds.
Duration whole_seconds(Duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d); }

const char* method_name(v2::HttpMethod m) {
  switch (m) {
    case v2::GET: return "GET";
    case v2::HEAD: return "HEAD";
    case v2::PUT: return "PUT";
    case v2::DELETE: return "DELETE";
    case v2::PATCH: return "PATCH";
    case v2::OPTIONS: return "OPTIONS";
    default: return "POST";
  }
}

v2::HttpMethod method_of(const std::string& m) {
  v2::HttpMethod out = v2::POST;
  v2::HttpMethod_Parse(m, &out);
  return out;
}

void to_proto(const Attempt& a, v2::Attempt* out) {
  to_ts(a.schedule_time, out->mutable_schedule_time());
  to_ts(a.dispatch_time, out->mutable_dispatch_time());
  if (a.response_time) to_ts(*a.response_time, out->mutable_response_time());
  if (!a.response_time && a.error.empty()) return;  // still in flight
  core::Code code = a.http_status ? (a.http_status < 300 ? core::Code::kOk : core::code_from_http(a.http_status))
                                  : core::code_from_name(a.error).value_or(core::Code::kUnavailable);
  out->mutable_response_status()->set_code(int(code));
  if (a.http_status >= 300) out->mutable_response_status()->set_message("HTTP status code " + std::to_string(a.http_status));
}

}  // namespace

Queue from_proto(const v2::Queue& in) {
  Queue q;
  q.name = in.name();
  const auto& r = in.rate_limits();
  if (r.max_dispatches_per_second() != 0) q.rate.max_dispatches_per_second = r.max_dispatches_per_second();
  if (r.max_concurrent_dispatches() != 0) q.rate.max_concurrent_dispatches = r.max_concurrent_dispatches();
  q.rate.max_burst_size = limits::kDefaultBurst;
  const auto& t = in.retry_config();
  if (t.max_attempts() != 0) q.retry.max_attempts = t.max_attempts();
  if (t.has_max_retry_duration()) q.retry.max_retry_duration = whole_seconds(from_dur(t.max_retry_duration()));
  if (t.has_min_backoff()) q.retry.min_backoff = whole_seconds(from_dur(t.min_backoff()));
  if (t.has_max_backoff()) q.retry.max_backoff = whole_seconds(from_dur(t.max_backoff()));
  if (t.max_doublings() != 0) q.retry.max_doublings = t.max_doublings();
  q.logging_sampling_ratio = in.stackdriver_logging_config().sampling_ratio();
  return q;
}

void to_proto(const Queue& q, v2::Queue* out) {
  out->set_name(q.name);
  auto* r = out->mutable_rate_limits();
  r->set_max_dispatches_per_second(q.rate.max_dispatches_per_second);
  r->set_max_burst_size(q.rate.max_burst_size);
  r->set_max_concurrent_dispatches(q.rate.max_concurrent_dispatches);
  auto* t = out->mutable_retry_config();
  t->set_max_attempts(q.retry.max_attempts);
  if (q.retry.max_retry_duration.count()) to_dur(q.retry.max_retry_duration, t->mutable_max_retry_duration());
  to_dur(q.retry.min_backoff, t->mutable_min_backoff());
  to_dur(q.retry.max_backoff, t->mutable_max_backoff());
  t->set_max_doublings(q.retry.max_doublings);
  out->set_state(q.state == QueueState::kPaused ? v2::Queue::PAUSED
                 : q.state == QueueState::kDisabled ? v2::Queue::DISABLED : v2::Queue::RUNNING);
  if (q.purge_time) to_ts(*q.purge_time, out->mutable_purge_time());
  if (q.logging_sampling_ratio > 0) out->mutable_stackdriver_logging_config()->set_sampling_ratio(q.logging_sampling_ratio);
}

StatusOr<TaskSpec> from_proto(const v2::Task& in) {
  TaskSpec s;
  if (in.has_app_engine_http_request()) {
    return Status::invalid_argument("App Engine targets are not emulated by gcpsim; use http_request.");
  }
  if (in.has_http_request()) {
    const auto& h = in.http_request();
    s.has_http = true;
    s.http.url = h.url();
    s.http.method = method_name(h.http_method());
    s.http.headers.insert(h.headers().begin(), h.headers().end());
    s.http.body = h.body();
    if (h.has_oidc_token()) {
      s.http.auth = {AuthToken::Kind::kOidc, h.oidc_token().service_account_email(), h.oidc_token().audience(), ""};
    } else if (h.has_oauth_token()) {
      s.http.auth = {AuthToken::Kind::kOAuth, h.oauth_token().service_account_email(), "", h.oauth_token().scope()};
    }
  }
  if (in.has_schedule_time()) s.schedule_time = from_ts(in.schedule_time());
  if (in.has_dispatch_deadline()) {
    s.dispatch_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(from_dur(in.dispatch_deadline()));
  }
  return s;
}

void to_proto(const Task& t, v2::Task::View view, v2::Task* out) {
  bool full = view == v2::Task::FULL;
  out->set_name(t.name);
  auto* h = out->mutable_http_request();
  h->set_url(t.http.url);
  h->set_http_method(method_of(t.http.method));
  for (const auto& [k, v] : t.http.headers) (*h->mutable_headers())[k] = v;
  if (full) h->set_body(t.http.body);
  if (t.http.auth.kind == AuthToken::Kind::kOidc) {
    h->mutable_oidc_token()->set_service_account_email(t.http.auth.email);
    h->mutable_oidc_token()->set_audience(t.http.auth.audience);
  } else if (t.http.auth.kind == AuthToken::Kind::kOAuth) {
    h->mutable_oauth_token()->set_service_account_email(t.http.auth.email);
    h->mutable_oauth_token()->set_scope(t.http.auth.scope);
  }
  to_ts(t.schedule_time, out->mutable_schedule_time());
  to_ts(std::chrono::floor<std::chrono::seconds>(t.create_time), out->mutable_create_time());
  to_dur(t.dispatch_deadline, out->mutable_dispatch_deadline());
  out->set_dispatch_count(t.dispatch_count);
  out->set_response_count(t.response_count);
  if (t.first_attempt) {
    auto* a = out->mutable_first_attempt();
    to_ts(t.first_attempt->dispatch_time, a->mutable_dispatch_time());
  }
  if (t.last_attempt) to_proto(*t.last_attempt, out->mutable_last_attempt());
  out->set_view(full ? v2::Task::FULL : v2::Task::BASIC);
}

}  // namespace gcpsim::services::tasks
