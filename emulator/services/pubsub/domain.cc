// Pub/Sub domain: topics, subscriptions, publish and fan-out, validation, expiration.
#include "services/pubsub/domain.h"

#include <algorithm>

#include "core/events.h"
#include "core/ids.h"
#include "core/labels.h"
#include "services/pubsub/domain_state.h"
#include "services/pubsub/errors.h"
#include "services/pubsub/names.h"
#include "services/pubsub/persist.h"

namespace gcpsim::services::pubsub {
namespace {

std::string seconds_text(Duration d) { return core::format_duration(d); }

// Up to page.size names from `m` that start with `prefix`, after page.token.
template <class Map, class Fn>
void page_through(const Map& m, const std::string& prefix, const Page& page, std::string* next, Fn fn) {
  int32_t size = page.size <= 0 ? limits::kDefaultPageSize : std::min(page.size, limits::kMaxPageSize);
  auto it = page.token.empty() ? m.lower_bound(prefix) : m.upper_bound(page.token);
  int32_t n = 0;
  if (next) next->clear();
  for (; it != m.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (n == size) {
      if (next) *next = std::prev(it)->first;
      return;
    }
    if (fn(it->first, *it->second)) ++n;
  }
}

Status check_retention(std::string_view field, Duration d) {
  if (d < limits::kMinRetention || d > limits::kMaxRetention) {
    return errors::out_of_bounds(field, seconds_text(d), seconds_text(limits::kMinRetention),
                                 seconds_text(limits::kMaxRetention));
  }
  return Status::ok();
}

}  // namespace

// Labels on topics, subscriptions and snapshots follow Google Cloud's label rules.
Status check_labels(const StringMap& labels) {
  if (labels.size() > core::kMaxLabels) {
    return Status::invalid_argument("Invalid labels: at most 64 labels are allowed, you passed " +
                                    std::to_string(labels.size()) + ".");
  }
  for (const auto& [k, v] : labels) {
    if (!core::valid_label_key(k)) {
      return Status::invalid_argument("Invalid label key [" + k +
                                      "]: keys must start with a lowercase letter and contain only lowercase "
                                      "letters, numbers, underscores and dashes (at most 63 characters).");
    }
    if (!core::valid_label_value(v)) {
      return Status::invalid_argument("Invalid label value [" + v + "] of key [" + k +
                                      "]: values may contain only lowercase letters, numbers, underscores "
                                      "and dashes (at most 63 characters).");
    }
  }
  return Status::ok();
}

Domain::Domain(core::Clock& clock, core::Ids& ids, core::Events& events)
    : clock_(clock), ids_(ids), events_(events) {}

// Consumers still attached (waiting Pulls) are told, so none outlives the domain.
Domain::~Domain() {
  auto consumers = std::move(consumers_);
  consumers_.clear();
  for (auto& [id, c] : consumers) c->consumer->closed(Status::unavailable("The service is shutting down."));
  for (auto& [name, s] : subs_) {
    if (s->expiry_timer) clock_.cancel(*s->expiry_timer);
  }
  for (auto& [name, snap] : snapshots_) {
    if (snap->expiry_timer) clock_.cancel(*snap->expiry_timer);
  }
}

Domain::SubState* Domain::find_sub(const std::string& name) {
  auto it = subs_.find(name);
  return it == subs_.end() ? nullptr : it->second.get();
}

const Domain::SubState* Domain::find_sub(const std::string& name) const {
  auto it = subs_.find(name);
  return it == subs_.end() ? nullptr : it->second.get();
}

// ---------------------------------------------------------------- topics

StatusOr<Topic> Domain::create_topic(const std::string& name, TopicConfig config) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kTopic, name));
  if (topics_.count(name)) return errors::already_exists(parsed.id);
  if (config.message_retention) RETURN_IF_ERROR(check_retention("message_retention_duration", *config.message_retention));
  RETURN_IF_ERROR(check_labels(config.labels));
  Batch batch(*this);
  auto t = std::make_unique<TopicState>();
  t->name = name;
  t->config = std::move(config);
  t->serial = next_sub_serial_++;
  counters_dirty_ = true;
  Topic out{name, t->config};
  if (persist_) persist_->put_topic(name, t->serial, t->config);
  topics_.emplace(name, std::move(t));
  return out;
}

StatusOr<Topic> Domain::get_topic(const std::string& name) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kTopic, name));
  auto it = topics_.find(name);
  if (it == topics_.end()) return errors::not_found(parsed.id);
  return Topic{name, it->second->config};
}

