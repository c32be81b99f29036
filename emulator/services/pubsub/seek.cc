// Pub/Sub domain: snapshots and Seek (to a time or to a snapshot).
#include "core/events.h"
#include "services/pubsub/domain.h"
#include "services/pubsub/domain_state.h"
#include "services/pubsub/errors.h"
#include "services/pubsub/names.h"
#include "services/pubsub/persist.h"

namespace gcpsim::services::pubsub {

// A seek rewrites the subscription's stored entries as a whole: it is rare, and touches many.
void Domain::save_entries(SubState& s) {
  if (!persist_) return;
  persist_->clear_entries(s.serial);
  s.entries.for_each([&](const Entry& e) { persist_->add_entry(s.serial, *e.msg, e.state == Entry::State::kAcked); });
}

// Forgets every lease, backoff and queue position; entries keep their messages and states.
void Domain::reset_delivery_state(SubState& s) {
  s.entries.for_each([&](Entry& e) {
    if (e.state == Entry::State::kLeased) end_lease(s, e);
    e.ack_id = nullptr;
    e.owner = 0;
  });
  s.leases.clear();
  s.backoff.clear();
  s.ready.clear();
  s.keys.clear();
  s.ack_ids.clear();
}

// Queues every unacked entry again, in publish order (ordered keys behind their heads).
void Domain::rebuild_queues(SubState& s) {
  s.entries.for_each([&](Entry& e) {
    if (e.state == Entry::State::kAcked) return;
    if (s.config.enable_message_ordering && !e.msg->ordering_key().empty()) {
      e.state = Entry::State::kWaiting;
      s.keys[std::string(e.msg->ordering_key())].pending.push_back(e.seq);
    } else {
      make_ready(s, e);
    }
  });
  std::vector<std::string> keys;
  for (const auto& [key, k] : s.keys) keys.push_back(key);
  for (const auto& key : keys) release_key_head(s, key);
  mark_dirty(s);
}

Status Domain::seek_to_time(const std::string& sub, Time t) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  if (s->detached) return errors::detached();
  Batch batch(*this);
  prune(*s);
  reset_delivery_state(*s);
  s->entries.for_each([&](Entry& e) {
    if (e.msg->publish_time() >= t) {
      e.state = Entry::State::kQueued;
    } else if (s->config.retain_acked_messages) {
      e.state = Entry::State::kAcked;
    } else {
      s->entries.erase(e);
    }
  });
  if (s->topic && s->topic->config.message_retention) {
    Time horizon = clock_.now() - std::min(*s->topic->config.message_retention, s->config.message_retention);
    std::vector<MessagePtr> replay;
    for (const MessagePtr& m : s->topic->history) {
      if (m->publish_time() < t || m->publish_time() <= horizon || !s->filter.matches(m->attributes())) continue;
      replay.push_back(m);
    }
    s->entries.insert(replay);
  }
  rebuild_queues(*s);
  save_entries(*s);
  events_.record("pubsub.seek", "pubsub", {{"subscription", sub}, {"time", core::format_rfc3339(t)}});
  return Status::ok();
}

Status Domain::seek_to_snapshot(const std::string& sub, const std::string& snapshot) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  ASSIGN_OR_RETURN(auto snap_name, parse_name(Kind::kSnapshot, snapshot));
  SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  auto sit = snapshots_.find(snapshot);
  if (sit == snapshots_.end()) return errors::not_found(snap_name.id);
  if (s->detached) return errors::detached();
  SnapshotState& snap = *sit->second;
  if (!s->topic || !snap.topic || snap.topic_serial != s->topic_serial) {
    return errors::snapshot_topic_mismatch(s->config.topic, snap.info.topic);
  }
  Batch batch(*this);
  prune(*s);
  reset_delivery_state(*s);
  s->entries.for_each([&](Entry& e) {
    if (snap.messages.count(e.seq)) {
      e.state = Entry::State::kQueued;
    } else if (s->config.retain_acked_messages) {
      e.state = Entry::State::kAcked;
    } else {
      s->entries.erase(e);
    }
  });
  Time horizon = clock_.now() - s->config.message_retention;
  std::vector<MessagePtr> replay;
  for (const auto& [seq, m] : snap.messages) {
    if (m->publish_time() <= horizon || !s->filter.matches(m->attributes())) continue;
    replay.push_back(m);
  }
  s->entries.insert(replay);
  rebuild_queues(*s);
  save_entries(*s);
  events_.record("pubsub.seek", "pubsub", {{"subscription", sub}, {"snapshot", snapshot}});
  return Status::ok();
}

