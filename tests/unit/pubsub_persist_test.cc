// Pub/Sub over a data directory: a second domain opened over the same SQLite file while the
// first is still alive (as after kill -9: only what was committed is there) finds every
// topic, subscription setting, snapshot, schema and unacked message; acked ones stay acked.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "core/clock.h"
#include "core/events.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/pubsub/domain.h"
#include "services/pubsub/schemas.h"

namespace pubsub_persist_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::pubsub;
using namespace std::chrono_literals;

namespace {

const std::string kTopic = "projects/p/topics/orders";
const std::string kDlt = "projects/p/topics/orders-dlq";
const std::string kSub = "projects/p/subscriptions/orders-sub";

struct DataDir {
  std::string path;
  DataDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gcpsim-pubsub-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()));
    path = tmpl;
  }
  ~DataDir() { std::filesystem::remove_all(path); }
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
};

// One gcpsim process over the data directory: its own store connection, ids and domain.
struct Process {
  std::unique_ptr<core::Store> store;
  core::Ids ids{7};
  Domain domain;
  Process(core::Clock& clock, core::Events& events, const std::string& dir)
      : store(open(dir)), domain(clock, ids, events) {
    auto st = domain.persist_to(*store);
    INFO(st.to_string());
    REQUIRE(st.is_ok());
  }
  static std::unique_ptr<core::Store> open(const std::string& dir) {
    auto s = core::Store::open(dir + "/gcpsim.db");
    REQUIRE(s.ok());
    return std::move(s).value();
  }
};

struct Fixture {
  DataDir dir;
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-01T00:00:00Z")};
  core::Events events{clock};
  std::unique_ptr<Process> first = std::make_unique<Process>(clock, events, dir.path);

  // The kill: the next process opens the file while the first still holds its state; then the
  // first goes away without being asked to save anything.
  std::unique_ptr<Process> restart() {
    auto next = std::make_unique<Process>(clock, events, dir.path);
    first.reset();
    return next;
  }
  std::string publish(Domain& d, const std::string& data, const std::string& key = "", StringMap attrs = {}) {
    auto ids = d.publish(kTopic, {MessageSpec{data, std::move(attrs), key}});
    INFO(ids.status().to_string());
    REQUIRE(ids.ok());
    return ids->at(0);
  }
  static std::vector<std::string> data(const std::vector<Delivery>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(std::string(d.message->data()));
    return out;
  }
  static std::vector<Delivery> pull(Domain& d, int max = 100, const std::string& sub = kSub) {
    auto got = d.pull(sub, max);
    INFO(got.status().to_string());
    REQUIRE(got.ok());
    return *got;
  }
};

SubscriptionConfig every_setting() {
  SubscriptionConfig c;
  c.topic = kTopic;
  c.ack_deadline = 42s;
  c.retain_acked_messages = true;
  c.message_retention = 2h;
  c.labels = {{"team", "billing"}};
  c.enable_message_ordering = true;
  c.expiration_ttl = std::nullopt;
  c.filter = "attributes.kind = \"order\"";
  c.dead_letter = DeadLetterPolicy{kDlt, 7};
  c.retry = RetryPolicy{5s, 60s};
  c.exactly_once = true;
  PushConfig push;
  push.endpoint = "https://example.com/push";
  push.attributes = {{"x-goog-version", "v1"}};
  push.oidc = PushConfig::Oidc{"sa@p.iam.gserviceaccount.com", "aud"};
  push.no_wrapper = true;
  push.write_metadata = true;
  c.push = push;
  c.passthrough = "opaque";
  return c;
}

}  // namespace