StatusOr<Topic> Domain::update_topic(const std::string& name, TopicConfig config) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kTopic, name));
  auto it = topics_.find(name);
  if (it == topics_.end()) return errors::not_found(parsed.id);
  if (config.message_retention) RETURN_IF_ERROR(check_retention("message_retention_duration", *config.message_retention));
  RETURN_IF_ERROR(check_labels(config.labels));
  Batch batch(*this);
  TopicState& t = *it->second;
  if (!config.message_retention) {
    t.history.clear();
    if (persist_) persist_->clear_history(t.serial);
  }
  t.config = std::move(config);
  if (persist_) persist_->put_topic(name, t.serial, t.config);
  return Topic{name, t.config};
}

Status Domain::delete_topic(const std::string& name) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kTopic, name));
  auto it = topics_.find(name);
  if (it == topics_.end()) return errors::not_found(parsed.id);
  Batch batch(*this);
  for (SubState* s : it->second->subs) {
    s->topic = nullptr;
    s->config.topic = std::string(kDeletedTopic);
    save_sub(*s);
  }
  for (SnapshotState* snap : it->second->snapshots) {
    snap->topic = nullptr;
    snap->info.topic = std::string(kDeletedTopic);
    if (persist_) persist_->put_snapshot(snap->info, snap->serial, snap->topic_serial);
  }
  if (persist_) persist_->delete_topic(name, it->second->serial);
  topics_.erase(it);
  return Status::ok();
}

std::vector<Topic> Domain::list_topics(const std::string& project, const Page& page, std::string* next) const {
  std::vector<Topic> out;
  page_through(topics_, "projects/" + project + "/topics/", page, next, [&](const std::string& n, const TopicState& t) {
    out.push_back(Topic{n, t.config});
    return true;
  });
  return out;
}

StatusOr<std::vector<std::string>> Domain::list_topic_subscriptions(const std::string& topic, const Page& page,
                                                                    std::string* next) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kTopic, topic));
  auto it = topics_.find(topic);
  if (it == topics_.end()) return errors::not_found(parsed.id);
  std::map<std::string, const SubState*> names;
  for (const SubState* s : it->second->subs) names.emplace(s->name, s);
  std::vector<std::string> out;
  page_through(names, "", page, next, [&](const std::string& n, const SubState&) {
    out.push_back(n);
    return true;
  });
  return out;
}

StatusOr<std::vector<std::string>> Domain::list_topic_snapshots(const std::string& topic, const Page& page,
                                                                std::string* next) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kTopic, topic));
  auto it = topics_.find(topic);
  if (it == topics_.end()) return errors::not_found(parsed.id);
  std::map<std::string, const SnapshotState*> names;
  for (const SnapshotState* s : it->second->snapshots) names.emplace(s->info.name, s);
  std::vector<std::string> out;
  page_through(names, "", page, next, [&](const std::string& n, const SnapshotState&) {
    out.push_back(n);
    return true;
  });
  return out;
}

// ---------------------------------------------------------------- publish

Status Domain::validate_messages(const TopicState& t, const std::vector<MessageView>& messages) const {
  if (messages.empty()) return errors::no_messages();
  if (messages.size() > limits::kMaxMessagesPerPublish) {
    return errors::too_large("message_count", static_cast<long long>(messages.size()),
                             static_cast<long long>(limits::kMaxMessagesPerPublish));
  }
  size_t total = 0;
  for (const MessageView& m : messages) {
    if (m.data.empty() && m.attributes.empty()) return errors::empty_message();
    if (m.attributes.size() > limits::kMaxAttributes) {
      return errors::too_large("attributes", static_cast<long long>(m.attributes.size()),
                               static_cast<long long>(limits::kMaxAttributes));
    }
    for (const auto& [k, v] : m.attributes) {
      if (k.empty()) return errors::invalid_attribute("attribute keys must not be empty");
      if (k.starts_with("goog")) {
        return errors::invalid_attribute("the key \"" + std::string(k) + "\" uses the reserved prefix \"goog\"");
      }
      if (k.size() > limits::kMaxAttributeKeyBytes) {
        return errors::too_large("attribute_key_size", static_cast<long long>(k.size()),
                                 static_cast<long long>(limits::kMaxAttributeKeyBytes));
      }
      if (v.size() > limits::kMaxAttributeValueBytes) {
        return errors::too_large("attribute_value_size", static_cast<long long>(v.size()),
                                 static_cast<long long>(limits::kMaxAttributeValueBytes));
      }
    }
    if (m.ordering_key.size() > limits::kMaxOrderingKeyBytes) {
      return errors::too_large("ordering_key_size", static_cast<long long>(m.ordering_key.size()),
                               static_cast<long long>(limits::kMaxOrderingKeyBytes));
    }
    total += m.size();
    if (t.config.schema && schema_check_) RETURN_IF_ERROR(schema_check_(*t.config.schema, m.data));
  }
  if (total > limits::kMaxPublishBytes) {
    return errors::too_large("request_size", static_cast<long long>(total),
                             static_cast<long long>(limits::kMaxPublishBytes));
  }
  return Status::ok();
}

