// StreamingPull over a stream whose responses are not written out yet: a congested stream
// is handed no more messages; they follow, batched, once its writes complete.
#include <catch2/catch.hpp>

#include <google/pubsub/v1/pubsub.pb.h>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/pubsub/service.h"
#include "service_context.h"

namespace pubsub_streaming_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
namespace pubsub = gcpsim::services::pubsub;
using namespace std::chrono_literals;
namespace v1 = google::pubsub::v1;

namespace {

const std::string kTopic = "projects/demo-project/topics/orders";
const std::string kSub = "projects/demo-project/subscriptions/orders-sub";

// A stream whose written responses stay queued until the test lets the transport take them.
struct QueuedStream : net::ServerStream {
  std::vector<v1::StreamingPullResponse> written;
  size_t queued = 0;
  bool finished = false;
  bool write(const net::Message& m) override {
    if (finished) return false;
    written.push_back(static_cast<const v1::StreamingPullResponse&>(m));
    ++queued;
    return true;
  }
  void finish(core::Status) override { finished = true; }
  bool closed() const override { return finished; }
  bool congested() const override { return queued >= kMaxQueuedWrites; }
  // The transport took every queued response.
  void drain() {
    bool was = congested();
    queued = 0;
    if (was && on_writable) on_writable();
  }
  size_t messages() const {
    size_t n = 0;
    for (const auto& r : written) n += r.received_messages_size();
    return n;
  }
};

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-01T00:00:00Z")};
  core::Ids ids{3};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> store = std::move(core::Store::open("")).value();
  core::Env env{clock, ids, events, faults, *store};
  testing::ServiceContext sc{env};
  std::unique_ptr<services::Service> service = pubsub::create(sc.ctx);
  pubsub::PubsubService& ps = *dynamic_cast<pubsub::PubsubService*>(service.get());

  Fixture() {
    service->start();
    auto t = ps.domain().create_topic(kTopic, {});
    INFO(t.status().to_string());
    REQUIRE(t.ok());
    pubsub::SubscriptionConfig c;
    c.topic = kTopic;
    REQUIRE(ps.domain().create_subscription(kSub, c).ok());
  }
  ~Fixture() { service->stop(); }

  std::shared_ptr<QueuedStream> open_stream() {
    auto s = std::make_shared<QueuedStream>();
    const net::StreamMethod* m = sc.methods.stream("/google.pubsub.v1.Subscriber/StreamingPull");
    REQUIRE(m != nullptr);
    m->open(s);
    v1::StreamingPullRequest first;
    first.set_subscription(kSub);
    first.set_stream_ack_deadline_seconds(60);
    first.set_max_outstanding_messages(1000);
    s->on_read(first);
    return s;
  }
  void publish(const std::string& data) {
    REQUIRE(ps.domain().publish(kTopic, {pubsub::MessageSpec{data, {}, ""}}).ok());
  }
};

}  // namespace

TEST_CASE("a StreamingPull stream with writes pending gets no more messages until they complete") {
  Fixture f;
  auto s = f.open_stream();
  f.publish("a");
  f.publish("b");
  REQUIRE(s->written.size() == 2);  // one response each while the stream keeps up
  REQUIRE(s->congested());
  for (auto d : {"c", "d", "e"}) f.publish(d);
  CHECK(s->written.size() == 2);
  // Held back, not leased: they stay in the backlog, not charged to the stream's flow control.
  CHECK(*f.ps.domain().backlog(kSub) == 5);

  s->drain();
  REQUIRE(s->written.size() == 3);
  const auto& batch = s->written.back();
  REQUIRE(batch.received_messages_size() == 3);  // everything held back, in one response
  CHECK(batch.received_messages(0).message().data() == "c");
  CHECK(batch.received_messages(2).message().data() == "e");
  CHECK(s->messages() == 5);

  // Acks still flow while congested, and an acked message is not redelivered.
  f.publish("f");
  CHECK(s->messages() == 6);
  CHECK(s->congested());
  v1::StreamingPullRequest acks;
  for (const auto& r : s->written)
    for (const auto& m : r.received_messages()) acks.add_ack_ids(m.ack_id());
  s->on_read(acks);
  CHECK(*f.ps.domain().backlog(kSub) == 0);
}

TEST_CASE("a StreamingPull stream writes a large leased batch a response at a time as its queue drains") {
  Fixture f;
  auto payload = [](int i) { return std::to_string(1000 + i) + std::string(1020, 'x'); };  // 1 KiB
  for (int i = 0; i < 300; ++i) f.publish(payload(i));
  auto s = f.open_stream();
  // All 300 are leased to the stream (its flow limit is 1,000), but only what its write queue
  // holds is serialized: two responses of at most 128 KiB.
  REQUIRE(s->written.size() == 2);
  CHECK(s->congested());
  size_t first_two = s->messages();
  CHECK(first_two < 300);
  for (const auto& r : s->written) CHECK(r.received_messages_size() <= 128);
  f.publish(payload(300));  // not leased while the stream still has messages to write
  CHECK(s->messages() == first_two);
  for (int rounds = 0; s->messages() < 301 && rounds < 10; ++rounds) s->drain();
  REQUIRE(s->messages() == 301);
  int i = 0;
  for (const auto& r : s->written)
    for (const auto& m : r.received_messages()) CHECK(m.message().data() == payload(i++));
}

TEST_CASE("leased messages a StreamingPull stream never wrote go back at once when its client closes") {
  Fixture f;
  for (int i = 0; i < 300; ++i) f.publish(std::to_string(i) + std::string(1020, 'x'));
  auto s = f.open_stream();
  REQUIRE(s->congested());
  size_t written = s->messages();
  REQUIRE(written < 300);
  s->on_close();
  // No clock advance: the unwritten ones are ready again, the written ones wait out their lease.
  auto second = f.open_stream();
  for (int rounds = 0; rounds < 20 && second->messages() < 300 - written; ++rounds) second->drain();
  CHECK(second->messages() == 300 - written);
}

}  // namespace pubsub_streaming_test
