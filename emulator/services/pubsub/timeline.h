// A set of (deadline, key) pairs behind one clock timer armed at the earliest deadline:
// lease expiries and backoff releases of a subscription without one clock timer each.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <utility>

#include "core/clock.h"

namespace gcpsim::services::pubsub {

class Timeline {
 public:
  using Fire = std::function<void(uint64_t key)>;
  Timeline(core::Clock& clock, Fire fire) : clock_(clock), fire_(std::move(fire)) {}
  ~Timeline() { disarm(); }
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  void add(core::Time at, uint64_t key) {
    items_.emplace(at, key);
    if (!firing_) rearm();
  }
  void remove(core::Time at, uint64_t key) {
    items_.erase({at, key});
    if (!firing_) rearm();
  }
  void clear() {
    items_.clear();
    disarm();
  }
  size_t size() const { return items_.size(); }

 private:
  void disarm() {
    if (timer_) clock_.cancel(*timer_);
    timer_.reset();
  }
  void rearm() {
    if (items_.empty()) {
      disarm();
      return;
    }
    core::Time first = items_.begin()->first;
    if (timer_ && armed_at_ == first) return;
    disarm();
    armed_at_ = first;
    timer_ = clock_.schedule(first, [this] { on_timer(); });
  }
  void on_timer() {
    timer_.reset();
    firing_ = true;
    core::Time now = clock_.now();
    while (!items_.empty() && items_.begin()->first <= now) {
      uint64_t key = items_.begin()->second;
      items_.erase(items_.begin());
      fire_(key);
    }
    firing_ = false;
    rearm();
  }

  core::Clock& clock_;
  Fire fire_;
  std::set<std::pair<core::Time, uint64_t>> items_;
  std::optional<core::Clock::TimerId> timer_;
  core::Time armed_at_{};
  bool firing_ = false;
};

}  // namespace gcpsim::services::pubsub
