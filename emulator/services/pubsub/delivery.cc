// Pub/Sub domain: leasing, acks, nacks, expiry, retry backoff, dead letters, ordering
// keys and flow-controlled dispatch to consumers.
#include <algorithm>

#include "core/events.h"
#include "core/ids.h"
#include "core/memory.h"
#include "services/pubsub/domain.h"
#include "services/pubsub/domain_state.h"
#include "services/pubsub/errors.h"
#include "services/pubsub/names.h"
#include "services/pubsub/persist.h"

namespace gcpsim::services::pubsub {
namespace {

bool well_formed_ack_id(const std::string& id) {
  if (id.size() != (limits::kAckIdBytes * 4 + 2) / 3) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Exponential backoff: min doubling per failed delivery, capped at max.
Duration backoff_for(const RetryPolicy& p, int attempts) {
  Duration d = p.minimum_backoff;
  for (int i = 1; i < attempts && d < p.maximum_backoff; ++i) d *= 2;
  return std::min(d, p.maximum_backoff);
}

}  // namespace

void Domain::mark_dirty(SubState& s) {
  if (s.dirty) return;
  s.dirty = true;
  dirty_.push_back(s.name);
}

void Domain::make_ready(SubState& s, Entry& e) {
  e.state = Entry::State::kQueued;
  s.ready.push_back(e.seq);
  mark_dirty(s);
}

// Puts the key's next message in the ready queue when nothing of the key is outstanding.
void Domain::release_key_head(SubState& s, const std::string& key) {
  auto it = s.keys.find(key);
  if (it == s.keys.end()) return;
  KeyState& k = it->second;
  if (!k.leased.empty() || k.head_queued || k.head_backoff) return;
  if (k.pending.empty()) {
    s.keys.erase(it);
    return;
  }
  Entry& head = s.entries.at(k.pending.front());
  k.head_queued = true;
  make_ready(s, head);
}

Delivery Domain::lease(SubState& s, Entry& e, Duration lease_for, ConsumerId owner) {
  s.forget_ack_id(e);
  e.ack_id = &s.ack_ids.emplace(ids_.token("pubsub.ack_id", limits::kAckIdBytes), e.seq).first->first;
  ++e.attempts;
  e.state = Entry::State::kLeased;
  e.deadline = clock_.now() + lease_for;
  e.owner = owner;
  s.leases.add(e.deadline, e.seq);
  if (owner) {
    auto c = consumers_.find(owner);
    if (c != consumers_.end()) {
      ++c->second->outstanding;
      c->second->bytes += static_cast<int64_t>(e.msg->size());
    }
  }
  if (s.config.enable_message_ordering && !e.msg->ordering_key().empty()) {
    s.keys[std::string(e.msg->ordering_key())].leased.insert(e.seq);
  }
  return Delivery{e.msg, *e.ack_id, s.config.dead_letter ? e.attempts : 0};
}

// Ends the current lease (the ack id stays resolvable for late acks until redelivery).
void Domain::end_lease(SubState& s, Entry& e) {
  s.leases.remove(e.deadline, e.seq);
  if (e.owner) {
    auto c = consumers_.find(e.owner);
    if (c != consumers_.end()) {
      --c->second->outstanding;
      c->second->bytes -= static_cast<int64_t>(e.msg->size());
    }
    e.owner = 0;
  }
  if (s.config.enable_message_ordering && !e.msg->ordering_key().empty()) {
    auto k = s.keys.find(std::string(e.msg->ordering_key()));
    if (k != s.keys.end()) k->second.leased.erase(e.seq);
  }
  mark_dirty(s);
}

std::vector<Delivery> Domain::take(SubState& s, int64_t max_messages, int64_t max_bytes, Duration lease_for,
                                   ConsumerId owner) {
  std::vector<Delivery> out;
  int64_t bytes = 0;
  auto room = [&](const Entry& e) {
    if (static_cast<int64_t>(out.size()) >= max_messages) return false;
    return max_bytes <= 0 || out.empty() || bytes + static_cast<int64_t>(e.msg->size()) <= max_bytes;
  };
  while (!s.ready.empty() && static_cast<int64_t>(out.size()) < max_messages) {
    Entry* found = s.entries.find(s.ready.front());
    if (!found || found->state != Entry::State::kQueued) {
      s.ready.pop_front();
      continue;
    }
    Entry& e = *found;
    if (!room(e)) break;
    s.ready.pop_front();
    bytes += static_cast<int64_t>(e.msg->size());
    if (!s.config.enable_message_ordering || e.msg->ordering_key().empty()) {
      out.push_back(lease(s, e, lease_for, owner));
      continue;
    }
    // An ordered key's head, followed by as many of its next messages as fit.
    KeyState& k = s.keys.at(std::string(e.msg->ordering_key()));
    k.head_queued = false;
    k.pending.pop_front();
    out.push_back(lease(s, e, lease_for, owner));
    while (!k.pending.empty()) {
      Entry& next = s.entries.at(k.pending.front());
      if (!room(next)) break;
      bytes += static_cast<int64_t>(next.msg->size());
      k.pending.pop_front();
      out.push_back(lease(s, next, lease_for, owner));
    }
  }
  return out;
}

// Acked: gone, or kept until retention when the subscription retains acked messages.
void Domain::settle(SubState& s, Entry& e) {
  if (e.state == Entry::State::kLeased) end_lease(s, e);
  if (e.state == Entry::State::kBackoff) s.backoff.remove(e.deadline, e.seq);
  s.forget_ack_id(e);
  std::string key = s.config.enable_message_ordering ? std::string(e.msg->ordering_key()) : std::string();
  if (s.config.retain_acked_messages) {
    e.state = Entry::State::kAcked;
    if (persist_) persist_->set_acked(s.serial, e.seq);
  } else {
    if (persist_) persist_->drop_entry(s.serial, e.seq);
    // The last holder of a message gives its memory back (other subscriptions may share it).
    if (e.msg.unique()) core::released(e.msg->size());
    s.entries.erase(e);
  }
  if (!key.empty()) release_key_head(s, key);
}

void Domain::retry_later(SubState& s, Entry& e) {
  std::optional<RetryPolicy> policy = s.config.retry;
  if (!policy && s.config.push) policy = RetryPolicy{};  // push subscriptions back off by default
  if (!policy || backoff_for(*policy, e.attempts) <= Duration::zero()) {
    make_ready(s, e);
    return;
  }
  e.state = Entry::State::kBackoff;
  e.deadline = clock_.now() + backoff_for(*policy, e.attempts);
  s.backoff.add(e.deadline, e.seq);
}

// A nack or an expired lease: dead-letter, or redeliver (after backoff). For an ordered key,
// every later outstanding message of the key is redelivered after it, in order.
void Domain::fail_delivery(SubState& s, Entry& e) {
  end_lease(s, e);
  if (s.config.dead_letter && e.attempts >= s.config.dead_letter->max_delivery_attempts && dead_letter(s, e)) return;
  if (!s.config.enable_message_ordering || e.msg->ordering_key().empty()) {
    retry_later(s, e);
    return;
  }
  const std::string key(e.msg->ordering_key());
  KeyState& k = s.keys[key];
  std::vector<uint64_t> later(k.leased.upper_bound(e.seq), k.leased.end());
  for (uint64_t seq : later) {
    Entry& l = s.entries.at(seq);
    end_lease(s, l);
    l.state = Entry::State::kWaiting;
  }
  for (auto it = later.rbegin(); it != later.rend(); ++it) k.pending.push_front(*it);
  k.pending.push_front(e.seq);
  e.state = Entry::State::kWaiting;
  std::optional<RetryPolicy> policy = s.config.retry;
  if (!policy && s.config.push) policy = RetryPolicy{};
  if (policy && backoff_for(*policy, e.attempts) > Duration::zero()) {
    k.head_backoff = true;
    e.state = Entry::State::kBackoff;
    e.deadline = clock_.now() + backoff_for(*policy, e.attempts);
    s.backoff.add(e.deadline, e.seq);
    return;
  }
  release_key_head(s, key);
}

// Forwards to the dead-letter topic with the real service's source attributes and acks the
// original. False when the dead-letter topic no longer exists (the message stays).
bool Domain::dead_letter(SubState& s, Entry& e) {
  auto t = topics_.find(s.config.dead_letter->topic);
  if (t == topics_.end()) return false;
  auto sub_name = parse_name(Kind::kSubscription, s.name);
  MessageSpec copy{std::string(e.msg->data()), e.msg->attributes().to_map(), std::string(e.msg->ordering_key())};
  copy.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] = std::to_string(e.attempts);
  copy.attributes["CloudPubSubDeadLetterSourceSubscription"] = sub_name.ok() ? sub_name->id : s.name;
  copy.attributes["CloudPubSubDeadLetterSourceSubscriptionProject"] = sub_name.ok() ? sub_name->project : "";
  copy.attributes["CloudPubSubDeadLetterSourceTopicPublishTime"] = core::format_rfc3339(e.msg->publish_time());
  MessagePtr forwarded = stamp(copy.view());
  events_.record("pubsub.dead_lettered", "pubsub",
                 {{"subscription", s.name},
                  {"message_id", e.msg->id()},
                  {"dead_letter_topic", t->first},
                  {"dead_letter_message_id", forwarded->id()},
                  {"attempts", int64_t{e.attempts}}});
  fan_out(*t->second, forwarded);
  settle(s, e);
  return true;
}

void Domain::on_lease_expired(SubState& s, uint64_t seq) {
  Entry* e = s.entries.find(seq);
  if (!e || e->state != Entry::State::kLeased) return;
  events_.record("pubsub.expired", "pubsub", {{"subscription", s.name}, {"message_id", e->msg->id()}});
  fail_delivery(s, *e);
}

void Domain::on_backoff_over(SubState& s, uint64_t seq) {
  Entry* found = s.entries.find(seq);
  if (!found || found->state != Entry::State::kBackoff) return;
  Entry& e = *found;
  if (s.config.enable_message_ordering && !e.msg->ordering_key().empty()) {
    std::string key(e.msg->ordering_key());
    s.keys[key].head_backoff = false;
    e.state = Entry::State::kWaiting;
    release_key_head(s, key);
    return;
  }
  make_ready(s, e);
}

// Drops what is older than the subscription's retention, acked or not.
void Domain::prune(SubState& s) {
  s.entries.compact();
  Time horizon = clock_.now() - s.config.message_retention;
  for (Entry* e = s.entries.front(); e && e->msg->publish_time() <= horizon; e = s.entries.front()) {
    if (e->state == Entry::State::kLeased) end_lease(s, *e);
    if (e->state == Entry::State::kBackoff) s.backoff.remove(e->deadline, e->seq);
    s.forget_ack_id(*e);
    std::string key = s.config.enable_message_ordering ? std::string(e->msg->ordering_key()) : std::string();
    auto k = key.empty() ? s.keys.end() : s.keys.find(key);
    if (k != s.keys.end()) {
      std::erase(k->second.pending, e->seq);
      if (e->state == Entry::State::kQueued) k->second.head_queued = false;
      if (e->state == Entry::State::kBackoff) k->second.head_backoff = false;
    }
    if (persist_) persist_->drop_entry(s.serial, e->seq);
    s.entries.erase(*e);
    if (k != s.keys.end()) release_key_head(s, key);
  }
}

// ---------------------------------------------------------------- pull, ack, modack

StatusOr<std::vector<Delivery>> Domain::pull(const std::string& sub, int max_messages) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  if (s->detached) return errors::detached();
  if (max_messages <= 0) return errors::max_messages_required();
  Batch batch(*this);
  touch(*s);
  prune(*s);
  return take(*s, max_messages, 0, s->config.ack_deadline, 0);
}

