// A Pull or StreamingPull whose caller has gone holds on to nothing: a waiting Pull leaves the
// line when its call is cancelled, and messages a call could not deliver go back at once.
#include <catch2/catch.hpp>

#include <google/pubsub/v1/pubsub.pb.h>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "net/rpc.h"
#include "services/pubsub/service.h"
#include "service_context.h"

namespace pubsub_pull_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
namespace pubsub = gcpsim::services::pubsub;
using namespace std::chrono_literals;
namespace v1 = google::pubsub::v1;

namespace {

const std::string kTopic = "projects/demo-project/topics/jobs";
const std::string kSub = "projects/demo-project/subscriptions/jobs-sub";

// A stream that writes what it is given until the test finishes it.
struct RecordingStream : net::ServerStream {
  std::vector<v1::StreamingPullResponse> written;
  bool finished = false;
  bool write(const net::Message& m) override {
    if (finished) return false;
    written.push_back(static_cast<const v1::StreamingPullResponse&>(m));
    return true;
  }
  void finish(core::Status) override { finished = true; }
  bool closed() const override { return finished; }
  bool congested() const override { return false; }
};

// One unary Pull as the gRPC transport runs it: its result, and its CallLife.
struct PullCall {
  v1::PullResponse resp;
  std::optional<core::Status> result;
  net::CallLifePtr life = std::make_shared<net::CallLife>();
  // What the transport does when the client cancels or its deadline passes.
  void cancel() {
    life->cancelled = true;
    if (auto f = std::move(life->on_cancel)) f();
  }
};

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-01T00:00:00Z")};
  core::Ids ids{5};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> store = std::move(core::Store::open("")).value();
  core::Env env{clock, ids, events, faults, *store};
  testing::ServiceContext sc{env};
  std::unique_ptr<services::Service> service = pubsub::create(sc.ctx);
  pubsub::PubsubService& ps = *dynamic_cast<pubsub::PubsubService*>(service.get());

  Fixture() {
    service->start();
    REQUIRE(ps.domain().create_topic(kTopic, {}).ok());
    pubsub::SubscriptionConfig c;
    c.topic = kTopic;
    REQUIRE(ps.domain().create_subscription(kSub, c).ok());
  }
  ~Fixture() { service->stop(); }

  void pull(PullCall& call) {
    const net::UnaryMethod* m = sc.methods.unary("/google.pubsub.v1.Subscriber/Pull");
    REQUIRE(m != nullptr);
    v1::PullRequest req;
    req.set_subscription(kSub);
    req.set_max_messages(10);
    net::call_unary(env, *m, req, &call.resp, [&call](core::Status s) { call.result = std::move(s); }, call.life);
  }
  void publish(const std::string& data) {
    REQUIRE(ps.domain().publish(kTopic, {pubsub::MessageSpec{data, {}, ""}}).ok());
  }
};

}  // namespace

TEST_CASE("a waiting Pull whose call is cancelled leaves the line: the next Pull gets the message at once") {
  Fixture f;
  std::vector<PullCall> gone(3);
  for (auto& call : gone) {
    f.pull(call);
    REQUIRE_FALSE(call.result.has_value());  // waiting for messages
  }
  for (auto& call : gone) {
    call.cancel();
    REQUIRE(call.result.has_value());
    CHECK(call.result->code() == core::Code::kCancelled);
  }
  f.publish("hello");
  PullCall next;
  f.pull(next);
  REQUIRE(next.result.has_value());
  REQUIRE(next.resp.received_messages_size() == 1);
  CHECK(next.resp.received_messages(0).message().data() == "hello");
}

TEST_CASE("a Pull cancelled but not yet told is offered no message") {
  Fixture f;
  PullCall gone;
  f.pull(gone);
  gone.life->cancelled = true;  // the transport saw the cancel; its notice is still queued
  f.publish("hello");
  CHECK_FALSE(gone.result.has_value());
  CHECK(gone.resp.received_messages_size() == 0);
  gone.cancel();
  PullCall next;
  f.pull(next);
  REQUIRE(next.resp.received_messages_size() == 1);
}

TEST_CASE("messages a Pull answered with but never delivered go back at once") {
  Fixture f;
  f.publish("a");
  PullCall lost;
  f.pull(lost);
  REQUIRE(lost.resp.received_messages_size() == 1);
  REQUIRE(lost.life->on_undelivered);
  lost.life->on_undelivered();  // the response write failed: the client had gone
  PullCall next;
  f.pull(next);  // no clock advance: not after the 10 s lease, now
  REQUIRE(next.resp.received_messages_size() == 1);
  CHECK(next.resp.received_messages(0).message().data() == "a");
}

TEST_CASE("a StreamingPull response the transport could not write goes back at once, and a closed stream gets nothing") {
  Fixture f;
  auto s = std::make_shared<RecordingStream>();
  const net::StreamMethod* m = f.sc.methods.stream("/google.pubsub.v1.Subscriber/StreamingPull");
  REQUIRE(m != nullptr);
  m->open(s);
  v1::StreamingPullRequest first;
  first.set_subscription(kSub);
  first.set_stream_ack_deadline_seconds(60);
  s->on_read(first);
  f.publish("a");
  REQUIRE(s->written.size() == 1);
  REQUIRE(s->on_unwritten);
  s->finished = true;  // the client cancelled; the transport reports the response it lost
  s->on_unwritten(s->written[0]);
  f.publish("b");
  CHECK(s->written.size() == 1);  // nothing more leased to a stream whose client has gone
  PullCall next;
  f.pull(next);
  REQUIRE(next.resp.received_messages_size() == 2);
  CHECK(next.resp.received_messages(0).message().data() == "a");
  CHECK(next.resp.received_messages(1).message().data() == "b");
}

}  // namespace pubsub_pull_test
