// How Pub/Sub's state lies in the store (with --data-dir): topics, subscriptions, snapshots
// and schemas as rows; every unacknowledged message as one row per subscription holding it
// (and per snapshot and topic history), written in one transaction per domain operation and
// loaded when the service starts. Leases, backoff and delivery attempts are not stored: after
// a restart every unacked message is delivered again, as after a crash of the real service.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/store.h"
#include "services/pubsub/domain.h"
#include "services/pubsub/schema_validator.h"

namespace gcpsim::services::pubsub {

struct SchemaRevision;

class Persist {
 public:
  // Migrates the pubsub tables. The store outlives this object.
  static core::StatusOr<std::unique_ptr<Persist>> open(core::Store& store);
  ~Persist();

  // ---- writes: each joins the transaction of the current domain operation ----
  void put_topic(const std::string& name, uint64_t serial, const TopicConfig& c);
  void delete_topic(const std::string& name, uint64_t serial);
  void add_history(uint64_t topic_serial, const Message& m);
  void drop_history(uint64_t topic_serial, uint64_t number);
  void clear_history(uint64_t topic_serial);
  void put_sub(const std::string& name, uint64_t serial, uint64_t topic_serial, bool detached,
               const SubscriptionConfig& c);
  void delete_sub(const std::string& name, uint64_t serial);
  void add_entry(uint64_t sub_serial, const Message& m, bool acked);
  void set_acked(uint64_t sub_serial, uint64_t number);
  void drop_entry(uint64_t sub_serial, uint64_t number);
  void clear_entries(uint64_t sub_serial);
  void put_snapshot(const Snapshot& info, uint64_t serial, uint64_t topic_serial);
  void delete_snapshot(const std::string& name, uint64_t serial);
  void add_snapshot_message(uint64_t snapshot_serial, const Message& m);
  // The highest message number reserved and the next object serial (never reused after a restart).
  void note_counters(uint64_t reserved_number, uint64_t next_serial);
  // A schema's whole revision list (oldest first); empty deletes the schema.
  void put_schema(const std::string& name, const std::vector<SchemaRevision>& revisions);

  // Ends the operation's transaction: COMMIT with synchronous=NORMAL (WAL), which survives
  // a kill of the process. Returns (and forgets) the first error since the last commit.
  core::Status commit();

  // ---- loading ----
  struct Entry {
    MessagePtr message;
    bool acked = false;
  };
  struct TopicRow {
    std::string name;
    uint64_t serial = 0;
    TopicConfig config;
    std::vector<MessagePtr> history;  // publish order
  };
  struct SubRow {
    std::string name;
    uint64_t serial = 0, topic_serial = 0;
    bool detached = false;
    SubscriptionConfig config;
    std::vector<Entry> entries;  // publish order
  };
  struct SnapshotRow {
    Snapshot info;
    uint64_t serial = 0, topic_serial = 0;
    std::vector<MessagePtr> messages;
  };
  struct State {
    std::vector<TopicRow> topics;
    std::vector<SubRow> subs;
    std::vector<SnapshotRow> snapshots;
    uint64_t last_number = 0, next_serial = 0;
  };
  // Every row; a message held by several subscriptions is one Message again.
  core::StatusOr<State> load();
  core::StatusOr<std::vector<std::vector<SchemaRevision>>> load_schemas();

 private:
  struct Statements;
  explicit Persist(core::Store& store);
  core::Statement& write(core::Statement& st);  // begins the transaction when none is open
  void run(core::Statement& st);

  core::Store& store_;
  std::unique_ptr<Statements> sql_;
  bool open_ = false;   // a write happened since the last commit
  bool owned_ = false;  // the transaction is ours (not a caller's around the operation)
  core::Status error_;
};

}  // namespace gcpsim::services::pubsub
