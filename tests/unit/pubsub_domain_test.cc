// Specification of the Pub/Sub domain on virtual time: leases, redelivery, backoff, dead
// letters, ordering, exactly-once, flow control, seek, snapshots, retention, detach, expiry.
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/events.h"
#include "core/ids.h"
#include "services/pubsub/domain.h"

namespace pubsub_domain_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::pubsub;
using namespace std::chrono_literals;

namespace {

const std::string kTopic = "projects/p/topics/orders";
const std::string kSub = "projects/p/subscriptions/orders-sub";
const std::string kDlt = "projects/p/topics/orders-dlq";
const std::string kDlqSub = "projects/p/subscriptions/orders-dlq-sub";

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-01T00:00:00Z")};
  core::Ids ids{7};
  core::Events events{clock};
  Domain domain{clock, ids, events};

  Fixture() { REQUIRE(domain.create_topic(kTopic, {}).ok()); }

  std::string subscription(SubscriptionConfig c = {}, const std::string& name = kSub) {
    c.topic = c.topic.empty() ? kTopic : c.topic;
    auto s = domain.create_subscription(name, c);
    INFO(s.status().to_string());
    REQUIRE(s.ok());
    return name;
  }
  std::string publish(const std::string& data, const std::string& key = "", StringMap attrs = {}) {
    auto ids = domain.publish(kTopic, {MessageSpec{data, std::move(attrs), key}});
    INFO(ids.status().to_string());
    REQUIRE(ids.ok());
    return ids->at(0);
  }
  std::vector<Delivery> pull(const std::string& sub = kSub, int max = 100) {
    auto got = domain.pull(sub, max);
    INFO(got.status().to_string());
    REQUIRE(got.ok());
    return *got;
  }
  static std::vector<std::string> data(const std::vector<Delivery>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(std::string(d.message->data()));
    return out;
  }
  void ack(const Delivery& d, const std::string& sub = kSub) {
    auto r = domain.acknowledge(sub, {d.ack_id});
    REQUIRE(r.ok());
  }
  Domain::ConsumerId attach(Consumer& c, int64_t max_messages) {
    auto id = domain.attach(kSub, &c, FlowLimits{.max_messages = max_messages, .max_bytes = 0, .lease = 10s});
    REQUIRE(id.ok());
    return *id;
  }
  void nack(const Delivery& d, const std::string& sub = kSub) {
    REQUIRE(domain.modify_ack_deadline(sub, {d.ack_id}, 0s).ok());
  }
};

struct Recorder : Consumer {
  std::vector<Delivery> got;
  std::optional<Status> closed_with;
  bool open = true;  // accepting()
  int batches = 0;
  void deliver(std::vector<Delivery> batch) override {
    ++batches;
    for (auto& d : batch) got.push_back(std::move(d));
  }
  bool accepting() const override { return open; }
  void closed(const Status& why) override { closed_with = why; }
};

}  // namespace

TEST_CASE("published messages get sequential ids and the clock's publish time") {
  Fixture f;
  f.subscription();
  f.clock.advance(5s);
  CHECK(f.publish("a") == "1");
  CHECK(f.publish("b") == "2");
  auto got = f.pull();
  REQUIRE(got.size() == 2);
  CHECK(got[0].message->publish_time() == *core::parse_rfc3339("2026-01-01T00:00:05Z"));
  CHECK(got[0].delivery_attempt == 0);  // no dead-letter policy: not reported
}

