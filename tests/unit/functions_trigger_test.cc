// Function triggers: the stack file's trigger forms, Eventarc's resource names, and the
// conversion of Pub/Sub deliveries and Cloud Storage notifications into binary CloudEvents.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/stack.h"
#include "services/functions/cloudevent.h"
#include "services/functions/service.h"
#include "services/service.h"

namespace functions_trigger_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
namespace pubsub = gcpsim::services::pubsub;
using namespace gcpsim::services::functions;
using Json = nlohmann::json;

namespace {

core::StackConfig parse_ok(const std::string& yaml) {
  auto r = core::parse_stack(yaml, "gcpsim.yaml", "/srv/app", services::stack_sections());
  INFO(r.status().message());
  REQUIRE(r.ok());
  return *r;
}

std::string error_of(const std::string& yaml) {
  auto r = core::parse_stack(yaml, "gcpsim.yaml", "/srv/app", services::stack_sections());
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

std::string header(const std::vector<std::pair<std::string, std::string>>& h, const std::string& name) {
  for (const auto& [k, v] : h)
    if (k == name) return v;
  return "<absent>";
}

pubsub::MessagePtr stored(const pubsub::MessageSpec& m, uint64_t id, const char* publish_time) {
  return pubsub::Message::create(m.view(), id, *core::parse_rfc3339(publish_time));
}

pubsub::Delivery delivery(const pubsub::MessageSpec& m, uint64_t id, const char* publish_time, int attempt = 0) {
  return pubsub::Delivery{stored(m, id, publish_time), "ack-1", attempt};
}

// What storage/notify.cc publishes for a JSON_API_V1 config.
pubsub::MessageSpec notification(const std::string& event_type) {
  pubsub::MessageSpec m;
  m.attributes = {{"eventType", event_type},          {"bucketId", "uploads"},
                  {"objectId", "photos/cat.png"},      {"objectGeneration", "1767225605000000"},
                  {"eventTime", "2026-01-01T00:00:05.000000Z"}, {"payloadFormat", "JSON_API_V1"},
                  {"notificationConfig", "projects/_/buckets/uploads/notificationConfigs/1"}};
  m.data = Json{{"kind", "storage#object"}, {"name", "photos/cat.png"}, {"bucket", "uploads"}, {"size", "3"}}.dump(2);
  return m;
}

}  // namespace

TEST_CASE("a storage trigger names its bucket and event either way") {
  auto s = parse_ok(R"(
storage: {buckets: {uploads: {}}}
functions:
  short: {command: [./f], trigger: {storage: uploads, event: metadataUpdated, retry: true}}
  long: {command: [./f], trigger: {storage: {bucket: uploads, event: archived}}}
  plain: {command: [./f], trigger: {storage: uploads}}
)");
  CHECK(stack_functions(s).at("short").trigger.kind == FunctionTrigger::Kind::kStorage);
  CHECK(stack_functions(s).at("short").trigger.bucket == "uploads");
  CHECK(stack_functions(s).at("short").trigger.event == "google.cloud.storage.object.v1.metadataUpdated");
  CHECK(stack_functions(s).at("short").trigger.retry);
  CHECK(stack_functions(s).at("long").trigger.event == "google.cloud.storage.object.v1.archived");
  CHECK(stack_functions(s).at("plain").trigger.event == "google.cloud.storage.object.v1.finalized");
}

TEST_CASE("storage trigger mistakes name the key") {
  CHECK(error_of("functions:\n  f: {command: [./f], trigger: {storage: nope}}\n") ==
        "gcpsim.yaml:2: functions.f.trigger.storage: bucket 'nope' is not declared under storage.buckets");
  CHECK(error_of("storage: {buckets: {b1: {}}}\nfunctions:\n  f: {command: [./f], trigger: {storage: b1, event: created}}\n")
            .find("functions.f.trigger.event") != std::string::npos);
  CHECK(error_of("functions:\n  f: {command: [./f], trigger: {pubsub: topic1, event: finalized}}\n") ==
        "gcpsim.yaml:2: functions.f.trigger.event: applies only with 'storage'");
}

TEST_CASE("Eventarc's names are stable and follow its eventarc-REGION- form") {
  FunctionTrigger pubsub_trigger;
  pubsub_trigger.kind = FunctionTrigger::Kind::kPubsub;
  pubsub_trigger.topic = "task-events";
  auto a = trigger_names("demo-project", "us-central1", "enrich", pubsub_trigger);
  auto b = trigger_names("demo-project", "us-central1", "enrich", pubsub_trigger);
  CHECK(a.subscription == b.subscription);
  CHECK(a.topic == "projects/demo-project/topics/task-events");
  CHECK(a.subscription.rfind("projects/demo-project/subscriptions/eventarc-us-central1-enrich-", 0) == 0);
  CHECK(a.subscription.find("-sub-") != std::string::npos);

  FunctionTrigger storage_trigger;
  storage_trigger.kind = FunctionTrigger::Kind::kStorage;
  storage_trigger.bucket = "uploads";
  auto s = trigger_names("demo-project", "us-central1", "thumbs", storage_trigger);
  CHECK(s.topic.rfind("projects/demo-project/topics/eventarc-us-central1-thumbs-", 0) == 0);
  CHECK(s.topic != a.topic);
}

TEST_CASE("a Pub/Sub delivery becomes a messagePublished CloudEvent in binary mode") {
  pubsub::MessageSpec m;
  m.data = "hello";
  m.attributes = {{"origin", "test"}};
  CloudEvent e = pubsub_event("projects/demo-project/topics/task-events",
                              "projects/demo-project/subscriptions/eventarc-sub",
                              delivery(m, 17, "2026-01-01T00:00:01Z", 2));
  auto h = binary_headers(e);
  CHECK(header(h, "ce-id") == "17");
  CHECK(header(h, "ce-source") == "//pubsub.googleapis.com/projects/demo-project/topics/task-events");
  CHECK(header(h, "ce-type") == "google.cloud.pubsub.topic.v1.messagePublished");
  CHECK(header(h, "ce-specversion") == "1.0");
  CHECK(header(h, "ce-time") == "2026-01-01T00:00:01Z");
  CHECK(header(h, "ce-subject") == "<absent>");
  CHECK(header(h, "Content-Type") == "application/json");
  Json body = Json::parse(e.data);
  CHECK(body["subscription"] == "projects/demo-project/subscriptions/eventarc-sub");
  CHECK(body["message"]["data"] == "aGVsbG8=");
  CHECK(body["message"]["messageId"] == "17");
  CHECK(body["message"]["publishTime"] == "2026-01-01T00:00:01Z");
  CHECK(body["message"]["attributes"] == Json{{"origin", "test"}});
  CHECK(body["deliveryAttempt"] == 2);
}

TEST_CASE("a Cloud Storage notification becomes a google.cloud.storage.object.v1 CloudEvent") {
  for (auto [kind, type] : std::vector<std::pair<std::string, std::string>>{
           {"OBJECT_FINALIZE", "finalized"},
           {"OBJECT_DELETE", "deleted"},
           {"OBJECT_ARCHIVE", "archived"},
           {"OBJECT_METADATA_UPDATE", "metadataUpdated"}}) {
    auto e = storage_event(*stored(notification(kind), 4242, "2026-01-01T00:00:05Z"));
    REQUIRE(e.ok());
    auto h = binary_headers(*e);
    CHECK(header(h, "ce-type") == "google.cloud.storage.object.v1." + type);
    CHECK(storage_notification_type("google.cloud.storage.object.v1." + type) == kind);
    CHECK(header(h, "ce-id") == "4242");
    CHECK(header(h, "ce-source") == "//storage.googleapis.com/projects/_/buckets/uploads");
    CHECK(header(h, "ce-subject") == "objects/photos/cat.png");
    CHECK(header(h, "ce-time") == "2026-01-01T00:00:05.000000Z");
    CHECK(header(h, "ce-bucket") == "uploads");
    CHECK(e->data == R"({"bucket":"uploads","kind":"storage#object","name":"photos/cat.png","size":"3"})");
  }
  CHECK_FALSE(storage_notification_type("google.cloud.storage.object.v1.created"));
}

TEST_CASE("messages that are not JSON_API_V1 notifications are refused") {
  auto plain = notification("OBJECT_FINALIZE");
  plain.attributes.erase("eventType");
  CHECK(storage_event(*stored(plain, 1, "2026-01-01T00:00:05Z")).status().code() == core::Code::kInvalidArgument);
  auto bare = notification("OBJECT_FINALIZE");
  bare.attributes["payloadFormat"] = "NONE";
  CHECK_FALSE(storage_event(*stored(bare, 2, "2026-01-01T00:00:05Z")).ok());
  auto junk = notification("OBJECT_FINALIZE");
  junk.data = "not json";
  CHECK_FALSE(storage_event(*stored(junk, 3, "2026-01-01T00:00:05Z")).ok());
}

}  // namespace functions_trigger_test
