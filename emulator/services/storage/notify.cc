// Notification messages from object events, matched against each config's event types and
// object name prefix.
#include "services/storage/notify.h"

#include <cstdio>

#include "services/storage/resource.h"

namespace gcpsim::services::storage {
namespace {

// Links in payloads point at Google's hosts, as the real service writes them.
constexpr const char* kPayloadBase = "https://www.googleapis.com";

// "2026-01-01T00:00:00.123456Z": eventTime always has microseconds.
std::string micros_time(core::Time t) {
  auto us = core::to_micros(t);
  auto secs = us / 1000000;
  auto text = core::format_rfc3339(core::from_seconds(secs));
  char buf[12];
  std::snprintf(buf, sizeof buf, ".%06dZ", int(us % 1000000));
  return text.substr(0, text.size() - 1) + buf;
}

bool wants(const NotificationConfig& c, const ObjectEvent& e) {
  if (e.object.name.compare(0, c.object_name_prefix.size(), c.object_name_prefix) != 0) return false;
  if (c.event_types.empty()) return true;
  for (const auto& t : c.event_types)
    if (t == e.type) return true;
  return false;
}

}  // namespace

std::vector<TopicMessage> notification_messages(const std::vector<NotificationConfig>& configs,
                                                const ObjectEvent& e, core::Time now,
                                                const std::string& project_number) {
  std::vector<TopicMessage> out;
  for (const auto& c : configs) {
    if (!wants(c, e)) continue;
    TopicMessage m;
    m.topic = c.topic;
    m.attributes = c.custom_attributes;
    m.attributes["notificationConfig"] = "projects/_/buckets/" + e.object.bucket + "/notificationConfigs/" + c.id;
    m.attributes["eventType"] = e.type;
    m.attributes["payloadFormat"] = c.payload_format;
    m.attributes["bucketId"] = e.object.bucket;
    m.attributes["objectId"] = e.object.name;
    m.attributes["objectGeneration"] = std::to_string(e.object.generation);
    m.attributes["eventTime"] = micros_time(now);
    if (e.overwrote_generation) m.attributes["overwroteGeneration"] = std::to_string(*e.overwrote_generation);
    if (e.overwritten_by_generation)
      m.attributes["overwrittenByGeneration"] = std::to_string(*e.overwritten_by_generation);
    if (c.payload_format == "JSON_API_V1")
      m.data = object_json(e.object, Links{kPayloadBase, project_number}).dump(2);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace gcpsim::services::storage
