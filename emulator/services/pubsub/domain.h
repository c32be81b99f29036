// The Pub/Sub state machine: topics, subscriptions, snapshots, publish and fan-out,
// leases on core::Clock, redelivery, retry backoff, dead letters, ordering keys,
// exactly-once acks, seek. Plain C++ over core — no protobuf, JSON or sockets.
// Events: pubsub.published per publish call; nacks, expiries, dead letters, seeks, expiry of
// subscriptions and snapshots. Deliveries and acks are too frequent to log one by one.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/time.h"
#include "services/pubsub/filter.h"
#include "services/pubsub/message.h"

namespace gcpsim::core { class Ids; class Events; class Store; }

namespace gcpsim::services::pubsub {

using core::Duration;
using core::Status;
using core::StatusOr;
using core::Time;
enum class Encoding { kUnspecified, kJson, kBinary };

struct SchemaSettings {
  std::string schema{};  // projects/p/schemas/s
  Encoding encoding = Encoding::kJson;
  std::string first_revision_id{}, last_revision_id{};
};

struct TopicConfig {
  StringMap labels{};
  std::optional<Duration> message_retention{};  // replayable history for Seek when set
  std::optional<SchemaSettings> schema{};
  std::string kms_key_name{};
  // Settings the emulator stores and returns but does not act on, as the adapter encoded them.
  std::string passthrough{};
};

struct Topic {
  std::string name{};
  TopicConfig config{};
};

struct RetryPolicy {
  Duration minimum_backoff = std::chrono::seconds(10);
  Duration maximum_backoff = std::chrono::seconds(600);
};

struct DeadLetterPolicy {
  std::string topic{};
  int max_delivery_attempts = 5;
};

struct PushConfig {
  std::string endpoint{};
  StringMap attributes{};
  struct Oidc { std::string service_account_email, audience; };
  std::optional<Oidc> oidc{};
  bool no_wrapper = false;
  bool write_metadata = false;  // no_wrapper: send message metadata as headers
};

// A BigQuery subscription writes each message as a row of `table` ("project.dataset.table"
// or "project:dataset.table"); the BigQuery service is the sink (PubsubService::BigQuerySink).
struct BigQueryConfig {
  std::string table{};
  bool use_topic_schema = false;   // data (JSON) fields become columns, as with the table's schema
  bool use_table_schema = false;
  bool write_metadata = false;     // subscription_name, message_id, publish_time, attributes
  bool drop_unknown_fields = false;
};

struct SubscriptionConfig {
  std::string topic{};
  Duration ack_deadline = std::chrono::seconds(10);
  bool retain_acked_messages = false;
  Duration message_retention = std::chrono::hours(24 * 7);
  StringMap labels{};
  bool enable_message_ordering = false;
  std::optional<Duration> expiration_ttl = std::chrono::hours(24 * 31);  // nullopt: never
  std::string filter{};
  std::optional<DeadLetterPolicy> dead_letter{};
  std::optional<RetryPolicy> retry{};
  bool exactly_once = false;
  std::optional<PushConfig> push{};
  std::optional<BigQueryConfig> bigquery{};
  std::string passthrough{};  // as TopicConfig::passthrough
};

struct Subscription {
  std::string name{};
  SubscriptionConfig config{};
  bool detached = false;
  std::optional<Duration> topic_message_retention{};
};

struct Snapshot {
  std::string name{};
  std::string topic{};
  Time expire_time{};
  StringMap labels{};
};

// One leased message as a subscriber sees it.
struct Delivery {
  MessagePtr message{};
  std::string ack_id{};
  int delivery_attempt = 0;  // 0 unless the subscription has a dead-letter policy
};

// Per-ack-id outcome of Acknowledge / ModifyAckDeadline. Only exactly-once subscriptions
// report invalid ids; the others accept expired ids silently.
struct AckOutcome {
  std::vector<std::string> succeeded{};
  std::vector<std::string> invalid{};
};

// Something that receives leased messages as they become available (a StreamingPull
// stream, a waiting Pull, a push endpoint). Called at the end of a domain operation,
// never in the middle of one.
class Consumer {
 public:
  virtual ~Consumer() = default;
  virtual void deliver(std::vector<Delivery> batch) = 0;
  // False while the consumer cannot take messages now, whatever its flow limits (its
  // transport is backed up): they stay ready until it calls Domain::resume().
  virtual bool accepting() const { return true; }
  // The subscription went away (deleted, detached, expired); the consumer is detached.
  virtual void closed(const Status& why) = 0;
};

struct FlowLimits {
  int64_t max_messages = 1000;  // outstanding leases; 0 = no limit
  int64_t max_bytes = 0;        // outstanding bytes; 0 = no limit
  Duration lease = std::chrono::seconds(10);
};

class Persist;

struct Page {
  int32_t size = 0;          // 0 = the default
  std::string token{};         // the name to start after
};

// Validates a message against a topic's schema settings (set by the service).
using SchemaCheck = std::function<Status(const SchemaSettings&, std::string_view data)>;

class Domain {
 public:
  using ConsumerId = uint64_t;