TEST_CASE("publish rejects what the real service rejects") {
  Fixture f;
  CHECK(f.domain.publish(kTopic, {MessageSpec{}}).status().code() == core::Code::kInvalidArgument);
  CHECK(f.domain.publish(kTopic, std::vector<MessageSpec>{}).status().code() == core::Code::kInvalidArgument);
  CHECK(f.domain.publish(kTopic, std::vector<MessageSpec>(1001, MessageSpec{"x", {}, ""})).status().message() ==
        "The value for message_count is too large. You passed 1001 in the request, but the maximum value is 1000.");
  MessageSpec reserved{"x", {{"googkey", "v"}}, ""};
  CHECK(f.domain.publish(kTopic, {reserved}).status().code() == core::Code::kInvalidArgument);
  MessageSpec big{std::string(10'000'001, 'x'), {}, ""};
  CHECK(f.domain.publish(kTopic, {big}).status().code() == core::Code::kInvalidArgument);
  auto missing = f.domain.publish("projects/p/topics/nope", {MessageSpec{"x", {}, ""}});
  CHECK(missing.status().code() == core::Code::kNotFound);
  CHECK(missing.status().message() == "Resource not found (resource=nope).");
  CHECK(f.domain.create_topic(kTopic, {}).status().message() ==
        "Resource already exists in the project (resource=orders).");
  CHECK(f.domain.create_topic("projects/p/topics/x", {}).status().message() ==
        "Invalid [topics] name: (name=projects/p/topics/x)");
  CHECK(f.domain.create_topic("projects/p/topics/goog-topic", {}).status().code() == core::Code::kInvalidArgument);
}

TEST_CASE("an unacked message is redelivered when its ack deadline expires") {
  Fixture f;
  f.subscription({.ack_deadline = 30s});
  f.publish("hello");
  auto first = f.pull().at(0);
  f.clock.advance(29s);
  CHECK(f.pull().empty());
  f.clock.advance(1s);
  auto again = f.pull().at(0);
  CHECK(again.message->id() == first.message->id());
  CHECK(again.ack_id != first.ack_id);
}

TEST_CASE("modifyAckDeadline extends a lease, deadline 0 nacks for immediate redelivery") {
  Fixture f;
  f.subscription();
  f.publish("hello");
  auto m = f.pull().at(0);
  REQUIRE(f.domain.modify_ack_deadline(kSub, {m.ack_id}, 60s).ok());
  f.clock.advance(59s);
  CHECK(f.pull().empty());
  f.nack(m);
  CHECK(f.pull().size() == 1);
  CHECK(f.domain.modify_ack_deadline(kSub, {m.ack_id}, 601s).status().code() == core::Code::kInvalidArgument);
}

TEST_CASE("an acked message is never redelivered") {
  Fixture f;
  f.subscription();
  f.publish("hello");
  f.ack(f.pull().at(0));
  f.clock.advance(1h);
  CHECK(f.pull().empty());
}

TEST_CASE("the backoff sequence lands at exact virtual times") {
  Fixture f;
  f.subscription({.retry = RetryPolicy{10s, 60s}});
  f.publish("hello");
  core::Time t0 = f.clock.now();
  std::vector<core::Duration> seen;
  for (int i = 0; i < 5; ++i) {
    auto got = f.pull();
    while (got.empty()) {
      f.clock.advance(1s);
      got = f.pull();
    }
    seen.push_back(f.clock.now() - t0);
    f.nack(got.at(0));
  }
  // Delivered at 0, then 10s, 20s, 40s, 60s after each nack.
  CHECK(seen == std::vector<core::Duration>{0s, 10s, 30s, 70s, 130s});
}

TEST_CASE("after max delivery attempts a message moves to the dead-letter topic") {
  Fixture f;
  REQUIRE(f.domain.create_topic(kDlt, {}).ok());
  f.subscription({.topic = kDlt}, kDlqSub);
  f.subscription({.dead_letter = DeadLetterPolicy{kDlt, 5}});
  f.publish("poison", "", {{"kind", "x"}});
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto m = f.pull().at(0);
    CHECK(m.delivery_attempt == attempt);
    f.nack(m);
  }
  CHECK(f.pull().empty());
  auto dead = f.pull(kDlqSub).at(0);
  CHECK(dead.message->data() == "poison");
  CHECK(dead.message->attributes().to_map().at("kind") == "x");
  CHECK(dead.message->attributes().to_map().at("CloudPubSubDeadLetterSourceDeliveryCount") == "5");
  CHECK(dead.message->attributes().to_map().at("CloudPubSubDeadLetterSourceSubscription") == "orders-sub");
  CHECK(dead.message->attributes().to_map().at("CloudPubSubDeadLetterSourceSubscriptionProject") == "p");
  CHECK(dead.message->attributes().to_map().at("CloudPubSubDeadLetterSourceTopicPublishTime") == "2026-01-01T00:00:00Z");
}

