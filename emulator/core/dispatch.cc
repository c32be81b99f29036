// The single call wrapper: fault rules, injected latency on the clock, one api.call event.
#include "core/dispatch.h"

#include <memory>

#include "core/clock.h"
#include "core/env.h"

namespace gcpsim::core {
namespace {

// Shared by every path a call can finish on; the first completion wins.
struct Pending {
  Env& env;
  Call call;
  std::optional<FaultAction> fault;
  Done done;
  bool finished = false;

  void finish(Status status) {
    if (finished) return;
    finished = true;
    Attrs attrs = std::move(call.attrs);
    attrs["method"] = call.method;
    attrs["code"] = std::string(code_name(status.code()));
    if (!call.target.empty()) attrs["target"] = call.target;
    if (fault) attrs["fault"] = std::string(action_kind_name(fault->kind));
    env.events.record("api.call", call.service, std::move(attrs));
    done(std::move(status));
  }
};

// Runs fn now, or after `delay` on the clock when there is one.
void after(Env& env, Duration delay, std::function<void()> fn) {
  if (delay > Duration::zero()) env.clock.schedule_in(delay, std::move(fn));
  else fn();
}

}  // namespace

void dispatch(Env& env, Call call, Body body, Done done) {
  FaultSubject subject{call.boundary, call.service, call.method, call.target};
  auto fault = env.faults.check(subject);
  auto pending = std::make_shared<Pending>(Pending{env, std::move(call), fault, std::move(done)});
  Done finish = [pending](Status s) { pending->finish(std::move(s)); };

  if (!fault) {
    body(finish);
    return;
  }
  using Kind = FaultAction::Kind;
  const bool api = subject.boundary == Boundary::kApi;
  switch (fault->kind) {
    case Kind::kError:
      after(env, fault->delay, [finish, status = Faults::to_status(*fault, subject)] { finish(status); });
      return;
    case Kind::kDelay:
      after(env, fault->delay, [body = std::move(body), finish] { body(finish); });
      return;
    // At the API a lost request or reply is what the client sees as its deadline passing, and
    // a crashed or unreachable backend as UNAVAILABLE; the body never runs. Other boundaries
    // (push, router, process, proxy) act on these kinds in their own layer.
    case Kind::kDrop:
    case Kind::kTimeout:
    case Kind::kCrash:
    case Kind::kOutage:
      if (api) {
        after(env, fault->delay, [finish, status = Faults::to_status(*fault, subject)] { finish(status); });
        return;
      }
      break;
  }
  body(finish);
}

}  // namespace gcpsim::core
