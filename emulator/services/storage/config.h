// Cloud Storage's stack-file section: the buckets created before serving (`storage.buckets`),
// with their settings, lifecycle rules, CORS and Pub/Sub notifications.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/stack_section.h"
#include "services/storage/model.h"

namespace gcpsim::core { struct StackConfig; }

namespace gcpsim::services::storage {

struct BucketNotification {
  std::string topic;                // a topic id in the project (implied in pubsub.topics)
  std::vector<std::string> events;  // OBJECT_FINALIZE, …; empty means all
  std::string prefix;
};

struct BucketConfig {
  bool versioning = false;
  std::string location = "US";
  std::vector<BucketNotification> notifications;
  std::vector<LifecycleRule> lifecycle;  // age_days, num_newer_versions and is_live conditions
  std::vector<CorsEntry> cors;           // as `gcloud storage buckets update --cors-file` takes it
  std::string public_access_prevention = "inherited";  // or "enforced"
};

struct StorageConfig {
  std::map<std::string, BucketConfig> buckets;
};

// The `storage` section; its result is stack_storage(stack).
core::StackSection stack_section();
// The declared buckets (none without a `storage` section).
const StorageConfig& stack_storage(const core::StackConfig& stack);
// Whether the stack declares bucket `name` (for other sections' references, checked later).
inline bool declares_bucket(const core::StackConfig& stack, const std::string& name) {
  return stack_storage(stack).buckets.count(name) != 0;
}

}  // namespace gcpsim::services::storage
