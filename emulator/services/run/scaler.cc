// The Run autoscaler: packs requests onto the lowest-numbered ready instance with a free
// slot, queues the rest (FIFO, 429 after the pending timeout), starts instances while the
// queue outgrows what starting instances will absorb, and stops idle ones on the clock.
#include "services/run/scaler.h"

#include <algorithm>
#include <vector>

#include "proc/restart.h"

namespace gcpsim::services::run {

const char* instance_state_name(InstanceState s) {
  switch (s) {
    case InstanceState::kStarting: return "STARTING";
    case InstanceState::kReady: return "READY";
    case InstanceState::kDraining: return "DRAINING";
  }
  return "UNKNOWN";
}

Scaler::Scaler(core::Clock& clock, ScalerConfig config, ScalerHooks hooks)
    : clock_(clock), config_(config), hooks_(std::move(hooks)) {
  config_.concurrency = std::max(1, config_.concurrency);
  config_.max_instances = std::max(1, config_.max_instances);
}

Scaler::~Scaler() {
  for (auto& [id, inst] : instances_)
    if (inst.idle_timer) clock_.cancel(*inst.idle_timer);
  if (backoff_timer_) clock_.cancel(*backoff_timer_);
  if (pending_timer_) clock_.cancel(*pending_timer_);
}

const Scaler::Instance* Scaler::instance(uint64_t id) const {
  auto it = instances_.find(id);
  return it == instances_.end() ? nullptr : &it->second;
}

int Scaler::live() const {
  int n = 0;
  for (const auto& [id, inst] : instances_) n += inst.state != InstanceState::kDraining;
  return n;
}

void Scaler::start() { scale(); }

void Scaler::submit(uint64_t ticket) {
  if (queue_.empty()) {
    if (auto id = pick()) return grant(ticket, *id);
  }
  queue_.push_back({ticket, clock_.now() + config_.pending_timeout});
  arm_pending();
  scale();
}

bool Scaler::withdraw(uint64_t ticket) {
  auto it = std::find_if(queue_.begin(), queue_.end(), [ticket](const Waiting& w) { return w.ticket == ticket; });
  if (it == queue_.end()) return false;
  queue_.erase(it);
  return true;
}

void Scaler::release(uint64_t instance) {
  auto it = instances_.find(instance);
  if (it == instances_.end()) return;
  Instance& inst = it->second;
  if (inst.in_flight > 0) --inst.in_flight;
  if (!queue_.empty()) serve_queue();
  if (inst.in_flight == 0 && inst.state == InstanceState::kReady) went_idle(instance, inst);
}

void Scaler::ready(uint64_t instance) {
  auto it = instances_.find(instance);
  if (it == instances_.end() || it->second.state != InstanceState::kStarting) return;
  it->second.state = InstanceState::kReady;
  crash_streak_ = 0;
  scale();
  it = instances_.find(instance);
  if (it != instances_.end() && it->second.in_flight == 0 && it->second.state == InstanceState::kReady)
    went_idle(instance, it->second);
}

void Scaler::exited(uint64_t instance, bool crashed) {
  auto it = instances_.find(instance);
  if (it == instances_.end()) return;
  if (it->second.idle_timer) clock_.cancel(*it->second.idle_timer);
  bool draining = it->second.state == InstanceState::kDraining;
  instances_.erase(it);
  if (crashed && !draining) {
    ++crash_streak_;
    if (crash_streak_ >= 2) backoff_until_ = clock_.now() + proc::restart_backoff(crash_streak_);
  }
  scale();
}

void Scaler::replace_all() {
  std::vector<uint64_t> ids;
  for (auto& [id, inst] : instances_) {
    if (inst.state == InstanceState::kDraining) continue;
    inst.state = InstanceState::kDraining;
    if (inst.idle_timer) clock_.cancel(*inst.idle_timer);
    inst.idle_timer.reset();
    ids.push_back(id);
  }
  for (auto id : ids) hooks_.stop(id);
  scale();
}

std::optional<uint64_t> Scaler::pick() const {
  for (const auto& [id, inst] : instances_)
    if (inst.state == InstanceState::kReady && inst.in_flight < config_.concurrency) return id;
  return std::nullopt;
}

void Scaler::grant(uint64_t ticket, uint64_t instance) {
  Instance& inst = instances_.at(instance);
  ++inst.in_flight;
  ++inst.served;
  hooks_.grant(ticket, instance);
}

void Scaler::serve_queue() {
  while (!queue_.empty()) {
    auto id = pick();
    if (!id) return;
    uint64_t ticket = queue_.front().ticket;
    queue_.pop_front();
    grant(ticket, *id);
  }
}

bool Scaler::backing_off() const { return crash_streak_ >= 2 && clock_.now() < backoff_until_; }

// Serves what it can, keeps min instances, and starts instances while the queue is longer
// than what the starting ones will take. Hooks may call back (a start that fails at once).
void Scaler::scale() {
  if (scaling_) {
    rescale_ = true;
    return;
  }
  scaling_ = true;
  do {
    rescale_ = false;
    serve_queue();
    while (live() < config_.min_instances && !backing_off()) start_one();
    int64_t starting = 0;
    for (const auto& [id, inst] : instances_) starting += inst.state == InstanceState::kStarting;
    int64_t supply = starting * config_.concurrency;
    while (static_cast<int64_t>(queue_.size()) > supply && live() < config_.max_instances && !backing_off()) {
      start_one();
      supply += config_.concurrency;
    }
  } while (rescale_);
  scaling_ = false;
  if (backing_off() && !backoff_timer_) {
    backoff_timer_ = clock_.schedule(backoff_until_, [this] {
      backoff_timer_.reset();
      scale();
    });
  }
}

void Scaler::start_one() {
  uint64_t id = next_instance_++;
  instances_.emplace(id, Instance{});
  hooks_.start(id);
}

void Scaler::went_idle(uint64_t id, Instance& inst) {
  inst.idle_since = clock_.now();
  if (!inst.idle_timer) inst.idle_timer = clock_.schedule(inst.idle_since + config_.idle_timeout, [this, id] { idle_check(id); });
}

// Lazy: one timer per instance, re-armed only when the instance stayed busy or kept warm.
void Scaler::idle_check(uint64_t id) {
  auto it = instances_.find(id);
  if (it == instances_.end()) return;
  Instance& inst = it->second;
  inst.idle_timer.reset();
  if (inst.state != InstanceState::kReady || inst.in_flight > 0) return;
  core::Time due = inst.idle_since + config_.idle_timeout;
  if (clock_.now() < due) {
    inst.idle_timer = clock_.schedule(due, [this, id] { idle_check(id); });
    return;
  }
  if (live() <= config_.min_instances) {
    inst.idle_timer = clock_.schedule_in(config_.idle_timeout, [this, id] { idle_check(id); });
    return;
  }
  inst.state = InstanceState::kDraining;
  hooks_.stop(id);
}

void Scaler::arm_pending() {
  if (pending_timer_ || queue_.empty()) return;
  pending_timer_ = clock_.schedule(queue_.front().deadline, [this] { expire_pending(); });
}

void Scaler::expire_pending() {
  pending_timer_.reset();
  auto now = clock_.now();
  while (!queue_.empty() && queue_.front().deadline <= now) {
    uint64_t ticket = queue_.front().ticket;
    queue_.pop_front();
    hooks_.reject(ticket);
  }
  arm_pending();
}

}  // namespace gcpsim::services::run
