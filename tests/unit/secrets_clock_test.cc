// Specification of Secret Manager's work on the virtual clock: delayed destruction, expiry,
// rotation, and timers re-armed from the store.
#include "secrets_fixture.h"

namespace secrets_clock_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace secrets_test;

namespace {

SecretFields with_topic() {
  SecretFields in = Fixture::automatic();
  in.topics = {"projects/demo-project/topics/rotations"};
  return in;
}

}  // namespace

TEST_CASE("with version_destroy_ttl a destroy disables now and destroys on the clock") {
  Fixture f;
  SecretFields in = with_topic();
  in.version_destroy_ttl = 24h;
  f.create("s", in);
  f.add("s", "x");
  auto v1 = Fixture::version("s", "1");

  auto scheduled = f.store->destroy(v1, "");
  REQUIRE(scheduled->state == VersionState::kDisabled);
  REQUIRE(scheduled->scheduled_destroy_time == t0() + 24h);
  REQUIRE(f.store->access(v1).status().code() == Code::kFailedPrecondition);

  f.clock.advance(24h - 1s);
  REQUIRE(f.store->get_version(v1)->state == VersionState::kDisabled);
  f.clock.advance(1s);
  auto gone = f.store->get_version(v1);
  REQUIRE(gone->state == VersionState::kDestroyed);
  REQUIRE(gone->destroy_time == t0() + 24h);
  REQUIRE_FALSE(gone->scheduled_destroy_time.has_value());
  REQUIRE(f.event_types().back() == "SECRET_VERSION_DESTROY");
  REQUIRE(f.event_types().at(f.sent.size() - 2) == "SECRET_VERSION_DESTROY_SCHEDULED");
  REQUIRE(f.events.query({.kind = "secrets.version_destroyed"}).size() == 1);
}

TEST_CASE("enabling or disabling a version cancels its scheduled destruction") {
  Fixture f;
  SecretFields in = Fixture::automatic();
  in.version_destroy_ttl = 48h;
  f.create("s", in);
  f.add("s", "a");
  f.add("s", "b");
  f.store->destroy(Fixture::version("s", "1"), "");
  f.store->destroy(Fixture::version("s", "2"), "");
  f.clock.advance(1h);
  REQUIRE(f.store->enable(Fixture::version("s", "1"), "")->state == VersionState::kEnabled);
  auto disabled = f.store->disable(Fixture::version("s", "2"), "");
  REQUIRE_FALSE(disabled->scheduled_destroy_time.has_value());
  f.clock.advance(72h);
  REQUIRE(f.store->access(Fixture::version("s", "1"))->data == "a");
  REQUIRE(f.store->get_version(Fixture::version("s", "2"))->state == VersionState::kDisabled);
}

TEST_CASE("a secret with a ttl expires on the clock, versions and all") {
  Fixture f;
  SecretFields in = with_topic();
  in.ttl = 1h;
  Secret s = f.create("s", in);
  REQUIRE(s.expire_time == t0() + 1h);
  REQUIRE_FALSE(s.ttl.has_value());
  f.add("s", "x");

  f.clock.advance(1h - 1s);
  REQUIRE(f.store->get(Fixture::name("s")).ok());
  f.clock.advance(1s);
  REQUIRE(f.store->get(Fixture::name("s")).status().code() == Code::kNotFound);
  REQUIRE(f.sent.back().event_type == "SECRET_DELETE");
  REQUIRE(f.sent.back().delete_type == "EXPIRATION");
  REQUIRE(f.events.query({.kind = "secrets.expired"}).size() == 1);

  // The id is free again.
  f.create("s");
}

TEST_CASE("expiry can be moved or removed by update") {
  Fixture f;
  SecretFields in = Fixture::automatic();
  in.expire_time = t0() + 1h;
  f.create("moved", in);
  f.create("kept", in);
  SecretFields later;
  later.ttl = 3h;
  REQUIRE(f.update("moved", later, {"ttl"}).expire_time == t0() + 3h);
  SecretFields none;
  REQUIRE_FALSE(f.update("kept", none, {"expire_time"}).expire_time.has_value());
  f.clock.advance(2h);
  REQUIRE(f.store->get(Fixture::name("moved")).ok());
  REQUIRE(f.store->get(Fixture::name("kept")).ok());
  f.clock.advance(1h);
  REQUIRE(f.store->get(Fixture::name("moved")).status().code() == Code::kNotFound);

  SecretFields past;
  past.expire_time = t0();
  REQUIRE(f.store->update(Fixture::name("kept"), past, {"expire_time"}).status().code() ==
          Code::kInvalidArgument);
}

