// The fault rule table consulted at every boundary (API call, push delivery, routed
// request, process, TCP proxy). Probabilities draw from the seeded "faults" stream, so a
// seed replays the same failures.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace gcpsim::core {

class Clock;
class Ids;

enum class Boundary { kApi, kPush, kRouter, kProcess, kProxy, kLb, kStub };
const char* boundary_name(Boundary b);                        // "api", "push", …
std::optional<Boundary> boundary_from_name(std::string_view n);

// What a call looks like to the rule table.
struct FaultSubject {
  Boundary boundary = Boundary::kApi;
  std::string service{};  // "pubsub", "gemini", a Run service name, "redis"
  std::string method{};   // "pubsub.Publish", "run.request", …
  std::string target{};   // resource name, route path, URL
};

// Empty fields match anything. `service`, `method` and `target` accept a trailing '*'
// wildcard. (Members carry initializers so partial designated initializers compile cleanly
// under -Wextra's missing-field-initializers.)
struct FaultMatch {
  std::optional<Boundary> boundary{};
  std::string service{}, method{}, target{};
};

struct FaultAction {
  enum class Kind { kError, kDelay, kDrop, kTimeout, kCrash, kOutage };
  Kind kind = Kind::kError;
  Code code = Code::kUnavailable;   // kError: the canonical code
  int http_status = 0;              // kError on HTTP boundaries: overrides http_status(code)
  std::string message{};            // kError: defaults to a generic message for the code
  Duration delay{};                 // kDelay: added latency (also used with kError)
  Duration retry_delay{};           // kError with RESOURCE_EXHAUSTED: RetryInfo to attach
  int64_t bandwidth_kbps = 0;       // kDelay on the TCP proxy: KB/s each way (0: unlimited)
};
const char* action_kind_name(FaultAction::Kind k);
std::optional<FaultAction::Kind> action_kind_from_name(std::string_view n);

struct FaultRule {
  std::string id{};                   // assigned by add() when empty: "fault-1", …
  FaultMatch match{};
  FaultAction action{};
  double probability = 1.0;           // seeded draw per matching call
  std::optional<int64_t> count{};     // fire at most this many times
  int64_t after = 0;                  // let this many matching calls through first
  std::optional<Time> from{}, until{};  // active window on the clock
  int64_t seen = 0;                   // matching calls so far (state)
  int64_t fired = 0;                  // times the action applied (state)
};

class Faults {
 public:
  Faults(Clock& clock, Ids& ids);
  std::string add(FaultRule rule);
  bool remove(const std::string& id);
  void clear();
  const std::vector<FaultRule>& rules() const { return rules_; }
  // Called after every add, remove and clear (the TCP proxy re-arms its fast path).
  void set_observer(std::function<void()> fn) { observer_ = std::move(fn); }
  // Whether some rule could ever fire at this boundary for this service (ignores method,
  // target, windows and counters): the TCP proxy's fast path.
  bool may_fire(Boundary boundary, const std::string& service) const;
  // The first active rule that matches and wins its draw; updates counters.
  std::optional<FaultAction> check(const FaultSubject& subject);
  // The Status an error action produces for a subject (message filled in when empty).
  static Status to_status(const FaultAction& a, const FaultSubject& s);

 private:
  Clock& clock_;
  Ids& ids_;
  uint64_t next_id_ = 1;
  std::vector<FaultRule> rules_;
  std::function<void()> observer_;
  void changed() { if (observer_) observer_(); }
};

}  // namespace gcpsim::core