TEST_CASE("expired leases count as failed deliveries towards dead-lettering") {
  Fixture f;
  REQUIRE(f.domain.create_topic(kDlt, {}).ok());
  f.subscription({.topic = kDlt}, kDlqSub);
  f.subscription({.dead_letter = DeadLetterPolicy{kDlt, 5}});
  f.publish("slow");
  for (int attempt = 1; attempt <= 5; ++attempt) {
    REQUIRE(f.pull().at(0).delivery_attempt == attempt);
    f.clock.advance(10s);
  }
  CHECK(f.pull().empty());
  CHECK(f.pull(kDlqSub).size() == 1);
}

TEST_CASE("dead-letter policy bounds follow the real service") {
  Fixture f;
  REQUIRE(f.domain.create_topic(kDlt, {}).ok());
  SubscriptionConfig c{.topic = kTopic, .dead_letter = DeadLetterPolicy{kDlt, 3}};
  auto s = f.domain.create_subscription(kSub, c);
  CHECK(s.status().message() ==
        "The value for max_delivery_attempts is too small. You passed 3 in the request, but the minimum value is 5.");
}

TEST_CASE("an ordering key is held while one of its messages is outstanding") {
  Fixture f;
  f.subscription({.enable_message_ordering = true});
  f.publish("k1-a", "k1");
  auto a = f.pull().at(0);
  f.publish("k1-b", "k1");
  f.publish("k2-a", "k2");
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"k2-a"});
  f.ack(a);
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"k1-b"});
}

TEST_CASE("a nack redelivers the message and every later one of its key, in order") {
  Fixture f;
  f.subscription({.enable_message_ordering = true});
  for (auto d : {"1", "2", "3"}) f.publish(d, "k");
  auto got = f.pull();
  REQUIRE(Fixture::data(got) == std::vector<std::string>{"1", "2", "3"});
  f.nack(got[1]);
  CHECK(f.pull().empty());  // "1" is still outstanding
  f.ack(got[0]);
  auto again = f.pull();
  CHECK(Fixture::data(again) == std::vector<std::string>{"2", "3"});
  // "3"'s first ack id was superseded: acking it now changes nothing.
  f.ack(got[2]);
  f.ack(again[0]);
  f.ack(again[1]);
  CHECK(f.pull().empty());
}

TEST_CASE("ordered redelivery waits for the retry policy's backoff") {
  Fixture f;
  f.subscription({.enable_message_ordering = true, .retry = RetryPolicy{10s, 600s}});
  f.publish("1", "k");
  f.publish("2", "k");
  auto got = f.pull();
  f.nack(got[0]);
  f.clock.advance(9s);
  CHECK(f.pull().empty());
  f.clock.advance(1s);
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"1", "2"});
}

TEST_CASE("exactly-once: acks of expired ack ids fail, live ones succeed") {
  Fixture f;
  f.subscription({.exactly_once = true});
  f.publish("a");
  f.publish("b");
  auto got = f.pull();
  REQUIRE(f.domain.acknowledge(kSub, {got[0].ack_id})->succeeded.size() == 1);
  f.clock.advance(10s);
  auto late = f.domain.acknowledge(kSub, {got[1].ack_id, "not-an-ack-id"});
  REQUIRE(late.ok());
  CHECK(late->succeeded.empty());
  CHECK(late->invalid == std::vector<std::string>{got[1].ack_id, "not-an-ack-id"});
  CHECK(f.domain.modify_ack_deadline(kSub, {got[1].ack_id}, 30s)->invalid.size() == 1);
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"b"});
}

TEST_CASE("without exactly-once, a late ack still counts until the message is redelivered") {
  Fixture f;
  f.subscription();
  f.publish("a");
  auto m = f.pull().at(0);
  f.clock.advance(10s);
  auto r = f.domain.acknowledge(kSub, {m.ack_id});
  REQUIRE(r.ok());
  CHECK(r->invalid.empty());
  CHECK(f.pull().empty());
  CHECK(f.domain.acknowledge(kSub, {"garbage"}).status().code() == core::Code::kInvalidArgument);
}