  Domain(core::Clock& clock, core::Ids& ids, core::Events& events);
  ~Domain();
  Domain(const Domain&) = delete;
  Domain& operator=(const Domain&) = delete;

  void set_schema_check(SchemaCheck check) { schema_check_ = std::move(check); }
  // From now on every operation is written to `store` (persist.h) before it returns; first
  // loads what the store holds: topics, subscriptions, snapshots and unacked messages, which
  // are all delivered again. Message numbers go on after the highest one stored.
  Status persist_to(core::Store& store);
  Persist* persistence() { return persist_.get(); }  // null in memory
  std::vector<std::string> subscription_names() const;  // every project's

  // ---- topics ----
  StatusOr<Topic> create_topic(const std::string& name, TopicConfig config);
  StatusOr<Topic> get_topic(const std::string& name) const;
  StatusOr<Topic> update_topic(const std::string& name, TopicConfig config);
  Status delete_topic(const std::string& name);
  // Names in order after page.token; `next` is set when more remain.
  std::vector<Topic> list_topics(const std::string& project, const Page& page, std::string* next) const;
  StatusOr<std::vector<std::string>> list_topic_subscriptions(const std::string& topic, const Page& page,
                                                              std::string* next) const;
  StatusOr<std::vector<std::string>> list_topic_snapshots(const std::string& topic, const Page& page,
                                                          std::string* next) const;
  // Message ids in request order; nothing is published unless every message is valid.
  StatusOr<std::vector<std::string>> publish(const std::string& topic, const std::vector<MessageView>& messages);
  StatusOr<std::vector<std::string>> publish(const std::string& topic, const std::vector<MessageSpec>& messages);

  // ---- subscriptions ----
  StatusOr<Subscription> create_subscription(const std::string& name, SubscriptionConfig config);
  StatusOr<Subscription> get_subscription(const std::string& name) const;
  StatusOr<Subscription> update_subscription(const std::string& name, SubscriptionConfig config);
  Status delete_subscription(const std::string& name);
  Status detach_subscription(const std::string& name);
  std::vector<Subscription> list_subscriptions(const std::string& project, const Page& page,
                                               std::string* next) const;

  // Leases up to max_messages ready messages for the subscription's ack deadline.
  StatusOr<std::vector<Delivery>> pull(const std::string& sub, int max_messages);
  StatusOr<AckOutcome> acknowledge(const std::string& sub, const std::vector<std::string>& ack_ids);
  // deadline 0 is a nack. Deadlines are 0–600 s.
  StatusOr<AckOutcome> modify_ack_deadline(const std::string& sub, const std::vector<std::string>& ack_ids,
                                           Duration deadline);

  // Registers a consumer; it is offered messages whenever some are ready and it has room.
  StatusOr<ConsumerId> attach(const std::string& sub, Consumer* consumer, FlowLimits limits);
  void set_limits(ConsumerId id, FlowLimits limits);
  // The consumer accepts messages again: it is offered what became ready meanwhile.
  void resume(ConsumerId id);
  // Its leases stay valid until they expire, are acked or nacked.
  void detach(ConsumerId id);

