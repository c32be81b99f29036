// Stack-file entries that refer to nothing else in the stack: task queues, lifecycle rules,
// Gemini rules, calendar events and fault rules. Limits are the real services' own.
#include <regex>

#include "core/stack_yaml.h"

namespace gcpsim::core::stackfile {
namespace {

// Calendar takes a date ("2026-01-05") for all-day events and a timestamp otherwise.
Time event_time(const Field& f, bool& is_date) {
  std::string s = text(f);
  static const std::regex kDate("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  is_date = std::regex_match(s, kDate);
  auto t = parse_rfc3339(is_date ? s + "T00:00:00Z" : s);
  if (!t) {
    fail(f, "expected a date like '2026-01-05' or a timestamp like '2026-01-05T09:00:00Z', got '" + s + "'");
  }
  return *t;
}

FaultAction read_fault_action(const Field& f) {
  Map m(f, {"kind", "error", "http_status", "message", "delay", "retry_delay", "bandwidth"});
  FaultAction a;
  if (auto k = m.get("kind")) {
    auto kind = action_kind_from_name(text(*k));
    if (!kind) fail(*k, "expected one of error, delay, drop, timeout, crash, outage, got '" + text(*k) + "'");
    a.kind = *kind;
  } else if (!m.has("error") && (m.has("delay") || m.has("bandwidth"))) {
    a.kind = FaultAction::Kind::kDelay;
  } else if (!m.has("error")) {
    fail_under(f, "set 'error', 'delay', 'bandwidth' or 'kind'");
  }
  if (auto e = m.get("error")) a.code = error_code(*e);
  if (auto h = m.get("http_status")) a.http_status = small_int(*h, 100, 599);
  if (auto msg = m.get("message")) a.message = text(*msg);
  if (auto d = m.get("delay")) a.delay = duration(*d, 0s, 24h);
  if (auto d = m.get("retry_delay")) a.retry_delay = duration(*d, 0s, 24h);
  if (auto b = m.get("bandwidth")) a.bandwidth_kbps = small_int(*b, 1, 10000000);
  return a;
}

GeminiMatch read_gemini_match(const Field& f) {
  Map m(f, {"model", "prompt", "call"});
  GeminiMatch match;
  if (auto x = m.get("model")) match.model = text(*x);
  if (auto x = m.get("call")) {
    match.call = one_of(*x, {"generateContent", "streamGenerateContent", "countTokens", "embedContent"});
  }
  if (auto x = m.get("prompt")) {
    std::string re = text(*x);
    // std::regex has no inline flags; "(?i)" is how users of other engines ask for them.
    match.prompt_ignore_case = re.rfind("(?i)", 0) == 0;
    match.prompt = match.prompt_ignore_case ? re.substr(4) : re;
    auto flags = std::regex::ECMAScript;
    if (match.prompt_ignore_case) flags |= std::regex::icase;
    try {
      std::regex compiled(match.prompt, flags);
    } catch (const std::regex_error& e) {
      fail(*x, "invalid regular expression '" + re + "': " + e.what());
    }
  }
  return match;
}

}  // namespace

QueueConfig read_queue(const Field& f) {
  Map m(f, {"max_dispatches_per_second", "max_burst_size", "max_concurrent_dispatches", "retry"});
  QueueConfig q;
  if (auto r = m.get("max_dispatches_per_second")) {
    q.max_dispatches_per_second = number(*r, 0, 500);
    if (q.max_dispatches_per_second == 0) fail(*r, "must be greater than 0");
  }
  if (auto b = m.get("max_burst_size")) q.max_burst_size = small_int(*b, 1, 1000000);
  if (auto c = m.get("max_concurrent_dispatches")) q.max_concurrent_dispatches = small_int(*c, 1, 5000);
  if (auto r = m.get("retry")) {
    Map rm(*r, {"max_attempts", "min_backoff", "max_backoff", "max_doublings", "max_retry_duration"});
    constexpr Duration kLongest = 24h * 365 * 100;  // no real bound, only a sane one
    if (auto a = rm.get("max_attempts")) {
      q.retry.max_attempts = small_int(*a, -1, 1000000);
      if (q.retry.max_attempts == 0) fail(*a, "must be -1 (unlimited) or at least 1");
    }
    if (auto b = rm.get("min_backoff")) q.retry.min_backoff = duration(*b, 0s, kLongest);
    if (auto b = rm.get("max_backoff")) q.retry.max_backoff = duration(*b, 0s, kLongest);
    if (q.retry.min_backoff > q.retry.max_backoff) fail_under(*r, "min_backoff must not exceed max_backoff");
    if (auto d = rm.get("max_doublings")) q.retry.max_doublings = small_int(*d, 0, 1000);
    if (auto d = rm.get("max_retry_duration")) q.retry.max_retry_duration = duration(*d, 0s, kLongest);
  }
  return q;
}

LifecycleRule read_lifecycle_rule(const Field& f) {
  Map m(f, {"action", "storage_class", "age_days", "num_newer_versions", "is_live"});
  LifecycleRule r;
  std::string action =
      one_of(m.require("action"), {"Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"});
  r.action = action == "Delete"            ? LifecycleRule::Action::kDelete
             : action == "SetStorageClass" ? LifecycleRule::Action::kSetStorageClass
                                           : LifecycleRule::Action::kAbortIncompleteMultipartUpload;
  if (r.action == LifecycleRule::Action::kSetStorageClass) {
    r.storage_class = one_of(m.require("storage_class"), {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"});
  } else if (auto c = m.get("storage_class")) {
    fail(*c, "applies only to the SetStorageClass action");
  }
  if (auto a = m.get("age_days")) r.age_days = small_int(*a, 0, 1000000);
  if (auto n = m.get("num_newer_versions")) r.num_newer_versions = small_int(*n, 0, 1000000);
  if (auto l = m.get("is_live")) r.is_live = boolean(*l);
  if (!r.age_days && !r.num_newer_versions && !r.is_live) {
    fail_under(f, "a lifecycle rule needs a condition: age_days, num_newer_versions or is_live");
  }
  return r;
}

GeminiRule read_gemini_rule(const Field& f) {
  Map m(f, {"match", "reply"});
  GeminiRule rule;
  if (auto mf = m.get("match")) rule.match = read_gemini_match(*mf);
  Field rf = m.require("reply");
  Map rm(rf, {"text", "json", "error", "message", "delay"});
  if (rm.has("text") + rm.has("json") + rm.has("error") != 1) {
    fail_under(rf, "set exactly one of 'text', 'json' or 'error'");
  }
  GeminiReply& r = rule.reply;
  if (auto t = rm.get("text")) r.text = text(*t);
  if (auto j = rm.get("json")) {
    r.kind = GeminiReply::Kind::kJson;
    r.json = json_text(j->node);
  }
  if (auto e = rm.get("error")) {
    r.kind = GeminiReply::Kind::kError;
    r.code = error_code(*e);
  }
  if (auto msg = rm.get("message")) {
    if (r.kind != GeminiReply::Kind::kError) fail(*msg, "applies only to an 'error' reply");
    r.message = text(*msg);
  }
  if (auto d = rm.get("delay")) r.delay = duration(*d, 0s, 3600s);
  return rule;
}

CalendarEvent read_calendar_event(const Field& f) {
  Map m(f, {"summary", "start", "end", "description", "recurrence"});
  CalendarEvent e;
  if (auto s = m.get("summary")) e.summary = text(*s);
  if (auto d = m.get("description")) e.description = text(*d);
  bool start_is_date = false, end_is_date = false;
  Field end = m.require("end");
  e.start = event_time(m.require("start"), start_is_date);
  e.end = event_time(end, end_is_date);
  if (start_is_date != end_is_date) fail(end, "start and end must both be dates or both be timestamps");
  if (e.end <= e.start) fail(end, "must be after start");
  e.all_day = start_is_date;
  if (auto r = m.get("recurrence")) e.recurrence = strings(*r);
  return e;
}

FaultRule read_fault(const Field& f) {
  Map m(f, {"id", "match", "action", "probability", "count", "after", "from", "until"});
  FaultRule rule;
  if (auto id = m.get("id")) rule.id = text(*id);
  if (auto mf = m.get("match")) {
    Map mm(*mf, {"service", "method", "target", "boundary"});
    if (auto s = mm.get("service")) rule.match.service = text(*s);
    if (auto s = mm.get("method")) rule.match.method = text(*s);
    if (auto s = mm.get("target")) rule.match.target = text(*s);
    if (auto b = mm.get("boundary")) {
      rule.match.boundary = boundary_from_name(text(*b));
      if (!rule.match.boundary) {
        fail(*b, "expected one of api, push, router, process, proxy, got '" + text(*b) + "'");
      }
    }
  }
  rule.action = read_fault_action(m.require("action"));
  if (auto p = m.get("probability")) rule.probability = number(*p, 0, 1);
  if (auto c = m.get("count")) rule.count = integer(*c, 1, INT64_MAX);
  if (auto a = m.get("after")) rule.after = integer(*a, 0, INT64_MAX);
  if (auto t = m.get("from")) rule.from = timestamp(*t);
  if (auto t = m.get("until")) {
    rule.until = timestamp(*t);
    if (rule.from && *rule.until <= *rule.from) fail(*t, "must be after from");
  }
  return rule;
}

}  // namespace gcpsim::core::stackfile
