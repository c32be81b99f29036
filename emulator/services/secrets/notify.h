// The Pub/Sub messages Secret Manager sends to a secret's topics: the attributes the real
// service sets (eventType, dataFormat, secretId, versionId, deleteType, timestamp) and the
// resource as proto3 JSON in the data. Payloads are never part of them.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/time.h"
#include "services/secrets/domain.h"

namespace gcpsim::services::secrets {

struct TopicMessage {
  std::string topic;
  std::string data;
  std::map<std::string, std::string> attributes;
};

// One message per topic of the notification.
std::vector<TopicMessage> topic_messages(const Notification& n);

// RFC 3339 in US Pacific time with its offset, microseconds without trailing zeros
// ("2026-10-02T06:03:33.65825-07:00"), as the real service writes `timestamp`.
std::string pacific_time(core::Time t);

}  // namespace gcpsim::services::secrets