StatusOr<AckOutcome> Domain::acknowledge(const std::string& sub, const std::vector<std::string>& ack_ids) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  if (ack_ids.empty()) return errors::no_ack_ids();
  bool eod = s->config.exactly_once;
  if (!eod) {
    for (const auto& id : ack_ids) {
      if (!well_formed_ack_id(id)) return errors::invalid_ack_id(id);
    }
  }
  Batch batch(*this);
  touch(*s);
  AckOutcome out;
  Time now = clock_.now();
  for (const auto& id : ack_ids) {
    auto it = s->ack_ids.find(id);
    Entry* e = it == s->ack_ids.end() ? nullptr : s->entries.find(it->second);
    bool live = e && e->state == Entry::State::kLeased && e->deadline > now;
    // Without exactly-once, an expired ack id still acks until the message is redelivered.
    bool late = !eod && e && !live &&
                (e->state == Entry::State::kQueued || e->state == Entry::State::kBackoff ||
                 e->state == Entry::State::kLeased) &&
                !(s->config.enable_message_ordering && !e->msg->ordering_key().empty());
    if (live || late) {
      settle(*s, *e);
      out.succeeded.push_back(id);
    } else if (eod) {
      out.invalid.push_back(id);
    } else {
      out.succeeded.push_back(id);
    }
  }
  return out;
}