TEST_CASE_METHOD(Fixture, "topics and subscriptions come back with every setting after a kill") {
  TopicConfig t;
  t.labels = {{"env", "dev"}};
  t.message_retention = 1h;
  t.kms_key_name = "projects/p/locations/l/keyRings/r/cryptoKeys/k";
  t.passthrough = "kept";
  REQUIRE(first->domain.create_topic(kTopic, t).ok());
  REQUIRE(first->domain.create_topic(kDlt, {}).ok());
  REQUIRE(first->domain.create_subscription(kSub, every_setting()).ok());
  SubscriptionConfig plain;
  plain.topic = kTopic;
  REQUIRE(first->domain.create_subscription("projects/p/subscriptions/detached", plain).ok());
  REQUIRE(first->domain.detach_subscription("projects/p/subscriptions/detached").ok());
  SubscriptionConfig to_bq;
  to_bq.topic = kTopic;
  to_bq.bigquery = BigQueryConfig{"p.analytics.events", false, true, true, true};
  REQUIRE(first->domain.create_subscription("projects/p/subscriptions/to-bq", to_bq).ok());

  auto next = restart();
  auto bq = next->domain.get_subscription("projects/p/subscriptions/to-bq");
  REQUIRE(bq.ok());
  REQUIRE(bq->config.bigquery);
  CHECK(bq->config.bigquery->table == "p.analytics.events");
  CHECK_FALSE(bq->config.bigquery->use_topic_schema);
  CHECK(bq->config.bigquery->use_table_schema);
  CHECK(bq->config.bigquery->write_metadata);
  CHECK(bq->config.bigquery->drop_unknown_fields);
  auto topic = next->domain.get_topic(kTopic);
  REQUIRE(topic.ok());
  CHECK(topic->config.labels == t.labels);
  CHECK(topic->config.message_retention == 1h);
  CHECK(topic->config.kms_key_name == t.kms_key_name);
  CHECK(topic->config.passthrough == "kept");
  auto sub = next->domain.get_subscription(kSub);
  REQUIRE(sub.ok());
  SubscriptionConfig want = every_setting();
  const SubscriptionConfig& got = sub->config;
  CHECK(got.topic == want.topic);
  CHECK(got.ack_deadline == 42s);
  CHECK(got.retain_acked_messages);
  CHECK(got.message_retention == 2h);
  CHECK(got.labels == want.labels);
  CHECK(got.enable_message_ordering);
  CHECK_FALSE(got.expiration_ttl.has_value());
  CHECK(got.filter == want.filter);
  REQUIRE(got.dead_letter);
  CHECK(got.dead_letter->topic == kDlt);
  CHECK(got.dead_letter->max_delivery_attempts == 7);
  REQUIRE(got.retry);
  CHECK(got.retry->minimum_backoff == 5s);
  CHECK(got.retry->maximum_backoff == 60s);
  CHECK(got.exactly_once);
  REQUIRE(got.push);
  CHECK(got.push->endpoint == want.push->endpoint);
  CHECK(got.push->attributes == want.push->attributes);
  REQUIRE(got.push->oidc);
  CHECK(got.push->oidc->service_account_email == "sa@p.iam.gserviceaccount.com");
  CHECK(got.push->oidc->audience == "aud");
  CHECK(got.push->no_wrapper);
  CHECK(got.push->write_metadata);
  CHECK(got.passthrough == "opaque");
  auto detached = next->domain.get_subscription("projects/p/subscriptions/detached");
  REQUIRE(detached.ok());
  CHECK(detached->detached);
  CHECK(next->domain.pull("projects/p/subscriptions/detached", 1).status().code() == core::Code::kFailedPrecondition);
  // A publish after the restart reaches the subscription loaded from the store.
  std::string id = publish(next->domain, "after", "", {{"kind", "order"}});
  CHECK(data(pull(next->domain)) == std::vector<std::string>{"after"});
  CHECK(std::stoull(id) == 1);
}