TEST_CASE("filters apply at publish: only matching messages reach the subscription") {
  Fixture f;
  f.subscription({.filter = "attributes.region = \"eu\" AND NOT attributes:test"});
  f.publish("eu", "", {{"region", "eu"}});
  f.publish("us", "", {{"region", "us"}});
  f.publish("eu-test", "", {{"region", "eu"}, {"test", "1"}});
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"eu"});
  SubscriptionConfig bad{.topic = kTopic, .filter = "attributes.region = "};
  CHECK(f.domain.create_subscription("projects/p/subscriptions/bad-filter", bad).status().code() ==
        core::Code::kInvalidArgument);
}

TEST_CASE("consumers get messages pushed within their flow-control limits") {
  Fixture f;
  f.subscription();
  Recorder r;
  auto id = f.attach(r, 2);
  for (auto d : {"1", "2", "3"}) f.publish(d);
  REQUIRE(r.got.size() == 2);
  f.ack(r.got[0]);
  REQUIRE(r.got.size() == 3);
  CHECK(r.got[2].message->data() == "3");
  f.domain.detach(id);
}

TEST_CASE("a consumer not accepting keeps messages ready, unleased, until it resumes") {
  Fixture f;
  f.subscription();
  Recorder r;
  auto id = f.attach(r, 10);
  f.publish("1");
  REQUIRE(r.got.size() == 1);
  r.open = false;
  for (auto d : {"2", "3", "4"}) f.publish(d);
  CHECK(r.got.size() == 1);
  // Nothing was leased meanwhile: the ack deadline passing does not count as an attempt.
  f.clock.advance(30s);
  CHECK(r.got.size() == 1);
  f.ack(r.got[0]);
  CHECK(r.got.size() == 1);  // room again, but still not accepting
  r.open = true;
  f.domain.resume(id);
  REQUIRE(r.got.size() == 4);
  CHECK(r.batches == 2);  // what became ready meanwhile comes in one batch
  CHECK(Fixture::data({r.got.begin() + 1, r.got.end()}) == std::vector<std::string>{"2", "3", "4"});
  f.domain.detach(id);
}

TEST_CASE("deleting a subscription closes its consumers") {
  Fixture f;
  f.subscription();
  Recorder r;
  REQUIRE(f.domain.attach(kSub, &r, {}).ok());
  REQUIRE(f.domain.delete_subscription(kSub).ok());
  REQUIRE(r.closed_with);
  CHECK(r.closed_with->code() == core::Code::kNotFound);
}

TEST_CASE("seek to a time redelivers retained acked messages published since") {
  Fixture f;
  f.subscription({.retain_acked_messages = true});
  f.publish("old");
  f.clock.advance(10s);
  core::Time middle = f.clock.now();
  f.publish("new");
  for (const auto& d : f.pull()) f.ack(d);
  REQUIRE(f.domain.seek_to_time(kSub, middle).ok());
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"new"});
}

TEST_CASE("seek to a time replays the topic's retained history") {
  Fixture f;
  REQUIRE(f.domain.update_topic(kTopic, TopicConfig{.message_retention = 1h}).ok());
  core::Time start = f.clock.now();
  f.publish("before the subscription existed");
  f.clock.advance(1s);
  f.subscription();
  REQUIRE(f.domain.seek_to_time(kSub, start).ok());
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"before the subscription existed"});
}

TEST_CASE("acks in any order leave the rest of the backlog in publish order, through seeks") {
  Fixture f;
  REQUIRE(f.domain.update_topic(kTopic, TopicConfig{.message_retention = 1h}).ok());
  f.subscription({.ack_deadline = 60s});
  core::Time start = f.clock.now();
  for (int i = 0; i < 10; ++i) f.publish(std::to_string(i));
  auto got = f.pull();
  REQUIRE(got.size() == 10);
  for (int i : {9, 1, 4, 5, 6, 7, 0}) f.ack(got[i]);
  CHECK(f.domain.backlog(kSub).value() == 3);
  f.nack(got[2]);
  f.nack(got[8]);
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"2", "8"});
  REQUIRE(f.domain.seek_to_time(kSub, start).ok());
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
}

