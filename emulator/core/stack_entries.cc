// The stack file's fault rules (`faults:`), which refer to nothing else in the stack.
#include "core/stack_yaml.h"

namespace gcpsim::core::stackfile {
namespace {

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

}  // namespace

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
        fail(*b, "expected one of api, push, router, process, proxy, lb, stub, got '" + text(*b) + "'");
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