MessagePtr Domain::stamp(const MessageView& m) {
  last_number_ = number_base_ + ids_.next_numeric("pubsub.message");
  return Message::create(m, last_number_, clock_.now());
}

StatusOr<std::vector<std::string>> Domain::publish(const std::string& topic, const std::vector<MessageSpec>& messages) {
  std::vector<MessageView> views;
  views.reserve(messages.size());
  for (const MessageSpec& m : messages) views.push_back(m.view());
  return publish(topic, views);
}

StatusOr<std::vector<std::string>> Domain::publish(const std::string& topic, const std::vector<MessageView>& messages) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kTopic, topic));
  auto it = topics_.find(topic);
  if (it == topics_.end()) return errors::not_found(parsed.id);
  TopicState& t = *it->second;
  RETURN_IF_ERROR(validate_messages(t, messages));
  Batch batch(*this);
  std::vector<std::string> ids;
  ids.reserve(messages.size());
  for (const MessageView& m : messages) {
    MessagePtr p = stamp(m);
    ids.push_back(p->id());
    fan_out(t, p);
  }
  // One event per publish call: a burst of messages must not flood the event log.
  core::Attrs attrs{{"topic", t.name}, {"messages", static_cast<int64_t>(ids.size())}, {"message_id", ids.front()}};
  if (ids.size() > 1) attrs["last_message_id"] = ids.back();
  events_.record("pubsub.published", "pubsub", std::move(attrs));
  return ids;
}

void Domain::fan_out(TopicState& t, const MessagePtr& m) {
  if (t.config.message_retention) {
    t.history.push_back(m);
    if (persist_) persist_->add_history(t.serial, *m);
    Time horizon = clock_.now() - *t.config.message_retention;
    while (!t.history.empty() && t.history.front()->publish_time() <= horizon) {
      if (persist_) persist_->drop_history(t.serial, t.history.front()->number());
      t.history.pop_front();
    }
  }
  for (SnapshotState* snap : t.snapshots) {
    snap->messages.emplace(m->number(), m);
    if (persist_) persist_->add_snapshot_message(snap->serial, *m);
  }
  for (SubState* s : t.subs) {
    if (s->filter.matches(m->attributes())) enqueue(*s, m);
  }
}

void Domain::enqueue(SubState& s, const MessagePtr& m) {
  Entry* e = s.entries.insert(m);
  if (!e) return;
  if (persist_) persist_->add_entry(s.serial, *m, false);
  if (s.config.enable_message_ordering && !m->ordering_key().empty()) {
    std::string key(m->ordering_key());
    e->state = Entry::State::kWaiting;
    s.keys[key].pending.push_back(e->seq);
    release_key_head(s, key);
  } else {
    make_ready(s, *e);
  }
}

// ---------------------------------------------------------------- subscriptions

