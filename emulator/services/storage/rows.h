// SQLite rows of the storage service: buckets, objects (every generation), notification
// configs, upload sessions and counters. Columns hold what queries select on; the rest of a
// resource is one JSON body per row.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "services/storage/model.h"

namespace gcpsim::core { class Store; }

namespace gcpsim::services::storage::rows {

const std::vector<std::string>& migration();

core::Status put_bucket(core::Store& db, const Bucket& b);
std::optional<Bucket> get_bucket(core::Store& db, const std::string& name);
core::Status delete_bucket(core::Store& db, const std::string& name);
// Buckets with names after `after` (exclusive), in name order, while fn returns true.
void scan_buckets(core::Store& db, const std::string& after, const std::function<bool(Bucket)>& fn);

core::Status put_object(core::Store& db, const Object& o);
// The live generation when `generation` is unset.
std::optional<Object> get_object(core::Store& db, const std::string& bucket, const std::string& name,
                                 std::optional<int64_t> generation = std::nullopt);
core::Status delete_object(core::Store& db, const std::string& bucket, const std::string& name,
                           int64_t generation);
// Objects of a bucket with name >= from, in (name, generation) order, live ones only unless
// `versions`, while fn returns true.
void scan_objects(core::Store& db, const std::string& bucket, const std::string& from, bool versions,
                  const std::function<bool(Object)>& fn);
bool bucket_has_objects(core::Store& db, const std::string& bucket);
bool generation_exists(core::Store& db, int64_t generation);
// Every generation of one object name, oldest first.
std::vector<Object> generations(core::Store& db, const std::string& bucket, const std::string& name);

core::Status put_notification(core::Store& db, const std::string& bucket, const NotificationConfig& n);
std::vector<NotificationConfig> notifications(core::Store& db, const std::string& bucket);
core::Status delete_notification(core::Store& db, const std::string& bucket, const std::string& id);

core::Status put_upload(core::Store& db, const std::string& id, const std::string& body);
std::optional<std::string> get_upload(core::Store& db, const std::string& id);
core::Status delete_upload(core::Store& db, const std::string& id);
std::vector<std::pair<std::string, std::string>> uploads(core::Store& db);

int64_t counter(core::Store& db, const std::string& key);
core::Status set_counter(core::Store& db, const std::string& key, int64_t value);

}  // namespace gcpsim::services::storage::rows
