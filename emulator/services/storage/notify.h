// The Pub/Sub messages a bucket's notification configs produce for an object change: the
// real attributes (notificationConfig, eventType, payloadFormat, bucketId, objectId,
// objectGeneration, eventTime, overwroteGeneration / overwrittenByGeneration, custom ones)
// and, for JSON_API_V1, the object resource as the payload.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/time.h"
#include "services/storage/model.h"

namespace gcpsim::services::storage {

struct TopicMessage {
  std::string topic;  // projects/p/topics/t
  std::string data;
  std::map<std::string, std::string> attributes;
};

std::vector<TopicMessage> notification_messages(const std::vector<NotificationConfig>& configs,
                                                const ObjectEvent& e, core::Time now,
                                                const std::string& project_number);

}  // namespace gcpsim::services::storage