Status Domain::validate(const std::string& name, const SubscriptionConfig& c, const SubState* existing) const {
  if (c.ack_deadline < limits::kMinAckDeadline || c.ack_deadline > limits::kMaxAckDeadline) {
    return errors::out_of_bounds("ack_deadline_seconds",
                                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(c.ack_deadline).count()),
                                 "10", "600");
  }
  RETURN_IF_ERROR(check_retention("message_retention_duration", c.message_retention));
  RETURN_IF_ERROR(check_labels(c.labels));
  if (c.expiration_ttl) {
    if (*c.expiration_ttl < limits::kMinExpirationTtl || *c.expiration_ttl > limits::kMaxExpirationTtl) {
      return errors::out_of_bounds("expiration_policy.ttl", seconds_text(*c.expiration_ttl),
                                   seconds_text(limits::kMinExpirationTtl), seconds_text(limits::kMaxExpirationTtl));
    }
    if (*c.expiration_ttl < c.message_retention) {
      return Status::invalid_argument(
          "Invalid expiration_policy: the ttl must not be less than the message_retention_duration.");
    }
  }
  if (c.retry) {
    for (auto [field, d] : {std::pair{"minimum_backoff", c.retry->minimum_backoff},
                            std::pair{"maximum_backoff", c.retry->maximum_backoff}}) {
      if (d < Duration::zero() || d > limits::kMaxBackoff) {
        return errors::out_of_bounds(field, seconds_text(d), "0s", seconds_text(limits::kMaxBackoff));
      }
    }
    if (c.retry->maximum_backoff < c.retry->minimum_backoff) {
      return Status::invalid_argument("The value for maximum_backoff is too small. You passed " +
                                      seconds_text(c.retry->maximum_backoff) +
                                      " in the request, but the minimum value is " +
                                      seconds_text(c.retry->minimum_backoff) + ".");
    }
  }
  if (c.dead_letter) {
    ASSIGN_OR_RETURN(auto dlt, parse_name(Kind::kTopic, c.dead_letter->topic));
    if (!topics_.count(c.dead_letter->topic)) return errors::not_found(dlt.id);
    int n = c.dead_letter->max_delivery_attempts;
    if (n < limits::kMinDeliveryAttempts) {
      return Status(core::Code::kOutOfRange, errors::too_small("max_delivery_attempts", n, limits::kMinDeliveryAttempts).message());
    }
    if (n > limits::kMaxDeliveryAttempts) {
      return Status(core::Code::kOutOfRange, errors::too_large("max_delivery_attempts", n, limits::kMaxDeliveryAttempts).message());
    }
  }
  if (c.push) {
    const std::string& url = c.push->endpoint;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return errors::invalid_push_endpoint(url);
  }
  if (c.bigquery) {
    if (c.push) return Status::invalid_argument("A subscription can have only one of push_config and bigquery_config.");
    if (c.bigquery->use_topic_schema && c.bigquery->use_table_schema)
      return Status::invalid_argument("use_topic_schema and use_table_schema cannot both be set.");
  }
  RETURN_IF_ERROR(Filter::parse(c.filter).status());
  if (existing) {
    if (c.filter != existing->config.filter) return errors::filter_immutable();
    if (c.enable_message_ordering != existing->config.enable_message_ordering) return errors::ordering_immutable();
    if (c.topic != existing->config.topic) return errors::topic_immutable();
  }
  (void)name;
  return Status::ok();
}

StatusOr<Subscription> Domain::create_subscription(const std::string& name, SubscriptionConfig config) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, name));
  ASSIGN_OR_RETURN(auto topic_name, parse_name(Kind::kTopic, config.topic));
  if (subs_.count(name)) return errors::already_exists(parsed.id);
  auto tit = topics_.find(config.topic);
  if (tit == topics_.end()) return errors::not_found(topic_name.id);
  RETURN_IF_ERROR(validate(name, config, nullptr));
  Batch batch(*this);
  auto owned = new_sub(name);
  owned->serial = next_sub_serial_++;
  counters_dirty_ = true;
  owned->filter = *Filter::parse(config.filter);
  owned->config = std::move(config);
  owned->topic = tit->second.get();
  owned->topic_serial = tit->second->serial;
  owned->last_active = clock_.now();
  SubState& st = *owned;
  subs_.emplace(name, std::move(owned));
  st.topic->subs.push_back(&st);
  arm_expiration(st);
  save_sub(st);
  return view(st);
}

// Timer callbacks look the subscription up by name: it may be gone when they fire.
std::unique_ptr<Domain::SubState> Domain::new_sub(const std::string& name) {
  auto owned = std::make_unique<SubState>(
      clock_,
      [this, name](uint64_t seq) {
        Batch b(*this);
        if (SubState* st = find_sub(name)) on_lease_expired(*st, seq);
      },
      [this, name](uint64_t seq) {
        Batch b(*this);
        if (SubState* st = find_sub(name)) on_backoff_over(*st, seq);
      });
  owned->name = name;
  return owned;
}

void Domain::save_sub(const SubState& s) {
  if (persist_) persist_->put_sub(s.name, s.serial, s.topic_serial, s.detached, s.config);
}