TEST_CASE("a snapshot captures the unacked backlog and everything published after it") {
  Fixture f;
  f.subscription();
  f.publish("backlog");
  auto snap = f.domain.create_snapshot("projects/p/snapshots/snap", kSub, {});
  REQUIRE(snap.ok());
  CHECK(snap->expire_time == f.clock.now() + std::chrono::hours(24 * 7));
  f.publish("later");
  for (const auto& d : f.pull()) f.ack(d);
  REQUIRE(f.domain.seek_to_snapshot(kSub, "projects/p/snapshots/snap").ok());
  CHECK(Fixture::data(f.pull()) == std::vector<std::string>{"backlog", "later"});
  CHECK(f.domain.list_topic_snapshots(kTopic, {}, nullptr)->size() == 1);
}

TEST_CASE("seek to a snapshot of another topic fails") {
  Fixture f;
  REQUIRE(f.domain.create_topic("projects/p/topics/other", {}).ok());
  f.subscription();
  f.subscription({.topic = "projects/p/topics/other"}, "projects/p/subscriptions/other-sub");
  REQUIRE(f.domain.create_snapshot("projects/p/snapshots/snap", "projects/p/subscriptions/other-sub", {}).ok());
  CHECK(f.domain.seek_to_snapshot(kSub, "projects/p/snapshots/snap").code() ==
        core::Code::kFailedPrecondition);
}

TEST_CASE("snapshots expire on the clock") {
  Fixture f;
  f.subscription();
  REQUIRE(f.domain.create_snapshot("projects/p/snapshots/snap", kSub, {}).ok());
  f.clock.advance(std::chrono::hours(24 * 7));
  CHECK(f.domain.get_snapshot("projects/p/snapshots/snap").status().code() == core::Code::kNotFound);
}

TEST_CASE("unacked messages older than the retention duration are dropped") {
  Fixture f;
  f.subscription({.message_retention = 10min});
  f.publish("stale");
  f.clock.advance(10min);
  CHECK(f.pull().empty());
}

TEST_CASE("a detached subscription drops its backlog and refuses pulls") {
  Fixture f;
  f.subscription();
  f.publish("a");
  REQUIRE(f.domain.detach_subscription(kSub).ok());
  CHECK(f.domain.pull(kSub, 10).status().code() == core::Code::kFailedPrecondition);
  auto s = f.domain.get_subscription(kSub);
  CHECK(s->detached);
  CHECK(s->config.topic == "_deleted-topic_");
  CHECK(f.domain.list_topic_subscriptions(kTopic, {}, nullptr)->empty());
  f.publish("b");
  CHECK(*f.domain.backlog(kSub) == 0);
}

TEST_CASE("deleting the topic leaves subscriptions on _deleted-topic_") {
  Fixture f;
  f.subscription();
  REQUIRE(f.domain.delete_topic(kTopic).ok());
  CHECK(f.domain.get_subscription(kSub)->config.topic == "_deleted-topic_");
}

TEST_CASE("an inactive subscription expires after its TTL") {
  Fixture f;
  f.subscription({.message_retention = 1h, .expiration_ttl = std::chrono::hours(24)});
  f.clock.advance(std::chrono::hours(23));
  f.pull();  // activity
  f.clock.advance(std::chrono::hours(23));
  CHECK(f.domain.get_subscription(kSub).ok());
  f.clock.advance(std::chrono::hours(1));
  CHECK(f.domain.get_subscription(kSub).status().code() == core::Code::kNotFound);
}