TEST_CASE_METHOD(Fixture, "unacked messages are delivered again after a kill, acked ones never") {
  REQUIRE(first->domain.create_topic(kTopic, {}).ok());
  REQUIRE(first->domain.create_subscription(kSub, SubscriptionConfig{.topic = kTopic}).ok());
  for (const char* m : {"a", "b", "c", "d"}) publish(first->domain, m, "", {{"k", "v"}});
  auto leased = pull(first->domain, 3);
  REQUIRE(data(leased) == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(first->domain.acknowledge(kSub, {leased[0].ack_id, leased[2].ack_id}).ok());
  std::string last = leased[2].message->id();

  auto next = restart();
  // b was leased (its lease ends with the process), d never delivered; a and c were acked.
  auto again = pull(next->domain);
  CHECK(data(again) == std::vector<std::string>{"b", "d"});
  REQUIRE(again.size() == 2);
  CHECK(again[0].message->attributes().to_map() == StringMap{{"k", "v"}});
  CHECK(again[0].message->publish_time() == leased[1].message->publish_time());
  REQUIRE(next->domain.acknowledge(kSub, {again[0].ack_id, again[1].ack_id}).ok());
  // Message ids go on after the highest one handed out before the kill: none is reused.
  std::string id = publish(next->domain, "e");
  CHECK(std::stoull(id) > 4);

  first = std::move(next);
  auto third = restart();
  CHECK(data(pull(third->domain)) == std::vector<std::string>{"e"});
}

TEST_CASE_METHOD(Fixture, "ordered keys come back in order, one outstanding batch per key") {
  REQUIRE(first->domain.create_topic(kTopic, {}).ok());
  REQUIRE(first->domain.create_subscription(kSub, SubscriptionConfig{.topic = kTopic, .enable_message_ordering = true}).ok());
  for (const char* m : {"k1-1", "k1-2", "k1-3"}) publish(first->domain, m, "k1");
  publish(first->domain, "k2-1", "k2");
  auto got = pull(first->domain, 1);
  REQUIRE(data(got) == std::vector<std::string>{"k1-1"});
  REQUIRE(first->domain.acknowledge(kSub, {got[0].ack_id}).ok());

  auto next = restart();
  // Keys are independent (no order between them); within k1 the order is the publish order.
  auto after = pull(next->domain);
  std::vector<std::string> k1;
  const Delivery* k1_head = nullptr;
  for (const auto& d : after) {
    if (d.message->ordering_key() != "k1") continue;
    if (!k1_head) k1_head = &d;
    k1.push_back(std::string(d.message->data()));
  }
  CHECK(k1 == std::vector<std::string>{"k1-2", "k1-3"});
  CHECK(after.size() == 3);
  // Nacking k1-2 brings k1-2 and k1-3 back together, in order, as before the kill.
  REQUIRE(k1_head);
  REQUIRE(next->domain.modify_ack_deadline(kSub, {k1_head->ack_id}, 0s).ok());
  CHECK(data(pull(next->domain)) == std::vector<std::string>{"k1-2", "k1-3"});
}

TEST_CASE_METHOD(Fixture, "retained acked messages, snapshots and seek survive a kill") {
  TopicConfig t;
  t.message_retention = 1h;
  REQUIRE(first->domain.create_topic(kTopic, t).ok());
  REQUIRE(first->domain.create_subscription(kSub, SubscriptionConfig{.topic = kTopic, .retain_acked_messages = true}).ok());
  publish(first->domain, "old");
  auto got = pull(first->domain);
  REQUIRE(first->domain.acknowledge(kSub, {got[0].ack_id}).ok());
  REQUIRE(first->domain.create_snapshot("projects/p/snapshots/snap", kSub, {{"a", "b"}}).ok());
  clock.advance(1min);
  publish(first->domain, "new");

  auto next = restart();
  CHECK(data(pull(next->domain)) == std::vector<std::string>{"new"});
  auto counts = next->domain.counts(kSub);
  REQUIRE(counts.ok());
  CHECK(counts->acked == 1);
  auto snap = next->domain.get_snapshot("projects/p/snapshots/snap");
  REQUIRE(snap.ok());
  CHECK(snap->labels == StringMap{{"a", "b"}});
  CHECK(snap->topic == kTopic);
  // The snapshot holds "new" (published after it was taken) but not the acked "old".
  REQUIRE(next->domain.seek_to_snapshot(kSub, "projects/p/snapshots/snap").ok());
  CHECK(data(pull(next->domain)) == std::vector<std::string>{"new"});
  // Seek to a time replays the retained acked message too.
  REQUIRE(next->domain.seek_to_time(kSub, *core::parse_rfc3339("2026-01-01T00:00:00Z")).ok());
  first = std::move(next);
  auto third = restart();  // the seek itself was written
  CHECK(data(pull(third->domain)) == std::vector<std::string>{"old", "new"});
}

TEST_CASE_METHOD(Fixture, "dead-lettered messages and deleted resources stay as they were") {
  REQUIRE(first->domain.create_topic(kTopic, {}).ok());
  REQUIRE(first->domain.create_topic(kDlt, {}).ok());
  REQUIRE(first->domain.create_subscription("projects/p/subscriptions/dlq", SubscriptionConfig{.topic = kDlt}).ok());
  SubscriptionConfig c{.topic = kTopic};
  c.dead_letter = DeadLetterPolicy{kDlt, 5};
  c.retry = RetryPolicy{0s, 0s};
  REQUIRE(first->domain.create_subscription(kSub, c).ok());
  publish(first->domain, "poison");
  for (int i = 0; i < 5; ++i) {
    auto got = pull(first->domain);
    REQUIRE(got.size() == 1);
    REQUIRE(first->domain.modify_ack_deadline(kSub, {got[0].ack_id}, 0s).ok());
  }
  REQUIRE(first->domain.create_subscription("projects/p/subscriptions/gone", SubscriptionConfig{.topic = kTopic}).ok());
  REQUIRE(first->domain.delete_subscription("projects/p/subscriptions/gone").ok());
  REQUIRE(first->domain.delete_topic(kTopic).ok());

  auto next = restart();
  CHECK(pull(next->domain).empty());
  auto dlq = pull(next->domain, 10, "projects/p/subscriptions/dlq");
  REQUIRE(data(dlq) == std::vector<std::string>{"poison"});
  CHECK(dlq[0].message->attributes().find("CloudPubSubDeadLetterSourceDeliveryCount") == "5");
  CHECK(next->domain.get_topic(kTopic).status().code() == core::Code::kNotFound);
  CHECK(next->domain.get_subscription("projects/p/subscriptions/gone").status().code() == core::Code::kNotFound);
  auto orphan = next->domain.get_subscription(kSub);
  REQUIRE(orphan.ok());
  CHECK(orphan->config.topic == "_deleted-topic_");
  // A topic created again under the old name is a new topic: the orphan stays orphaned.
  REQUIRE(next->domain.create_topic(kTopic, {}).ok());
  publish(next->domain, "fresh");
  CHECK(pull(next->domain).empty());
}

TEST_CASE_METHOD(Fixture, "schemas and their revisions survive a kill") {
  core::Ids ids{1};
  Schemas schemas{clock, ids};
  REQUIRE(schemas.persist_to(*first->domain.persistence()).is_ok());
  const std::string name = "projects/p/schemas/order";
  const std::string v1 = R"({"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]})";
  const std::string v2 =
      R"({"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"n","type":"int","default":0}]})";
  auto r1 = schemas.create(name, SchemaType::kAvro, v1);
  REQUIRE(r1.ok());
  auto r2 = schemas.commit(name, SchemaType::kAvro, v2);
  REQUIRE(r2.ok());
  REQUIRE(schemas.create("projects/p/schemas/gone", SchemaType::kAvro, v1).ok());
  REQUIRE(schemas.remove("projects/p/schemas/gone").is_ok());

  auto next = restart();
  Schemas again{clock, ids};
  REQUIRE(again.persist_to(*next->domain.persistence()).is_ok());
  auto revs = again.revisions(name);
  REQUIRE(revs.ok());
  REQUIRE(revs->size() == 2);
  CHECK((*revs)[0].revision_id == r2->revision_id);
  CHECK((*revs)[1].definition == v1);
  CHECK(again.get("projects/p/schemas/gone").status().code() == core::Code::kNotFound);
  // The validators are compiled again: a message is checked against the stored revisions.
  SchemaSettings s{name, Encoding::kJson, "", ""};
  CHECK(again.check_message(s, R"({"id":"x","n":1})").is_ok());
  CHECK_FALSE(again.check_message(s, R"({"nope":1})").is_ok());
}

}  // namespace pubsub_persist_test
