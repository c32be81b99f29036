// The emulator's only clock: virtual (discrete-event) or wall clock plus an offset, with timers.
#include "core/clock.h"

#include <chrono>

namespace gcpsim::core {

Clock::Clock(Mode mode, Time start) : mode_(mode), virtual_now_(start) {}

// The one place in the code base that reads the wall clock.
Time Clock::wall() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

Time Clock::now() const {
  return mode_ == Mode::kVirtual ? virtual_now_ : wall() + real_offset_;
}

Clock::TimerId Clock::schedule(Time at, Callback fn) {
  TimerId id = next_seq_++;
  Key key{at, id};
  timers_.emplace(key, std::move(fn));
  by_id_.emplace(id, key);
  if (timers_.begin()->first == key && wakeup_hook_) wakeup_hook_();
  return id;
}

bool Clock::cancel(TimerId id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  bool was_first = timers_.begin()->first == it->second;
  timers_.erase(it->second);
  by_id_.erase(it);
  if (was_first && wakeup_hook_) wakeup_hook_();
  return true;
}

std::optional<Time> Clock::next_timer() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.first;
}

// Fires the earliest timer if its deadline is <= limit, first bringing now() up to that
// deadline (never backwards: a timer scheduled in the past fires at the present).
bool Clock::fire_next_if_due(Time limit) {
  if (timers_.empty()) return false;
  auto it = timers_.begin();
  Time at = it->first.first;
  if (at > limit) return false;
  if (mode_ == Mode::kVirtual) {
    if (at > virtual_now_) virtual_now_ = at;
  } else {
    Time current = now();
    if (at > current) real_offset_ += at - current;
  }
  // Detach before calling: the callback may schedule or cancel timers freely.
  Callback fn = std::move(it->second);
  by_id_.erase(it->first.second);
  timers_.erase(it);
  fn();
  return true;
}

void Clock::advance(Duration d) {
  if (mode_ == Mode::kReal) {
    real_offset_ += d;
    run_due();
    if (wakeup_hook_) wakeup_hook_();
    return;
  }
  Time target = virtual_now_ + d;
  bool fired = false;
  while (fire_next_if_due(target)) fired = true;
  if (target > virtual_now_) virtual_now_ = target;
  if (fired && wakeup_hook_) wakeup_hook_();
}

void Clock::set(Time t) {
  if (mode_ == Mode::kReal) {
    real_offset_ += t - now();
    run_due();
    if (wakeup_hook_) wakeup_hook_();
    return;
  }
  if (t > virtual_now_) {
    advance(t - virtual_now_);
  } else {
    virtual_now_ = t;
  }
}

size_t Clock::run_due() {
  Time limit = now();
  size_t fired = 0;
  while (fire_next_if_due(limit)) ++fired;
  if (fired && wakeup_hook_) wakeup_hook_();
  return fired;
}

bool Clock::step(Time limit) {
  auto next = next_timer();
  if (!next || *next > limit) return false;
  // Everything due at that instant, including timers its callbacks add for the same instant.
  while (fire_next_if_due(*next)) {}
  if (wakeup_hook_) wakeup_hook_();
  return true;
}

size_t Clock::run_until_idle(Time limit) {
  size_t fired = 0;
  while (fire_next_if_due(limit)) ++fired;
  if (fired && wakeup_hook_) wakeup_hook_();
  return fired;
}

}  // namespace gcpsim::core
