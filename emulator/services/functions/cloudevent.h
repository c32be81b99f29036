// Function triggers' events as Eventarc delivers them: a Pub/Sub delivery or a Cloud Storage
// notification becomes a CloudEvent (spec 1.0), sent in binary content mode (ce-* headers,
// the event data as the body). Pure conversion: no I/O.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "services/pubsub/service.h"

namespace gcpsim::services::functions {

struct CloudEvent {
  std::string id;
  std::string source;    // "//pubsub.googleapis.com/projects/p/topics/t"
  std::string type;      // "google.cloud.pubsub.topic.v1.messagePublished"
  std::string subject;   // "objects/NAME" for Cloud Storage; empty for Pub/Sub
  std::string time;      // RFC 3339
  std::string data_content_type = "application/json";
  std::string data;      // the body as the source service writes it
  std::map<std::string, std::string> extensions;  // e.g. {"bucket": "uploads"}
};

// Storage trigger event names ("finalized", …) ↔ notification event types (OBJECT_FINALIZE, …).
std::optional<std::string> storage_notification_type(const std::string& cloudevent_type);

// A message published to `topic` (full name) delivered through `subscription` (full name):
// the body is the push wrapper {"message":{…},"subscription":…}.
CloudEvent pubsub_event(const std::string& topic, const std::string& subscription, const pubsub::Delivery& d);

// A Cloud Storage JSON_API_V1 notification (attributes eventType, bucketId, objectId,
// eventTime; the object resource as data) → google.cloud.storage.object.v1.*. Fails on a
// message that is not such a notification.
core::StatusOr<CloudEvent> storage_event(const pubsub::Message& notification);

// Binary content mode: ce-id, ce-source, ce-specversion, ce-type, ce-time, ce-subject, the
// extensions as ce-NAME, and Content-Type.
std::vector<std::pair<std::string, std::string>> binary_headers(const CloudEvent& e);

}  // namespace gcpsim::services::functions