TEST_CASE("subscription settings are validated like the real service") {
  Fixture f;
  auto bad = [&](SubscriptionConfig c) {
    c.topic = kTopic;
    return f.domain.create_subscription(kSub, c).status();
  };
  CHECK(bad({.ack_deadline = 601s}).message() ==
        "The value for ack_deadline_seconds is out of bounds. You passed 601 in the request, but the value must be "
        "between 10 and 600.");
  CHECK(bad({.message_retention = 5min}).code() == core::Code::kInvalidArgument);
  CHECK(bad({.retry = RetryPolicy{700s, 800s}}).code() == core::Code::kInvalidArgument);
  CHECK(f.domain.create_subscription(kSub, {.topic = "projects/p/topics/missing"}).status().message() ==
        "Resource not found (resource=missing).");
  f.subscription({.filter = "attributes:a"});
  auto current = f.domain.get_subscription(kSub)->config;
  current.filter = "attributes:b";
  CHECK(f.domain.update_subscription(kSub, current).status().code() == core::Code::kInvalidArgument);
}

TEST_CASE("labels on topics and subscriptions and snapshots follow the Google Cloud label rules") {
  Fixture f;
  auto topic = [&](StringMap labels) {
    TopicConfig c;
    c.labels = std::move(labels);
    return f.domain.update_topic(kTopic, c).status();
  };
  CHECK(topic({{"team", "a"}, {"env-1", ""}, {"k_2", "v-2_x"}, {"\xc3\xa9t\xc3\xa9", "\xc3\xa9"}}).is_ok());
  CHECK(topic({{"Bad-Key", "x"}}).message() ==
        "Invalid label key [Bad-Key]: keys must start with a lowercase letter and contain only lowercase letters, "
        "numbers, underscores and dashes (at most 63 characters).");
  CHECK(topic({{"1digit", "x"}}).code() == core::Code::kInvalidArgument);
  CHECK(topic({{"", "x"}}).code() == core::Code::kInvalidArgument);
  CHECK(topic({{std::string(64, 'k'), "x"}}).code() == core::Code::kInvalidArgument);
  CHECK(topic({{"ok", "UPPER"}}).code() == core::Code::kInvalidArgument);
  CHECK(topic({{"ok", std::string(64, 'v')}}).code() == core::Code::kInvalidArgument);
  StringMap many;
  for (int i = 0; i < 65; ++i) many["k" + std::to_string(i)] = "v";
  CHECK(topic(many).code() == core::Code::kInvalidArgument);
  CHECK(f.domain.create_topic("projects/p/topics/other", {.labels = {{"has space", "x"}}}).status().code() ==
        core::Code::kInvalidArgument);

  CHECK(f.domain.create_subscription(kSub, {.topic = kTopic, .labels = {{"Owner", "bob"}}}).status().code() ==
        core::Code::kInvalidArgument);
  f.subscription({.labels = {{"owner", "bob"}}});
  auto current = f.domain.get_subscription(kSub)->config;
  current.labels = {{"owner", "Bob"}};
  CHECK(f.domain.update_subscription(kSub, current).status().code() == core::Code::kInvalidArgument);

  CHECK(f.domain.create_snapshot("projects/p/snapshots/snap", kSub, {{"X", "y"}}).status().code() ==
        core::Code::kInvalidArgument);
  auto snap = f.domain.create_snapshot("projects/p/snapshots/snap", kSub, {{"x", "y"}});
  INFO(snap.status().to_string());
  REQUIRE(snap.ok());
  CHECK(f.domain.update_snapshot("projects/p/snapshots/snap", std::nullopt, StringMap{{"Y", "z"}}).status().code() ==
        core::Code::kInvalidArgument);
}

TEST_CASE("list operations page through names in order") {
  Fixture f;
  for (auto n : {"aaa", "bbb", "ccc"}) REQUIRE(f.domain.create_topic(std::string("projects/q/topics/") + n, {}).ok());
  std::string next;
  auto first = f.domain.list_topics("q", Page{2, ""}, &next);
  REQUIRE(first.size() == 2);
  CHECK(!next.empty());
  auto rest = f.domain.list_topics("q", Page{2, next}, &next);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].name == "projects/q/topics/ccc");
  CHECK(next.empty());
}

TEST_CASE("consumers still attached when the domain goes away are closed") {
  Recorder r;
  {
    Fixture f;
    f.subscription();
    REQUIRE(f.domain.attach(kSub, &r, {}).ok());
  }
  REQUIRE(r.closed_with);
  CHECK(r.closed_with->code() == core::Code::kUnavailable);
}

}  // namespace pubsub_domain_test