TEST_CASE("rotation publishes SECRET_ROTATE on schedule and moves on by the period") {
  Fixture f;
  SecretFields in = with_topic();
  in.rotation = Rotation{t0() + 1h, 2h};
  Secret s = f.create("s", in);
  REQUIRE(s.rotation->next_rotation_time == t0() + 1h);
  f.sent.clear();

  f.clock.advance(1h);
  REQUIRE(f.event_types() == std::vector<std::string>{"SECRET_ROTATE"});
  REQUIRE(f.sent[0].secret->rotation->next_rotation_time == t0() + 3h);
  REQUIRE(f.sent[0].time == t0() + 1h);
  REQUIRE(f.store->get(Fixture::name("s"))->etag != s.etag);

  f.clock.advance(4h);
  REQUIRE(f.sent.size() == 3);
  REQUIRE(f.sent[2].time == t0() + 5h);
  REQUIRE(f.events.query({.kind = "secrets.rotation"}).size() == 3);
}

TEST_CASE("a rotation without a period fires once") {
  Fixture f;
  SecretFields in = with_topic();
  in.rotation = Rotation{t0() + 10min, std::nullopt};
  f.create("s", in);
  f.clock.advance(24h);
  REQUIRE(f.event_types().back() == "SECRET_ROTATE");
  REQUIRE(f.event_types().size() == 3);
  REQUIRE_FALSE(f.store->get(Fixture::name("s"))->rotation.has_value());
}

TEST_CASE("rotation policies follow the real service's rules") {
  Fixture f;
  auto code = [&](SecretFields in) {
    return f.store->create(Fixture::parent(), "r", std::move(in)).status().code();
  };
  SecretFields no_topics = Fixture::automatic();
  no_topics.rotation = Rotation{t0() + 1h, std::nullopt};
  REQUIRE(code(no_topics) == Code::kInvalidArgument);
  SecretFields soon = with_topic();
  soon.rotation = Rotation{t0() + 4min, std::nullopt};
  REQUIRE(code(soon) == Code::kInvalidArgument);
  SecretFields short_period = with_topic();
  short_period.rotation = Rotation{t0() + 1h, 30min};
  REQUIRE(code(short_period) == Code::kInvalidArgument);
  SecretFields period_only = with_topic();
  period_only.rotation = Rotation{std::nullopt, 2h};
  REQUIRE(code(period_only) == Code::kInvalidArgument);

  f.create("r", with_topic());
  SecretFields rot;
  rot.rotation = Rotation{t0() + 1h, 24h};
  REQUIRE(f.update("r", rot, {"rotation"}).rotation->rotation_period == 24h);
  SecretFields none;
  REQUIRE(f.store->update(Fixture::name("r"), none, {"topics"}).status().code() ==
          Code::kInvalidArgument);
  REQUIRE_FALSE(f.update("r", none, {"rotation"}).rotation.has_value());
  f.sent.clear();
  f.clock.advance(2h);
  REQUIRE(f.sent.empty());
}

TEST_CASE("timers are re-armed from the store when it opens again") {
  Fixture f;
  SecretFields expiring = with_topic();
  expiring.ttl = 2h;
  f.create("expiring", expiring);
  SecretFields delayed = Fixture::automatic();
  delayed.version_destroy_ttl = 24h;
  f.create("delayed", delayed);
  f.add("delayed", "x");
  f.store->destroy(Fixture::version("delayed", "1"), "");
  SecretFields rotating = with_topic();
  rotating.rotation = Rotation{t0() + 1h, 1h};
  f.create("rotating", rotating);

  f.reopen();
  REQUIRE(f.clock.pending() == 3);
  f.sent.clear();
  f.clock.advance(25h);
  REQUIRE(f.store->get(Fixture::name("expiring")).status().code() == Code::kNotFound);
  REQUIRE(f.store->get_version(Fixture::version("delayed", "1"))->state ==
          VersionState::kDestroyed);
  REQUIRE(f.events.query({.kind = "secrets.rotation"}).size() == 25);
  REQUIRE(f.store->add_version(Fixture::name("delayed"), "y", std::nullopt)->number == 2);
}

}  // namespace secrets_clock_test
