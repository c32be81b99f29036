// The Pub/Sub domain's internal state, shared by domain.cc, delivery.cc and seek.cc.
#pragma once
#include <deque>
#include <set>
#include <vector>

#include "services/pubsub/domain.h"
#include "services/pubsub/timeline.h"

namespace gcpsim::services::pubsub {

struct Domain::TopicState {
  std::string name;
  TopicConfig config;
  uint64_t serial = 0;                   // a re-created topic is a different topic
  std::vector<SubState*> subs;           // attached subscriptions, in creation order
  std::vector<SnapshotState*> snapshots; // they keep collecting newly published messages
  std::deque<MessagePtr> history;        // when config.message_retention is set
};

// A message as one subscription holds it.
struct Domain::Entry {
  enum class State : uint8_t {
    kQueued,   // in the ready queue
    kWaiting,  // ordered: behind its key's head
    kLeased,   // outstanding under ack_id until deadline
    kBackoff,  // nacked; held back until deadline by the retry policy
    kAcked,    // kept only with retain_acked_messages
  };
  MessagePtr msg{};  // null once erased (see Entries)
  uint64_t seq = 0;
  Time deadline{};
  ConsumerId owner = 0;
  // The latest delivery's, resolvable until the next delivery: the key in SubState::ack_ids
  // (its nodes do not move), so that an entry does not carry a string of its own.
  const std::string* ack_id = nullptr;
  int attempts = 0;
  State state = State::kQueued;
};

// A subscription's entries in seq (publish) order, in one deque: ~48 bytes an entry where
// a std::map node took ~130, which counts with a backlog of 50,000 messages. Erasing leaves
// a tombstone (an entry without message) that keeps the order searchable; compact() drops
// the leading ones, and all of them once they outnumber the live entries. References stay
// valid through erase() and front(), not through insert() or compact().
class Domain::Entries {
 public:
  Entry* find(uint64_t seq);
  Entry& at(uint64_t seq);  // one that is present
  // A new entry for the message (seq = its number); nullptr when it has one already.
  Entry* insert(const MessagePtr& m);
  // New entries for those of `messages` (in seq order) that have none, in one pass.
  void insert(const std::vector<MessagePtr>& messages);
  void erase(Entry& e);
  void clear();
  void compact();
  size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  Entry* front();  // the first live entry; drops the tombstones before it
  // `fn` may erase the entry it is given, and nothing else.
  template <class Fn>
  void for_each(Fn fn) {
    for (Entry& e : items_) {
      if (e.msg) fn(e);
    }
  }
  template <class Fn>
  void for_each(Fn fn) const {
    for (const Entry& e : items_) {
      if (e.msg) fn(e);
    }
  }

 private:
  std::deque<Entry> items_;
  size_t live_ = 0;
};

struct Domain::KeyState {
  std::deque<uint64_t> pending;  // undelivered messages of the key, in order (head first)
  std::set<uint64_t> leased;     // outstanding messages of the key
  bool head_queued = false;      // pending.front() is in the ready queue
  bool head_backoff = false;     // pending.front() is held back by the retry policy
};

struct Domain::SubState {
  SubState(core::Clock& clock, Timeline::Fire on_expiry, Timeline::Fire on_backoff)
      : leases(clock, std::move(on_expiry)), backoff(clock, std::move(on_backoff)) {}
  std::string name;
  SubscriptionConfig config;
  Filter filter;
  bool detached = false;
  TopicState* topic = nullptr;  // null once detached or the topic is deleted
  uint64_t topic_serial = 0;
  uint64_t serial = 0;          // its rows' key in the store
  Entries entries;
  std::deque<uint64_t> ready;         // may hold stale seqs; checked when taken
  std::unordered_map<std::string, uint64_t> ack_ids;
  std::unordered_map<std::string, KeyState> keys;
  Timeline leases;
  Timeline backoff;
  std::vector<ConsumerId> consumers;
  size_t next_consumer = 0;  // round-robin start
  bool dirty = false;
  Time last_active{};
  std::optional<core::Clock::TimerId> expiry_timer;

  // The entry's latest ack id stops resolving.
  void forget_ack_id(Entry& e) {
    if (!e.ack_id) return;
    ack_ids.erase(ack_ids.find(*e.ack_id));
    e.ack_id = nullptr;
  }
};

struct Domain::SnapshotState {
  Snapshot info;
  uint64_t serial = 0;  // its rows' key in the store
  uint64_t topic_serial = 0;
  TopicState* topic = nullptr;  // null once the topic is deleted
  std::map<uint64_t, MessagePtr> messages;
  std::optional<core::Clock::TimerId> expiry_timer;
};

struct Domain::ConsumerState {
  ConsumerId id = 0;
  std::string sub;
  Consumer* consumer = nullptr;
  FlowLimits limits;
  int64_t outstanding = 0;
  int64_t bytes = 0;
};

// Every public operation and timer callback holds one; the outermost flushes deliveries
// to consumers once the state is consistent.
class Domain::Batch {
 public:
  explicit Batch(Domain& d) : d_(d) { ++d_.batch_depth_; }
  ~Batch() {
    if (--d_.batch_depth_ == 0) d_.end_operation();
  }
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

 private:
  Domain& d_;
};

// INVALID_ARGUMENT naming the first label that breaks Google Cloud's label rules.
Status check_labels(const StringMap& labels);

// Limits of the real service.
namespace limits {
inline constexpr size_t kMaxMessagesPerPublish = 1000;
inline constexpr size_t kMaxPublishBytes = 10'000'000;
inline constexpr size_t kMaxAttributes = 100;
inline constexpr size_t kMaxAttributeKeyBytes = 256;
inline constexpr size_t kMaxAttributeValueBytes = 1024;
inline constexpr size_t kMaxOrderingKeyBytes = 1024;
inline constexpr Duration kMinAckDeadline = std::chrono::seconds(10);
inline constexpr Duration kMaxAckDeadline = std::chrono::seconds(600);
inline constexpr Duration kMinRetention = std::chrono::minutes(10);
inline constexpr Duration kMaxRetention = std::chrono::hours(24 * 31);
inline constexpr Duration kMinExpirationTtl = std::chrono::hours(24);
inline constexpr Duration kMaxExpirationTtl = std::chrono::hours(24 * 365);
inline constexpr Duration kMaxBackoff = std::chrono::seconds(600);
inline constexpr int kMinDeliveryAttempts = 5;
inline constexpr int kMaxDeliveryAttempts = 100;
inline constexpr Duration kSnapshotLifetime = std::chrono::hours(24 * 7);
inline constexpr Duration kSnapshotMinLifetime = std::chrono::hours(1);
inline constexpr int32_t kDefaultPageSize = 100;
inline constexpr int32_t kMaxPageSize = 1000;
inline constexpr int64_t kMaxBatchPerTurn = 100;  // fairness between a subscription's consumers
inline constexpr size_t kAckIdBytes = 18;         // random bytes behind an ack id
inline constexpr uint64_t kReservedNumbers = 1024;  // message numbers stored ahead (persist.h)
}  // namespace limits

}  // namespace gcpsim::services::pubsub
