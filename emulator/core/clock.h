// The only source of time. Virtual mode moves only when told (advance/set/step);
// real mode follows the wall clock plus an offset. Timers fire in (time, insertion) order.
// Not thread-safe: owned by the engine thread.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "core/time.h"

namespace gcpsim::core {

class Clock {
 public:
  enum class Mode { kReal, kVirtual };
  using TimerId = uint64_t;
  using Callback = std::function<void()>;

  // Virtual clocks start at `start`; real clocks ignore it.
  explicit Clock(Mode mode, Time start = Time{});

  Mode mode() const { return mode_; }
  Time now() const;

  // Runs fn on the engine when the clock reaches `at` (immediately due if `at` <= now,
  // but never re-entrantly: it fires on the next run_due/advance/step).
  TimerId schedule(Time at, Callback fn);
  TimerId schedule_in(Duration d, Callback fn) { return schedule(now() + d, std::move(fn)); }
  // False when the timer already fired or was cancelled.
  bool cancel(TimerId id);
  std::optional<Time> next_timer() const;
  size_t pending() const { return timers_.size(); }

  // Moves time forward by d, firing every timer due on the way, each with now() equal
  // to its own deadline. Timers scheduled by callbacks within the span fire too.
  void advance(Duration d);
  // Jumps to t (forward: fires timers like advance; backward: only moves now()).
  void set(Time t);
  // Fires every timer due at now(). Real mode's driver calls this; returns how many fired.
  size_t run_due();
  // Discrete-event step: if the next timer is due at or before `limit`, jumps to it and
  // fires it (and any others at the same instant). False when there is none.
  bool step(Time limit);
  // Steps until no timer is left at or before `limit`; returns how many fired.
  size_t run_until_idle(Time limit);

  // Called whenever the earliest deadline may have changed (the real-mode driver re-arms).
  void on_wakeup_change(std::function<void()> hook) { wakeup_hook_ = std::move(hook); }

 private:
  using Key = std::pair<Time, uint64_t>;  // (deadline, insertion sequence)
  bool fire_next_if_due(Time limit);
  Time wall() const;

  Mode mode_;
  Time virtual_now_;
  Duration real_offset_{0};
  uint64_t next_seq_ = 1;
  std::map<Key, Callback> timers_;
  std::map<TimerId, Key> by_id_;
  std::function<void()> wakeup_hook_;
};

}  // namespace gcpsim::core
