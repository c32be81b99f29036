// Storage: a bucket's notification configs (ids "1", "2", … per bucket, as the real service).
#include "core/env.h"
#include "core/store.h"
#include "services/storage/domain.h"
#include "services/storage/errors.h"
#include "services/storage/limits.h"
#include "services/storage/rows.h"

namespace gcpsim::services::storage {
namespace {
const char* const kEventTypes[] = {"OBJECT_FINALIZE", "OBJECT_METADATA_UPDATE", "OBJECT_DELETE", "OBJECT_ARCHIVE"};
}

core::StatusOr<NotificationConfig> Storage::add_notification(const std::string& bucket, NotificationConfig n) {
  RETURN_IF_ERROR(require_bucket(bucket).status());
  if (n.topic.empty()) return errors::required("Required: topic");
  for (const auto& t : n.event_types) {
    bool known = false;
    for (const char* k : kEventTypes) known = known || t == k;
    if (!known) return errors::invalid("Invalid event type: " + t);
  }
  if (n.payload_format != "JSON_API_V1" && n.payload_format != "NONE")
    return errors::invalid("Invalid payload format: " + n.payload_format);
  if (rows::notifications(env_.store, bucket).size() >= limits::kMaxNotificationsPerBucket)
    return errors::invalid("A bucket can have at most 100 notification configurations.");
  std::string key = "notification:" + bucket;
  int64_t id = rows::counter(env_.store, key) + 1;
  auto tx = env_.store.begin();
  RETURN_IF_ERROR(rows::set_counter(env_.store, key, id));
  n.id = std::to_string(id);
  n.etag = 1;
  RETURN_IF_ERROR(rows::put_notification(env_.store, bucket, n));
  RETURN_IF_ERROR(tx.commit());
  return n;
}

core::StatusOr<std::vector<NotificationConfig>> Storage::list_notifications(const std::string& bucket) const {
  RETURN_IF_ERROR(require_bucket(bucket).status());
  return rows::notifications(env_.store, bucket);
}

core::StatusOr<NotificationConfig> Storage::get_notification(const std::string& bucket, const std::string& id) const {
  RETURN_IF_ERROR(require_bucket(bucket).status());
  for (auto& n : rows::notifications(env_.store, bucket))
    if (n.id == id) return n;
  return errors::notification_not_found();
}

core::Status Storage::delete_notification(const std::string& bucket, const std::string& id) {
  RETURN_IF_ERROR(get_notification(bucket, id).status());
  return rows::delete_notification(env_.store, bucket, id);
}

}  // namespace gcpsim::services::storage
