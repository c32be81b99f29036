// Specification of the Pub/Sub domain's read-only views for the console: counts by
// delivery state, and a peek that leases, acks and reorders nothing.
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/events.h"
#include "core/ids.h"
#include "services/pubsub/domain.h"

namespace pubsub_inspect_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::pubsub;
using namespace std::chrono_literals;

namespace {

const std::string kTopic = "projects/p/topics/orders";
const std::string kSub = "projects/p/subscriptions/orders-sub";

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-01T00:00:00Z")};
  core::Ids ids{7};
  core::Events events{clock};
  Domain domain{clock, ids, events};

  Fixture() {
    REQUIRE(domain.create_topic(kTopic, {}).ok());
    REQUIRE(domain.create_subscription(kSub, {.topic = kTopic, .retain_acked_messages = true}).ok());
  }
  void publish(const std::string& data, const std::string& key = "") {
    REQUIRE(domain.publish(kTopic, {MessageSpec{data, {{"k", "v"}}, key}}).ok());
  }
  std::vector<Delivery> pull(int max) {
    auto got = domain.pull(kSub, max);
    REQUIRE(got.ok());
    return *got;
  }
};

}  // namespace

TEST_CASE("peek shows unacked messages in publish order without leasing them") {
  Fixture f;
  f.publish("a", "key");
  f.publish("b");
  auto peeked = f.domain.peek(kSub, 10);
  REQUIRE(peeked.ok());
  REQUIRE(peeked->size() == 2);
  CHECK(peeked->at(0).message->data() == "a");
  CHECK(peeked->at(0).message->ordering_key() == "key");
  CHECK(std::string(peeked->at(0).state) == "queued");
  CHECK(f.domain.peek(kSub, 1)->size() == 1);
  auto got = f.pull(10);  // peeking took nothing: both are still delivered, first attempt
  REQUIRE(got.size() == 2);
  CHECK(got[0].message->data() == "a");
  CHECK(std::string(f.domain.peek(kSub, 10)->at(0).state) == "leased");
}

TEST_CASE("counts split a subscription's messages by delivery state") {
  Fixture f;
  for (auto d : {"a", "b", "c", "d"}) f.publish(d);
  auto got = f.pull(3);
  REQUIRE(f.domain.acknowledge(kSub, {got[0].ack_id}).ok());
  REQUIRE(f.domain.modify_ack_deadline(kSub, {got[1].ack_id}, 0s).ok());
  auto c = f.domain.counts(kSub);
  REQUIRE(c.ok());
  CHECK(c->ready == 2);   // d, and b nacked back without a retry policy
  CHECK(c->leased == 1);  // c
  CHECK(c->acked == 1);   // a, retained
  CHECK(f.domain.peek(kSub, 10)->size() == 3);  // acked messages are not shown
  CHECK(f.domain.counts("projects/p/subscriptions/none").status().code() == core::Code::kNotFound);
  CHECK(f.domain.peek("nonsense", 1).status().code() == core::Code::kInvalidArgument);
}

}  // namespace pubsub_inspect_test