// ---------------------------------------------------------------- snapshots

StatusOr<Snapshot> Domain::create_snapshot(const std::string& name, const std::string& sub, StringMap labels) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSnapshot, name));
  ASSIGN_OR_RETURN(auto sub_name, parse_name(Kind::kSubscription, sub));
  if (snapshots_.count(name)) return errors::already_exists(parsed.id);
  RETURN_IF_ERROR(check_labels(labels));
  SubState* s = find_sub(sub);
  if (!s) return errors::not_found(sub_name.id);
  if (!s->topic) return errors::snapshot_needs_topic();
  Batch batch(*this);
  prune(*s);
  Time now = clock_.now();
  auto snap = std::make_unique<SnapshotState>();
  s->entries.for_each([&](const Entry& e) {
    if (e.state != Entry::State::kAcked) snap->messages.emplace(e.seq, e.msg);
  });
  // A snapshot lives 7 days minus the age of the oldest unacked message it holds.
  Time expire = now + limits::kSnapshotLifetime;
  if (!snap->messages.empty()) expire = snap->messages.begin()->second->publish_time() + limits::kSnapshotLifetime;
  if (expire - now < limits::kSnapshotMinLifetime) return errors::backlog_too_old();
  snap->info = Snapshot{name, s->topic->name, expire, std::move(labels)};
  snap->topic = s->topic;
  snap->topic_serial = s->topic_serial;
  snap->serial = next_sub_serial_++;
  counters_dirty_ = true;
  if (persist_) {
    persist_->put_snapshot(snap->info, snap->serial, snap->topic_serial);
    for (const auto& [seq, m] : snap->messages) persist_->add_snapshot_message(snap->serial, *m);
  }
  snap->expiry_timer = clock_.schedule(expire, [this, name] { expire_snapshot(name); });
  SnapshotState& ref = *snap;
  snapshots_.emplace(name, std::move(snap));
  ref.topic->snapshots.push_back(&ref);
  return ref.info;
}

StatusOr<Snapshot> Domain::get_snapshot(const std::string& name) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSnapshot, name));
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) return errors::not_found(parsed.id);
  return it->second->info;
}

StatusOr<Snapshot> Domain::update_snapshot(const std::string& name, std::optional<Time> expire_time,
                                           std::optional<StringMap> labels) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSnapshot, name));
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) return errors::not_found(parsed.id);
  SnapshotState& snap = *it->second;
  if (labels) RETURN_IF_ERROR(check_labels(*labels));
  Batch batch(*this);
  if (labels) snap.info.labels = std::move(*labels);
  if (expire_time) {
    if (snap.expiry_timer) clock_.cancel(*snap.expiry_timer);
    snap.info.expire_time = *expire_time;
    snap.expiry_timer = clock_.schedule(*expire_time, [this, name] { expire_snapshot(name); });
  }
  if (persist_) persist_->put_snapshot(snap.info, snap.serial, snap.topic_serial);
  return snap.info;
}

Status Domain::delete_snapshot(const std::string& name) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSnapshot, name));
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) return errors::not_found(parsed.id);
  SnapshotState& snap = *it->second;
  Batch batch(*this);
  if (snap.expiry_timer) clock_.cancel(*snap.expiry_timer);
  if (snap.topic) std::erase(snap.topic->snapshots, &snap);
  if (persist_) persist_->delete_snapshot(name, snap.serial);
  snapshots_.erase(it);
  return Status::ok();
}

void Domain::expire_snapshot(const std::string& name) {
  auto it = snapshots_.find(name);
  if (it == snapshots_.end()) return;
  it->second->expiry_timer.reset();
  events_.record("pubsub.snapshot_expired", "pubsub", {{"snapshot", name}});
  (void)delete_snapshot(name);
}

std::vector<Snapshot> Domain::list_snapshots(const std::string& project, const Page& page, std::string* next) const {
  std::vector<Snapshot> out;
  std::string prefix = "projects/" + project + "/snapshots/";
  int32_t size = page.size <= 0 ? limits::kDefaultPageSize : std::min(page.size, limits::kMaxPageSize);
  auto it = page.token.empty() ? snapshots_.lower_bound(prefix) : snapshots_.upper_bound(page.token);
  if (next) next->clear();
  for (; it != snapshots_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (static_cast<int32_t>(out.size()) == size) {
      if (next) *next = out.back().name;
      break;
    }
    out.push_back(it->second->info);
  }
  return out;
}

}  // namespace gcpsim::services::pubsub