StatusOr<AckOutcome> Domain::modify_ack_deadline(const std::string& sub, const std::vector<std::string>& ack_ids,
                                                 Duration deadline) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  if (ack_ids.empty()) return errors::no_ack_ids();
  if (deadline < Duration::zero() || deadline > limits::kMaxAckDeadline) {
    return errors::out_of_bounds(
        "ack_deadline_seconds", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(deadline).count()), "0",
        "600");
  }
  bool eod = s->config.exactly_once;
  if (!eod) {
    for (const auto& id : ack_ids) {
      if (!well_formed_ack_id(id)) return errors::invalid_ack_id(id);
    }
  }
  Batch batch(*this);
  touch(*s);
  AckOutcome out;
  Time now = clock_.now();
  for (const auto& id : ack_ids) {
    auto it = s->ack_ids.find(id);
    Entry* e = it == s->ack_ids.end() ? nullptr : s->entries.find(it->second);
    if (!e || e->state != Entry::State::kLeased || e->deadline <= now) {
      (eod ? out.invalid : out.succeeded).push_back(id);
      continue;
    }
    out.succeeded.push_back(id);
    if (deadline == Duration::zero()) {
      events_.record("pubsub.nacked", "pubsub", {{"subscription", s->name}, {"message_id", e->msg->id()}});
      fail_delivery(*s, *e);
      continue;
    }
    s->leases.remove(e->deadline, e->seq);
    e->deadline = now + deadline;
    s->leases.add(e->deadline, e->seq);
  }
  return out;
}

