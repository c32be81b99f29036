// Pub/Sub domain: rebuilding the state from the store when the service starts over a data
// directory. Unacked messages are queued again (in publish order, ordered keys behind their
// heads); leases and backoff did not survive the process, as they do not survive a crash of
// the real service.
#include <algorithm>

#include "core/events.h"
#include "services/pubsub/domain.h"
#include "services/pubsub/domain_state.h"
#include "services/pubsub/persist.h"

namespace gcpsim::services::pubsub {

Status Domain::persist_to(core::Store& store) {
  ASSIGN_OR_RETURN(auto persist, Persist::open(store));
  ASSIGN_OR_RETURN(auto state, persist->load());
  Batch batch(*this);
  uint64_t serials = state.next_serial;
  for (auto& row : state.topics) {
    auto t = std::make_unique<TopicState>();
    t->name = row.name;
    t->config = std::move(row.config);
    t->serial = row.serial;
    t->history.assign(row.history.begin(), row.history.end());
    for (const MessagePtr& m : t->history) state.last_number = std::max(state.last_number, m->number());
    serials = std::max(serials, row.serial + 1);
    topics_[row.name] = std::move(t);
  }
  auto topic_of = [this](const std::string& name, uint64_t serial) -> TopicState* {
    auto it = topics_.find(name);
    return it != topics_.end() && it->second->serial == serial ? it->second.get() : nullptr;
  };
  for (auto& row : state.subs) {
    auto parsed = Filter::parse(row.config.filter);
    if (!parsed.ok()) return parsed.status();
    auto owned = new_sub(row.name);
    SubState& s = *owned;
    s.filter = *parsed;
    s.config = std::move(row.config);
    s.detached = row.detached;
    s.serial = row.serial;
    s.topic_serial = row.topic_serial;
    s.topic = s.detached ? nullptr : topic_of(s.config.topic, s.topic_serial);
    s.last_active = clock_.now();  // a restart counts as activity for the expiration policy
    for (auto& e : row.entries) {
      state.last_number = std::max(state.last_number, e.message->number());
      Entry* entry = s.entries.insert(e.message);
      if (entry && e.acked) entry->state = Entry::State::kAcked;
    }
    serials = std::max(serials, row.serial + 1);
    subs_[row.name] = std::move(owned);
    if (s.topic) s.topic->subs.push_back(&s);
    rebuild_queues(s);
    arm_expiration(s);
  }
  for (auto& row : state.snapshots) {
    auto snap = std::make_unique<SnapshotState>();
    snap->info = std::move(row.info);
    snap->serial = row.serial;
    snap->topic_serial = row.topic_serial;
    snap->topic = topic_of(snap->info.topic, snap->topic_serial);
    for (MessagePtr& m : row.messages) {
      state.last_number = std::max(state.last_number, m->number());
      snap->messages.emplace(m->number(), std::move(m));
    }
    std::string name = snap->info.name;
    snap->expiry_timer = clock_.schedule(std::max(snap->info.expire_time, clock_.now()),
                                         [this, name] { expire_snapshot(name); });
    serials = std::max(serials, row.serial + 1);
    if (snap->topic) snap->topic->snapshots.push_back(snap.get());
    snapshots_[name] = std::move(snap);
  }
  next_sub_serial_ = std::max(next_sub_serial_, serials);
  number_base_ = state.last_number;
  last_number_ = state.last_number;
  reserved_number_ = state.last_number;
  persist_ = std::move(persist);
  return Status::ok();
}

std::vector<std::string> Domain::subscription_names() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : subs_) out.push_back(name);
  return out;
}

}  // namespace gcpsim::services::pubsub
