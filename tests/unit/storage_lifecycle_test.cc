// Storage domain: lifecycle rules applied on the virtual clock; notification configs.
#include "storage_fixture.h"

namespace storage_test {

LifecycleRule delete_when(LifecycleCondition c) {
  LifecycleRule r;
  r.condition = std::move(c);
  return r;
}

TEST_CASE("Delete by age removes objects once they are old enough") {
  Fixture f;
  BucketSpec spec;
  LifecycleCondition c;
  c.age_days = 1;
  spec.lifecycle.push_back(delete_when(c));
  f.bucket("bkt", spec);
  f.put("bkt", "old", "x");
  f.clock.advance(12h);
  f.put("bkt", "young", "x");
  f.clock.advance(12h);
  REQUIRE(f.storage->apply_lifecycle() == 1);
  REQUIRE(http(f.storage->get_object({"bkt", "old", std::nullopt}).status()) == 404);
  REQUIRE(f.storage->get_object({"bkt", "young", std::nullopt}).ok());
}

TEST_CASE("numNewerVersions and isLive=false trim noncurrent generations only") {
  Fixture f;
  BucketSpec spec;
  spec.versioning = true;
  LifecycleCondition c;
  c.num_newer_versions = 2;
  c.is_live = false;
  spec.lifecycle.push_back(delete_when(c));
  f.bucket("bkt", spec);
  std::vector<int64_t> gens;
  for (int i = 0; i < 4; ++i) gens.push_back(f.put("bkt", "x", std::to_string(i)).generation);
  REQUIRE(f.storage->apply_lifecycle() == 2);
  ListQuery q;
  q.versions = true;
  auto page = f.storage->list_objects("bkt", q);
  REQUIRE(page->items.size() == 2);
  REQUIRE(page->items[0].generation == gens[2]);
  REQUIRE(page->items[1].generation == gens[3]);
}

TEST_CASE("deleting a live object by lifecycle in a versioned bucket archives it") {
  Fixture f;
  BucketSpec spec;
  spec.versioning = true;
  LifecycleCondition c;
  c.age_days = 30;
  c.is_live = true;
  spec.lifecycle.push_back(delete_when(c));
  f.bucket("bkt", spec);
  auto o = f.put("bkt", "x", "1");
  f.clock.advance(30 * 24h);
  REQUIRE(f.storage->apply_lifecycle() == 1);
  REQUIRE(http(f.storage->get_object({"bkt", "x", std::nullopt}).status()) == 404);
  REQUIRE(f.storage->get_object({"bkt", "x", o.generation}).ok());
  REQUIRE(f.event_types().back() == "OBJECT_ARCHIVE");
}

TEST_CASE("SetStorageClass changes the class of matching objects") {
  Fixture f;
  BucketSpec spec;
  LifecycleRule r;
  r.action = "SetStorageClass";
  r.storage_class = "NEARLINE";
  r.condition.matches_prefix = {"logs/"};
  spec.lifecycle.push_back(r);
  f.bucket("bkt", spec);
  f.put("bkt", "logs/1", "x");
  f.put("bkt", "data/1", "x");
  REQUIRE(f.storage->apply_lifecycle() == 1);
  REQUIRE(f.storage->get_object({"bkt", "logs/1", std::nullopt})->meta.storage_class == "NEARLINE");
  REQUIRE(f.storage->get_object({"bkt", "data/1", std::nullopt})->meta.storage_class == "STANDARD");
}

TEST_CASE("notification configs get per-bucket ids and validate their fields") {
  Fixture f;
  f.bucket("bkt");
  NotificationConfig n;
  n.topic = "projects/demo-project/topics/t";
  auto a = f.storage->add_notification("bkt", n);
  auto b = f.storage->add_notification("bkt", n);
  REQUIRE((a->id == "1" && b->id == "2"));
  REQUIRE(f.storage->list_notifications("bkt")->size() == 2);
  REQUIRE(f.storage->delete_notification("bkt", "1").is_ok());
  REQUIRE(http(f.storage->get_notification("bkt", "1").status()) == 404);
  n.event_types = {"OBJECT_EXPLODE"};
  REQUIRE(http(f.storage->add_notification("bkt", n).status()) == 400);
  REQUIRE(http(f.storage->add_notification("nope", NotificationConfig{}).status()) == 404);
}

}  // namespace storage_test