// ---------------------------------------------------------------- consumers

StatusOr<Domain::ConsumerId> Domain::attach(const std::string& sub, Consumer* consumer, FlowLimits limits) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  if (s->detached) return errors::detached();
  Batch batch(*this);
  auto c = std::make_unique<ConsumerState>();
  c->id = next_consumer_++;
  c->sub = sub;
  c->consumer = consumer;
  c->limits = limits;
  ConsumerId id = c->id;
  consumers_.emplace(id, std::move(c));
  s->consumers.push_back(id);
  touch(*s);
  mark_dirty(*s);
  return id;
}

void Domain::set_limits(ConsumerId id, FlowLimits limits) {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  Batch batch(*this);
  it->second->limits = limits;
  if (SubState* s = find_sub(it->second->sub)) mark_dirty(*s);
}

void Domain::resume(ConsumerId id) {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  Batch batch(*this);
  if (SubState* s = find_sub(it->second->sub)) mark_dirty(*s);
}

void Domain::detach(ConsumerId id) {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  if (SubState* s = find_sub(it->second->sub)) {
    std::erase(s->consumers, id);
    touch(*s);
  }
  consumers_.erase(it);
}

// Offers ready messages to the subscription's consumers in turns, within their flow limits.
void Domain::dispatch(SubState& s) {
  prune(s);
  if (s.detached || s.consumers.empty()) return;
  std::map<ConsumerId, std::vector<Delivery>> batches;
  bool progress = true;
  while (progress && !s.ready.empty()) {
    progress = false;
    size_t n = s.consumers.size();
    for (size_t i = 0; i < n && !s.ready.empty(); ++i) {
      ConsumerId id = s.consumers[(s.next_consumer + i) % n];
      ConsumerState& c = *consumers_.at(id);
      int64_t room = c.limits.max_messages > 0 ? c.limits.max_messages - c.outstanding : limits::kMaxBatchPerTurn;
      int64_t byte_room = c.limits.max_bytes > 0 ? c.limits.max_bytes - c.bytes : 0;
      if (room <= 0 || (c.limits.max_bytes > 0 && byte_room <= 0) || !c.consumer->accepting()) continue;
      auto got = take(s, std::min(room, limits::kMaxBatchPerTurn), byte_room, c.limits.lease, id);
      if (got.empty()) continue;
      progress = true;
      auto& dst = batches[id];
      std::move(got.begin(), got.end(), std::back_inserter(dst));
    }
    s.next_consumer = (s.next_consumer + 1) % n;
  }
  if (!batches.empty()) touch(s);
  for (auto& [id, batch] : batches) {
    auto it = consumers_.find(id);
    if (it != consumers_.end()) it->second->consumer->deliver(std::move(batch));
  }
}

// The end of a domain operation (the outermost Batch): deliveries go out, and what the
// operation changed is committed before its caller answers anyone.
void Domain::end_operation() {
  flush();
  if (!persist_) return;
  // Message numbers are reserved in blocks, so that a publish rarely writes the counter: after
  // a restart numbering resumes past the block (numbers are skipped, never reused).
  if (last_number_ > reserved_number_) {
    reserved_number_ = last_number_ + limits::kReservedNumbers;
    counters_dirty_ = true;
  }
  if (counters_dirty_) {
    persist_->note_counters(reserved_number_, next_sub_serial_);
    counters_dirty_ = false;
  }
  Status st = persist_->commit();
  if (!st.is_ok()) events_.record("pubsub.error", "pubsub", {{"message", "writing to the data directory: " + st.message()}});
}

void Domain::flush() {
  if (flushing_) return;
  flushing_ = true;
  ++batch_depth_;  // operations called by consumers from deliver() must not flush re-entrantly
  while (!dirty_.empty()) {
    std::vector<std::string> names;
    names.swap(dirty_);
    for (const auto& name : names) {
      SubState* s = find_sub(name);
      if (!s) continue;
      s->dirty = false;
      dispatch(*s);
    }
  }
  --batch_depth_;
  flushing_ = false;
}

}  // namespace gcpsim::services::pubsub
