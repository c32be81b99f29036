// Pub/Sub deliveries and Cloud Storage notifications → CloudEvents, as Eventarc writes them.
#include "services/functions/cloudevent.h"
#include "services/pubsub/service.h"

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace gcpsim::services::functions {
namespace {

constexpr const char* kStorageTypePrefix = "google.cloud.storage.object.v1.";

// Notification event type → the CloudEvent type's last segment.
const std::vector<std::pair<std::string, std::string>>& storage_types() {
  static const std::vector<std::pair<std::string, std::string>> kTypes = {
      {"OBJECT_FINALIZE", "finalized"},
      {"OBJECT_DELETE", "deleted"},
      {"OBJECT_ARCHIVE", "archived"},
      {"OBJECT_METADATA_UPDATE", "metadataUpdated"},
  };
  return kTypes;
}

std::string attribute(const pubsub::Message& m, std::string_view key) {
  return std::string(m.attributes().find(key).value_or(""));
}

}  // namespace

std::optional<std::string> storage_notification_type(const std::string& cloudevent_type) {
  for (const auto& [notification, event] : storage_types())
    if (cloudevent_type == kStorageTypePrefix + event) return notification;
  return std::nullopt;
}

CloudEvent pubsub_event(const std::string& topic, const std::string& subscription, const pubsub::Delivery& d) {
  const pubsub::Message& m = *d.message;
  CloudEvent e;
  e.id = m.id();
  e.source = "//pubsub.googleapis.com/" + topic;
  e.type = "google.cloud.pubsub.topic.v1.messagePublished";
  e.time = core::format_rfc3339(m.publish_time());
  e.data = pubsub::wrapped_push_body(subscription, d);
  return e;
}

core::StatusOr<CloudEvent> storage_event(const pubsub::Message& notification) {
  std::string kind = attribute(notification, "eventType");
  std::string bucket = attribute(notification, "bucketId");
  std::string object = attribute(notification, "objectId");
  std::string suffix;
  for (const auto& [n, event] : storage_types())
    if (n == kind) suffix = event;
  if (suffix.empty() || bucket.empty() || object.empty())
    return core::Status::invalid_argument("not a Cloud Storage notification (eventType '" + kind + "')");
  if (attribute(notification, "payloadFormat") != "JSON_API_V1")
    return core::Status::invalid_argument("Cloud Storage notification without the object resource (payloadFormat '" +
                                          attribute(notification, "payloadFormat") + "')");
  CloudEvent e;
  e.id = notification.id();
  e.source = "//storage.googleapis.com/projects/_/buckets/" + bucket;
  e.type = kStorageTypePrefix + suffix;
  e.subject = "objects/" + object;
  std::string time = attribute(notification, "eventTime");
  e.time = time.empty() ? core::format_rfc3339(notification.publish_time()) : time;
  // Cloud Storage writes the resource compactly; the notification's copy is indented.
  auto resource = nlohmann::ordered_json::parse(notification.data(), nullptr, false);
  if (resource.is_discarded() || !resource.is_object())
    return core::Status::invalid_argument("Cloud Storage notification whose data is not an object resource");
  e.data = resource.dump();
  e.extensions["bucket"] = bucket;
  return e;
}

std::vector<std::pair<std::string, std::string>> binary_headers(const CloudEvent& e) {
  std::vector<std::pair<std::string, std::string>> h = {
      {"ce-id", e.id}, {"ce-source", e.source}, {"ce-specversion", "1.0"}, {"ce-type", e.type}, {"ce-time", e.time},
  };
  if (!e.subject.empty()) h.emplace_back("ce-subject", e.subject);
  for (const auto& [k, v] : e.extensions) h.emplace_back("ce-" + k, v);
  h.emplace_back("Content-Type", e.data_content_type);
  return h;
}

}  // namespace gcpsim::services::functions