Subscription Domain::view(const SubState& s) const {
  Subscription out{s.name, s.config, s.detached, std::nullopt};
  if (s.topic && s.topic->config.message_retention) out.topic_message_retention = s.topic->config.message_retention;
  return out;
}

StatusOr<Subscription> Domain::get_subscription(const std::string& name) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, name));
  const SubState* s = find_sub(name);
  if (!s) return errors::not_found(parsed.id);
  return view(*s);
}

StatusOr<Subscription> Domain::update_subscription(const std::string& name, SubscriptionConfig config) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, name));
  SubState* s = find_sub(name);
  if (!s) return errors::not_found(parsed.id);
  RETURN_IF_ERROR(validate(name, config, s));
  Batch batch(*this);
  s->config = std::move(config);
  save_sub(*s);
  arm_expiration(*s);
  mark_dirty(*s);
  return view(*s);
}

void Domain::erase_subscription(const std::string& name) {
  auto it = subs_.find(name);
  if (it == subs_.end()) return;
  SubState& s = *it->second;
  if (s.topic) std::erase(s.topic->subs, &s);
  if (s.expiry_timer) clock_.cancel(*s.expiry_timer);
  std::vector<ConsumerId> consumers = s.consumers;
  for (ConsumerId id : consumers) consumers_.erase(id);
  if (persist_) persist_->delete_sub(s.name, s.serial);
  subs_.erase(it);
}

Status Domain::delete_subscription(const std::string& name) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, name));
  SubState* s = find_sub(name);
  if (!s) return errors::not_found(parsed.id);
  Batch batch(*this);
  std::vector<Consumer*> notify;
  for (ConsumerId id : s->consumers) notify.push_back(consumers_.at(id)->consumer);
  erase_subscription(name);
  for (Consumer* c : notify) c->closed(errors::not_found(parsed.id));
  return Status::ok();
}

Status Domain::detach_subscription(const std::string& name) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, name));
  SubState* s = find_sub(name);
  if (!s) return errors::not_found(parsed.id);
  Batch batch(*this);
  if (s->topic) std::erase(s->topic->subs, s);
  s->topic = nullptr;
  s->detached = true;
  s->config.topic = std::string(kDeletedTopic);
  reset_delivery_state(*s);
  s->entries.clear();
  save_sub(*s);
  if (persist_) persist_->clear_entries(s->serial);
  std::vector<Consumer*> notify;
  for (ConsumerId id : s->consumers) {
    notify.push_back(consumers_.at(id)->consumer);
    consumers_.erase(id);
  }
  s->consumers.clear();
  for (Consumer* c : notify) c->closed(errors::detached());
  events_.record("pubsub.detached", "pubsub", {{"subscription", name}});
  return Status::ok();
}

std::vector<Subscription> Domain::list_subscriptions(const std::string& project, const Page& page,
                                                     std::string* next) const {
  std::vector<Subscription> out;
  page_through(subs_, "projects/" + project + "/subscriptions/", page, next,
               [&](const std::string&, const SubState& s) {
                 out.push_back(view(s));
                 return true;
               });
  return out;
}

StatusOr<size_t> Domain::backlog(const std::string& sub) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSubscription, sub));
  const SubState* s = find_sub(sub);
  if (!s) return errors::not_found(parsed.id);
  size_t n = 0;
  s->entries.for_each([&n](const Entry& e) { n += e.state != Entry::State::kAcked; });
  return n;
}

// ---------------------------------------------------------------- expiration

void Domain::touch(SubState& s) { s.last_active = clock_.now(); }

// A subscription with no activity (pulls, open streams, push deliveries) for its TTL is
// deleted, as the real service does with its expiration policy.
void Domain::arm_expiration(SubState& s) {
  if (s.expiry_timer) clock_.cancel(*s.expiry_timer);
  s.expiry_timer.reset();
  if (!s.config.expiration_ttl) return;
  Time at = s.last_active + *s.config.expiration_ttl;
  std::string name = s.name;
  s.expiry_timer = clock_.schedule(at, [this, name] {
    SubState* st = find_sub(name);
    if (!st) return;
    st->expiry_timer.reset();
    if (!st->consumers.empty()) st->last_active = clock_.now();
    if (st->last_active + *st->config.expiration_ttl > clock_.now()) {
      arm_expiration(*st);
      return;
    }
    events_.record("pubsub.subscription_expired", "pubsub", {{"subscription", name}});
    (void)delete_subscription(name);
  });
}

}  // namespace gcpsim::services::pubsub
