// Pub/Sub rows in SQLite: the migration, statements prepared once, the message encoding and
// the loading of everything back. Times and durations are nanoseconds; configs are JSON.
#include "services/pubsub/persist.h"

#include <cstring>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "services/pubsub/schemas.h"

namespace gcpsim::services::pubsub {
namespace {

using core::Status;
using core::StatusOr;
using nlohmann::json;

// Entries, history and snapshot messages are keyed by one integer, owner serial × 2^40 +
// message number, so each table is a single B-tree (a composite key would add an index).
constexpr int kNumberBits = 40;
int64_t key(uint64_t serial, uint64_t number) { return static_cast<int64_t>((serial << kNumberBits) | number); }
int64_t first_key(uint64_t serial) { return key(serial, 0); }
int64_t last_key(uint64_t serial) { return key(serial, (uint64_t{1} << kNumberBits) - 1); }
uint64_t serial_of(int64_t k) { return static_cast<uint64_t>(k) >> kNumberBits; }
uint64_t number_of(int64_t k) { return static_cast<uint64_t>(k) & ((uint64_t{1} << kNumberBits) - 1); }

const std::vector<std::string> kMigration = {R"sql(
CREATE TABLE pubsub_topics (name TEXT PRIMARY KEY, serial INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE pubsub_subscriptions (name TEXT PRIMARY KEY, serial INTEGER NOT NULL,
                                   topic_serial INTEGER NOT NULL, detached INTEGER NOT NULL,
                                   body TEXT NOT NULL);
CREATE TABLE pubsub_snapshots (name TEXT PRIMARY KEY, serial INTEGER NOT NULL, topic TEXT NOT NULL,
                               topic_serial INTEGER NOT NULL, expire_time INTEGER NOT NULL,
                               labels TEXT NOT NULL);
CREATE TABLE pubsub_entries (id INTEGER PRIMARY KEY, acked INTEGER NOT NULL, message BLOB NOT NULL);
CREATE TABLE pubsub_history (id INTEGER PRIMARY KEY, message BLOB NOT NULL);
CREATE TABLE pubsub_snapshot_messages (id INTEGER PRIMARY KEY, message BLOB NOT NULL);
CREATE TABLE pubsub_schemas (name TEXT NOT NULL, ord INTEGER NOT NULL, type INTEGER NOT NULL,
                             definition TEXT NOT NULL, revision_id TEXT NOT NULL,
                             create_time INTEGER NOT NULL, PRIMARY KEY (name, ord));
CREATE TABLE pubsub_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
)sql"};

int64_t ns(Duration d) { return d.count(); }
int64_t ns(Time t) { return t.time_since_epoch().count(); }
Duration span(const json& j) { return Duration{j.get<int64_t>()}; }

// ---- messages: [publish time i64][data u32][key u32][count u32]([klen u32][vlen u32])*
//      ordering key, attribute keys and values, data
template <class T> void put_int(std::string& out, T v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
template <class T> bool get_int(std::string_view& in, T& v) {
  if (in.size() < sizeof v) return false;
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
  return true;
}

std::string encode(const Message& m) {
  Attributes attrs = m.attributes();
  std::string out;
  out.reserve(20 + attrs.size() * 8 + m.size());
  put_int(out, ns(m.publish_time()));
  put_int(out, static_cast<uint32_t>(m.data().size()));
  put_int(out, static_cast<uint32_t>(m.ordering_key().size()));
  put_int(out, static_cast<uint32_t>(attrs.size()));
  for (auto a : attrs) {
    put_int(out, static_cast<uint32_t>(a.key.size()));
    put_int(out, static_cast<uint32_t>(a.value.size()));
  }
  out += m.ordering_key();
  for (auto a : attrs) {
    out += a.key;
    out += a.value;
  }
  out += m.data();
  return out;
}

// Null when the bytes are not a message this encoding wrote.
MessagePtr decode(uint64_t number, std::string_view in) {
  int64_t t = 0;
  uint32_t data = 0, okey = 0, count = 0;
  if (!get_int(in, t) || !get_int(in, data) || !get_int(in, okey) || !get_int(in, count)) return {};
  if (count > in.size() / 8) return {};
  std::vector<std::pair<uint32_t, uint32_t>> sizes(count);
  uint64_t text = uint64_t{data} + okey;
  for (auto& [k, v] : sizes) {
    if (!get_int(in, k) || !get_int(in, v)) return {};
    text += uint64_t{k} + v;
  }
  if (text != in.size()) return {};
  MessageView view;
  view.ordering_key = in.substr(0, okey);
  in.remove_prefix(okey);
  view.attributes.reserve(count);
  for (auto [k, v] : sizes) {
    view.attributes.push_back({in.substr(0, k), in.substr(k, v)});
    in.remove_prefix(k + v);
  }
  view.data = in;
  return Message::create(view, number, Time{Duration{t}});
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json topic_json(const TopicConfig& c) {
  json j = {{"labels", c.labels}, {"kms", c.kms_key_name}, {"passthrough", c.passthrough}};
  if (c.message_retention) j["retention"] = ns(*c.message_retention);
  if (c.schema) {
    j["schema"] = {{"name", c.schema->schema}, {"encoding", static_cast<int>(c.schema->encoding)},
                   {"first", c.schema->first_revision_id}, {"last", c.schema->last_revision_id}};
  }
  return j;
}

TopicConfig topic_of(const json& j) {
  TopicConfig c;
  c.labels = j.at("labels").get<StringMap>();
  c.kms_key_name = j.at("kms");
  c.passthrough = j.at("passthrough");
  if (j.contains("retention")) c.message_retention = span(j["retention"]);
  if (j.contains("schema")) {
    const json& s = j["schema"];
    c.schema = SchemaSettings{s.at("name"), static_cast<Encoding>(s.at("encoding").get<int>()), s.at("first"),
                              s.at("last")};
  }
  return c;
}

json sub_json(const SubscriptionConfig& c) {
  json j = {{"topic", c.topic},
            {"ack_deadline", ns(c.ack_deadline)},
            {"retain_acked", c.retain_acked_messages},
            {"retention", ns(c.message_retention)},
            {"labels", c.labels},
            {"ordering", c.enable_message_ordering},
            {"filter", c.filter},
            {"exactly_once", c.exactly_once},
            {"passthrough", c.passthrough}};
  j["ttl"] = c.expiration_ttl ? json(ns(*c.expiration_ttl)) : json(nullptr);
  if (c.dead_letter) j["dead_letter"] = {c.dead_letter->topic, c.dead_letter->max_delivery_attempts};
  if (c.retry) j["retry"] = {ns(c.retry->minimum_backoff), ns(c.retry->maximum_backoff)};
  if (c.push) {
    const PushConfig& p = *c.push;
    j["push"] = {{"endpoint", p.endpoint}, {"attributes", p.attributes}, {"no_wrapper", p.no_wrapper},
                 {"write_metadata", p.write_metadata}};
    if (p.oidc) j["push"]["oidc"] = {p.oidc->service_account_email, p.oidc->audience};
  }
  return j;
}

SubscriptionConfig sub_of(const json& j) {
  SubscriptionConfig c;
  c.topic = j.at("topic");
  c.ack_deadline = span(j.at("ack_deadline"));
  c.retain_acked_messages = j.at("retain_acked");
  c.message_retention = span(j.at("retention"));
  c.labels = j.at("labels").get<StringMap>();
  c.enable_message_ordering = j.at("ordering");
  c.filter = j.at("filter");
  c.exactly_once = j.at("exactly_once");
  c.passthrough = j.at("passthrough");
  c.expiration_ttl = j.at("ttl").is_null() ? std::nullopt : std::optional<Duration>(span(j["ttl"]));
  if (j.contains("dead_letter")) c.dead_letter = DeadLetterPolicy{j["dead_letter"][0], j["dead_letter"][1]};
  if (j.contains("retry")) c.retry = RetryPolicy{span(j["retry"][0]), span(j["retry"][1])};
  if (j.contains("push")) {
    const json& p = j["push"];
    PushConfig push;
    push.endpoint = p.at("endpoint");
    push.attributes = p.at("attributes").get<StringMap>();
    push.no_wrapper = p.at("no_wrapper");
    push.write_metadata = p.at("write_metadata");
    if (p.contains("oidc")) push.oidc = PushConfig::Oidc{p["oidc"][0], p["oidc"][1]};
    c.push = std::move(push);
  }
  return c;
}

}  // namespace

struct Persist::Statements {
  explicit Statements(core::Store& db)
      : begin(db.prepare("BEGIN IMMEDIATE")),
        commit(db.prepare("COMMIT")),
        relaxed(db.prepare("PRAGMA synchronous=NORMAL")),
        full(db.prepare("PRAGMA synchronous=FULL")),
        put_topic(db.prepare("INSERT OR REPLACE INTO pubsub_topics (name, serial, body) VALUES (?, ?, ?)")),
        delete_topic(db.prepare("DELETE FROM pubsub_topics WHERE name = ?")),
        add_history(db.prepare("INSERT OR REPLACE INTO pubsub_history (id, message) VALUES (?, ?)")),
        drop_history(db.prepare("DELETE FROM pubsub_history WHERE id = ?")),
        clear_history(db.prepare("DELETE FROM pubsub_history WHERE id BETWEEN ? AND ?")),
        put_sub(db.prepare("INSERT OR REPLACE INTO pubsub_subscriptions (name, serial, topic_serial, detached, body) "
                           "VALUES (?, ?, ?, ?, ?)")),
        delete_sub(db.prepare("DELETE FROM pubsub_subscriptions WHERE name = ?")),
        add_entry(db.prepare("INSERT OR REPLACE INTO pubsub_entries (id, acked, message) VALUES (?, ?, ?)")),
        set_acked(db.prepare("UPDATE pubsub_entries SET acked = 1 WHERE id = ?")),
        drop_entry(db.prepare("DELETE FROM pubsub_entries WHERE id = ?")),
        clear_entries(db.prepare("DELETE FROM pubsub_entries WHERE id BETWEEN ? AND ?")),
        put_snapshot(db.prepare("INSERT OR REPLACE INTO pubsub_snapshots (name, serial, topic, topic_serial, "
                                "expire_time, labels) VALUES (?, ?, ?, ?, ?, ?)")),
        delete_snapshot(db.prepare("DELETE FROM pubsub_snapshots WHERE name = ?")),
        add_snapshot_message(db.prepare("INSERT OR REPLACE INTO pubsub_snapshot_messages (id, message) VALUES (?, ?)")),
        clear_snapshot_messages(db.prepare("DELETE FROM pubsub_snapshot_messages WHERE id BETWEEN ? AND ?")),
        put_meta(db.prepare("INSERT OR REPLACE INTO pubsub_meta (key, value) VALUES (?, ?)")),
        delete_schema(db.prepare("DELETE FROM pubsub_schemas WHERE name = ?")),
        add_schema(db.prepare("INSERT INTO pubsub_schemas (name, ord, type, definition, revision_id, create_time) "
                              "VALUES (?, ?, ?, ?, ?, ?)")) {}
  core::Statement begin, commit, relaxed, full;
  core::Statement put_topic, delete_topic, add_history, drop_history, clear_history;
  core::Statement put_sub, delete_sub, add_entry, set_acked, drop_entry, clear_entries;
  core::Statement put_snapshot, delete_snapshot, add_snapshot_message, clear_snapshot_messages;
  core::Statement put_meta, delete_schema, add_schema;
};

Persist::Persist(core::Store& store) : store_(store) {}

Persist::~Persist() { (void)commit(); }

StatusOr<std::unique_ptr<Persist>> Persist::open(core::Store& store) {
  RETURN_IF_ERROR(store.migrate("pubsub", kMigration));
  std::unique_ptr<Persist> p(new Persist(store));
  p->sql_ = std::make_unique<Statements>(store);
  Statements& s = *p->sql_;
  for (core::Statement* st :
       {&s.begin, &s.commit, &s.relaxed, &s.full, &s.put_topic, &s.delete_topic, &s.add_history, &s.drop_history,
        &s.clear_history, &s.put_sub, &s.delete_sub, &s.add_entry, &s.set_acked, &s.drop_entry, &s.clear_entries,
        &s.put_snapshot, &s.delete_snapshot, &s.add_snapshot_message, &s.clear_snapshot_messages, &s.put_meta,
        &s.delete_schema, &s.add_schema}) {
    RETURN_IF_ERROR(st->status());
  }
  return p;
}

// The first write of an operation opens its transaction, unless the caller (another
// service writing in its own transaction) has one open: then the writes join it.
core::Statement& Persist::write(core::Statement& st) {
  if (!open_) {
    open_ = true;
    owned_ = sqlite3_get_autocommit(store_.handle()) != 0;
    if (owned_) {
      run(sql_->relaxed);
      run(sql_->begin);
    }
  }
  return st;
}

void Persist::run(core::Statement& st) {
  Status s = st.run();
  if (s.is_ok()) return;
  if (error_.is_ok()) error_ = s;
  st.reset();
}

Status Persist::commit() {
  if (open_) {
    open_ = false;
    if (owned_) {
      run(sql_->commit);
      // A failed COMMIT leaves the transaction open: end it rather than let it swallow later ones.
      if (!sqlite3_get_autocommit(store_.handle())) (void)store_.exec("ROLLBACK");
      run(sql_->full);
    }
  }
  return std::exchange(error_, Status::ok());
}

void Persist::put_topic(const std::string& name, uint64_t serial, const TopicConfig& c) {
  run(write(sql_->put_topic).bind_all(name, serial, dump(topic_json(c))));
}

void Persist::delete_topic(const std::string& name, uint64_t serial) {
  run(write(sql_->delete_topic).bind_all(name));
  clear_history(serial);
}

void Persist::add_history(uint64_t topic_serial, const Message& m) {
  run(write(sql_->add_history).bind(1, key(topic_serial, m.number())).bind_blob(2, encode(m)));
}

void Persist::drop_history(uint64_t topic_serial, uint64_t number) {
  run(write(sql_->drop_history).bind_all(key(topic_serial, number)));
}

void Persist::clear_history(uint64_t topic_serial) {
  run(write(sql_->clear_history).bind_all(first_key(topic_serial), last_key(topic_serial)));
}

void Persist::put_sub(const std::string& name, uint64_t serial, uint64_t topic_serial, bool detached,
                      const SubscriptionConfig& c) {
  run(write(sql_->put_sub).bind_all(name, serial, topic_serial, detached, dump(sub_json(c))));
}

void Persist::delete_sub(const std::string& name, uint64_t serial) {
  run(write(sql_->delete_sub).bind_all(name));
  clear_entries(serial);
}

void Persist::add_entry(uint64_t sub_serial, const Message& m, bool acked) {
  run(write(sql_->add_entry).bind(1, key(sub_serial, m.number())).bind(2, acked).bind_blob(3, encode(m)));
}

void Persist::set_acked(uint64_t sub_serial, uint64_t number) {
  run(write(sql_->set_acked).bind_all(key(sub_serial, number)));
}

void Persist::drop_entry(uint64_t sub_serial, uint64_t number) {
  run(write(sql_->drop_entry).bind_all(key(sub_serial, number)));
}

void Persist::clear_entries(uint64_t sub_serial) {
  run(write(sql_->clear_entries).bind_all(first_key(sub_serial), last_key(sub_serial)));
}

void Persist::put_snapshot(const Snapshot& info, uint64_t serial, uint64_t topic_serial) {
  run(write(sql_->put_snapshot)
          .bind_all(info.name, serial, info.topic, topic_serial, ns(info.expire_time), dump(json(info.labels))));
}

void Persist::delete_snapshot(const std::string& name, uint64_t serial) {
  run(write(sql_->delete_snapshot).bind_all(name));
  run(write(sql_->clear_snapshot_messages).bind_all(first_key(serial), last_key(serial)));
}

void Persist::add_snapshot_message(uint64_t snapshot_serial, const Message& m) {
  run(write(sql_->add_snapshot_message).bind(1, key(snapshot_serial, m.number())).bind_blob(2, encode(m)));
}

void Persist::note_counters(uint64_t last_number, uint64_t next_serial) {
  run(write(sql_->put_meta).bind_all(std::string("last_message"), last_number));
  run(write(sql_->put_meta).bind_all(std::string("next_serial"), next_serial));
}

void Persist::put_schema(const std::string& name, const std::vector<SchemaRevision>& revisions) {
  run(write(sql_->delete_schema).bind_all(name));
  int64_t ord = 0;
  for (const SchemaRevision& r : revisions) {
    run(write(sql_->add_schema)
            .bind_all(name, ++ord, static_cast<int64_t>(r.type), r.definition, r.revision_id,
                      ns(r.revision_create_time)));
  }
}

// ---------------------------------------------------------------- loading

namespace {

// Rows keyed owner serial × 2^40 + number, decoded once per message number.
class Reader {
 public:
  explicit Reader(core::Store& db) : db_(db) {}
  template <class Fn>
  Status rows(const char* table, Fn fn) {
    auto st = db_.prepare(std::string("SELECT id, message") + (std::string(table) == "pubsub_entries" ? ", acked" : "") +
                          " FROM " + table + " ORDER BY id");
    while (st.step()) {
      int64_t id = st.column_int(0);
      MessagePtr m = message(number_of(id), st.column_blob(1));
      if (!m) return Status(core::Code::kDataLoss, std::string("pubsub: unreadable message in ") + table);
      fn(serial_of(id), std::move(m), std::string(table) == "pubsub_entries" && st.column_int(2) != 0);
    }
    return st.status();
  }

 private:
  MessagePtr message(uint64_t number, const std::string& bytes) {
    auto it = seen_.find(number);
    if (it != seen_.end()) return it->second;
    MessagePtr m = decode(number, bytes);
    if (m) seen_.emplace(number, m);
    return m;
  }
  core::Store& db_;
  std::unordered_map<uint64_t, MessagePtr> seen_;
};

}  // namespace

StatusOr<Persist::State> Persist::load() {
  State out;
  try {
    auto meta = store_.prepare("SELECT key, value FROM pubsub_meta");
    while (meta.step()) {
      std::string k = meta.column_text(0);
      if (k == "last_message") out.last_number = static_cast<uint64_t>(meta.column_int(1));
      if (k == "next_serial") out.next_serial = static_cast<uint64_t>(meta.column_int(1));
    }
    RETURN_IF_ERROR(meta.status());
    std::map<uint64_t, size_t> topic_at, sub_at, snap_at;  // serial → index
    auto topics = store_.prepare("SELECT name, serial, body FROM pubsub_topics ORDER BY serial");
    while (topics.step()) {
      TopicRow t{topics.column_text(0), static_cast<uint64_t>(topics.column_int(1)),
                 topic_of(json::parse(topics.column_text(2))), {}};
      topic_at[t.serial] = out.topics.size();
      out.topics.push_back(std::move(t));
    }
    RETURN_IF_ERROR(topics.status());
    auto subs = store_.prepare("SELECT name, serial, topic_serial, detached, body FROM pubsub_subscriptions ORDER BY serial");
    while (subs.step()) {
      SubRow s{subs.column_text(0), static_cast<uint64_t>(subs.column_int(1)), static_cast<uint64_t>(subs.column_int(2)),
               subs.column_int(3) != 0, sub_of(json::parse(subs.column_text(4))), {}};
      sub_at[s.serial] = out.subs.size();
      out.subs.push_back(std::move(s));
    }
    RETURN_IF_ERROR(subs.status());
    auto snaps = store_.prepare(
        "SELECT name, serial, topic, topic_serial, expire_time, labels FROM pubsub_snapshots ORDER BY serial");
    while (snaps.step()) {
      SnapshotRow s;
      s.info = Snapshot{snaps.column_text(0), snaps.column_text(2), Time{Duration{snaps.column_int(4)}},
                        json::parse(snaps.column_text(5)).get<StringMap>()};
      s.serial = static_cast<uint64_t>(snaps.column_int(1));
      s.topic_serial = static_cast<uint64_t>(snaps.column_int(3));
      snap_at[s.serial] = out.snapshots.size();
      out.snapshots.push_back(std::move(s));
    }
    RETURN_IF_ERROR(snaps.status());
    Reader reader(store_);
    RETURN_IF_ERROR(reader.rows("pubsub_history", [&](uint64_t serial, MessagePtr m, bool) {
      if (auto it = topic_at.find(serial); it != topic_at.end()) out.topics[it->second].history.push_back(std::move(m));
    }));
    RETURN_IF_ERROR(reader.rows("pubsub_entries", [&](uint64_t serial, MessagePtr m, bool acked) {
      if (auto it = sub_at.find(serial); it != sub_at.end()) out.subs[it->second].entries.push_back({std::move(m), acked});
    }));
    RETURN_IF_ERROR(reader.rows("pubsub_snapshot_messages", [&](uint64_t serial, MessagePtr m, bool) {
      if (auto it = snap_at.find(serial); it != snap_at.end()) out.snapshots[it->second].messages.push_back(std::move(m));
    }));
  } catch (const json::exception& e) {
    return Status(core::Code::kDataLoss, std::string("pubsub: unreadable row: ") + e.what());
  }
  return out;
}

StatusOr<std::vector<std::vector<SchemaRevision>>> Persist::load_schemas() {
  std::vector<std::vector<SchemaRevision>> out;
  auto st = store_.prepare(
      "SELECT name, type, definition, revision_id, create_time FROM pubsub_schemas ORDER BY name, ord");
  std::string last;
  while (st.step()) {
    std::string name = st.column_text(0);
    if (out.empty() || name != last) out.emplace_back();
    last = name;
    out.back().push_back(SchemaRevision{name, static_cast<SchemaType>(st.column_int(1)), st.column_text(2),
                                        st.column_text(3), Time{Duration{st.column_int(4)}}});
  }
  RETURN_IF_ERROR(st.status());
  return out;
}

}  // namespace gcpsim::services::pubsub
