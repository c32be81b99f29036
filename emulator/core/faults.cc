// The fault rule table: matching, counters, time windows, seeded probabilities, name tables.
#include "core/faults.h"

#include <algorithm>

#include "core/clock.h"
#include "core/ids.h"

namespace gcpsim::core {
namespace {

constexpr std::pair<Boundary, const char*> kBoundaries[] = {
    {Boundary::kApi, "api"},       {Boundary::kPush, "push"},   {Boundary::kRouter, "router"},
    {Boundary::kProcess, "process"}, {Boundary::kProxy, "proxy"}, {Boundary::kLb, "lb"},
    {Boundary::kStub, "stub"},
};

constexpr std::pair<FaultAction::Kind, const char*> kActionKinds[] = {
    {FaultAction::Kind::kError, "error"},     {FaultAction::Kind::kDelay, "delay"},
    {FaultAction::Kind::kDrop, "drop"},       {FaultAction::Kind::kTimeout, "timeout"},
    {FaultAction::Kind::kCrash, "crash"},     {FaultAction::Kind::kOutage, "outage"},
};

// Empty matches anything; a trailing '*' matches any value with that prefix.
bool field_matches(const std::string& pattern, const std::string& value) {
  if (pattern.empty()) return true;
  if (pattern.back() == '*') return value.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == value;
}

bool matches(const FaultMatch& m, const FaultSubject& s) {
  return (!m.boundary || *m.boundary == s.boundary) && field_matches(m.service, s.service) &&
         field_matches(m.method, s.method) && field_matches(m.target, s.target);
}

// The messages Google's front ends give when a service has nothing more specific to say.
const char* generic_message(Code c) {
  switch (c) {
    case Code::kCancelled: return "The operation was cancelled.";
    case Code::kInvalidArgument: return "Request contains an invalid argument.";
    case Code::kDeadlineExceeded: return "Deadline exceeded.";
    case Code::kNotFound: return "Requested entity was not found.";
    case Code::kAlreadyExists: return "Requested entity already exists.";
    case Code::kPermissionDenied: return "The caller does not have permission.";
    case Code::kResourceExhausted: return "Resource has been exhausted (e.g. check quota).";
    case Code::kFailedPrecondition: return "Precondition check failed.";
    case Code::kAborted: return "The operation was aborted.";
    case Code::kOutOfRange: return "Out of range.";
    case Code::kUnimplemented: return "Operation is not implemented, or supported, or enabled.";
    case Code::kInternal: return "Internal error encountered.";
    case Code::kUnavailable: return "The service is currently unavailable.";
    case Code::kDataLoss: return "Unrecoverable data loss or corruption.";
    case Code::kUnauthenticated: return "Request had invalid authentication credentials.";
    case Code::kOk:
    case Code::kUnknown: break;
  }
  return "Unknown error.";
}

// The canonical code a caller sees for each action kind.
Code action_code(const FaultAction& a) {
  switch (a.kind) {
    case FaultAction::Kind::kError: return a.code;
    case FaultAction::Kind::kDelay: return Code::kOk;
    case FaultAction::Kind::kDrop:
    case FaultAction::Kind::kTimeout: return Code::kDeadlineExceeded;
    case FaultAction::Kind::kCrash:
    case FaultAction::Kind::kOutage: return Code::kUnavailable;
  }
  return Code::kUnknown;
}

}  // namespace

const char* boundary_name(Boundary b) {
  for (const auto& [value, name] : kBoundaries) {
    if (value == b) return name;
  }
  return "api";
}

std::optional<Boundary> boundary_from_name(std::string_view n) {
  for (const auto& [value, name] : kBoundaries) {
    if (n == name) return value;
  }
  return std::nullopt;
}

const char* action_kind_name(FaultAction::Kind k) {
  for (const auto& [value, name] : kActionKinds) {
    if (value == k) return name;
  }
  return "error";
}

std::optional<FaultAction::Kind> action_kind_from_name(std::string_view n) {
  for (const auto& [value, name] : kActionKinds) {
    if (n == name) return value;
  }
  return std::nullopt;
}

Faults::Faults(Clock& clock, Ids& ids) : clock_(clock), ids_(ids) {}

// A rule whose id is already present replaces it, so re-sending a rule is idempotent.
std::string Faults::add(FaultRule rule) {
  if (rule.id.empty()) rule.id = "fault-" + std::to_string(next_id_++);
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const FaultRule& r) { return r.id == rule.id; });
  std::string id = rule.id;
  if (it != rules_.end()) *it = std::move(rule);
  else rules_.push_back(std::move(rule));
  changed();
  return id;
}

bool Faults::remove(const std::string& id) {
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const FaultRule& r) { return r.id == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  changed();
  return true;
}

void Faults::clear() {
  rules_.clear();
  changed();
}

bool Faults::may_fire(Boundary boundary, const std::string& service) const {
  return std::any_of(rules_.begin(), rules_.end(), [&](const FaultRule& r) {
    return (!r.match.boundary || *r.match.boundary == boundary) && field_matches(r.match.service, service) &&
           (!r.count || r.fired < *r.count);
  });
}

std::optional<FaultAction> Faults::check(const FaultSubject& subject) {
  const Time now = clock_.now();
  for (auto& rule : rules_) {
    if (!matches(rule.match, subject)) continue;
    if ((rule.from && now < *rule.from) || (rule.until && now >= *rule.until)) continue;
    ++rule.seen;
    if (rule.seen <= rule.after) continue;
    if (rule.count && rule.fired >= *rule.count) continue;
    // Draw only for uncertain rules that got this far: adding a certain rule, or calls
    // other rules see, must not shift the sequence a seed replays.
    if (rule.probability <= 0.0) continue;
    if (rule.probability < 1.0 && ids_.rng("faults").uniform() >= rule.probability) continue;
    ++rule.fired;
    return rule.action;
  }
  return std::nullopt;
}

Status Faults::to_status(const FaultAction& a, const FaultSubject&) {
  Code code = action_code(a);
  if (code == Code::kOk) return Status::ok();
  Status s(code, a.message.empty() ? generic_message(code) : a.message);
  if (a.retry_delay > Duration::zero()) s.with(RetryInfo{a.retry_delay});
  return s;
}

}  // namespace gcpsim::core