  // ---- snapshots and seek ----
  StatusOr<Snapshot> create_snapshot(const std::string& name, const std::string& sub, StringMap labels);
  StatusOr<Snapshot> get_snapshot(const std::string& name) const;
  StatusOr<Snapshot> update_snapshot(const std::string& name, std::optional<Time> expire_time,
                                     std::optional<StringMap> labels);
  Status delete_snapshot(const std::string& name);
  std::vector<Snapshot> list_snapshots(const std::string& project, const Page& page, std::string* next) const;
  Status seek_to_time(const std::string& sub, Time t);
  Status seek_to_snapshot(const std::string& sub, const std::string& snapshot);

  // Messages ready or outstanding on a subscription (for events and introspection).
  StatusOr<size_t> backlog(const std::string& sub) const;

  // ---- introspection for the console (inspect.cc): reads only, never leases ----
  struct SubCounts {
    size_t ready = 0, leased = 0, backoff = 0, acked = 0;  // ready includes ordered-waiting
  };
  StatusOr<SubCounts> counts(const std::string& sub) const;
  struct Peeked {
    MessagePtr message{};
    const char* state = "";  // queued, waiting, leased, backoff
    int attempts = 0;
  };
  // Up to `limit` unacknowledged messages in publish order, as they are: nothing changes.
  StatusOr<std::vector<Peeked>> peek(const std::string& sub, size_t limit) const;

 private:
  struct TopicState;
  struct SubState;
  struct SnapshotState;
  struct Entry;
  class Entries;
  struct KeyState;
  struct ConsumerState;
  class Batch;

  // domain.cc
  std::unique_ptr<SubState> new_sub(const std::string& name);
  void end_operation();
  void save_sub(const SubState& s);
  Status validate(const std::string& name, const SubscriptionConfig& c, const SubState* existing) const;
  Status validate_messages(const TopicState& t, const std::vector<MessageView>& messages) const;
  MessagePtr stamp(const MessageView& m);
  void fan_out(TopicState& t, const MessagePtr& m);
  void enqueue(SubState& s, const MessagePtr& m);
  Subscription view(const SubState& s) const;
  void arm_expiration(SubState& s);
  void touch(SubState& s);
  void erase_subscription(const std::string& name);
  SubState* find_sub(const std::string& name);
  const SubState* find_sub(const std::string& name) const;

  // delivery.cc
  void make_ready(SubState& s, Entry& e);
  void release_key_head(SubState& s, const std::string& key);
  std::vector<Delivery> take(SubState& s, int64_t max_messages, int64_t max_bytes, Duration lease,
                             ConsumerId owner);
  Delivery lease(SubState& s, Entry& e, Duration lease_for, ConsumerId owner);
  void end_lease(SubState& s, Entry& e);
  void settle(SubState& s, Entry& e);
  void fail_delivery(SubState& s, Entry& e);
  void retry_later(SubState& s, Entry& e);
  bool dead_letter(SubState& s, Entry& e);
  void on_lease_expired(SubState& s, uint64_t seq);
  void on_backoff_over(SubState& s, uint64_t seq);
  void prune(SubState& s);
  void mark_dirty(SubState& s);
  void flush();
  void dispatch(SubState& s);

  // seek.cc
  void save_entries(SubState& s);
  void reset_delivery_state(SubState& s);
  void rebuild_queues(SubState& s);
  void expire_snapshot(const std::string& name);

  core::Clock& clock_;
  core::Ids& ids_;
  core::Events& events_;
  SchemaCheck schema_check_;

  std::map<std::string, std::unique_ptr<TopicState>> topics_;
  std::map<std::string, std::unique_ptr<SubState>> subs_;
  std::map<std::string, std::unique_ptr<SnapshotState>> snapshots_;
  std::unordered_map<ConsumerId, std::unique_ptr<ConsumerState>> consumers_;
  ConsumerId next_consumer_ = 1;
  uint64_t next_sub_serial_ = 1;

  std::unique_ptr<Persist> persist_;  // null: in memory only
  uint64_t number_base_ = 0;          // message numbers stored before this process started
  uint64_t last_number_ = 0;
  uint64_t reserved_number_ = 0;      // stored: no number up to it is handed out after a restart
  bool counters_dirty_ = false;

  int batch_depth_ = 0;
  bool flushing_ = false;
  std::vector<std::string> dirty_;  // subscriptions to dispatch at the end of the operation
};

}  // namespace gcpsim::services::pubsub
