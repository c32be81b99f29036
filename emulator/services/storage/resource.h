// The JSON API's resources: objects, buckets and notification configs to JSON, and request
// bodies (insert, patch, update) into the domain's writable fields.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"
#include "services/storage/hashes.h"
#include "services/storage/model.h"

namespace gcpsim::services::storage {

using Json = nlohmann::ordered_json;

// Links in resources point back at the host the request came to ("http://127.0.0.1:8085").
struct Links {
  std::string base;
  std::string project_number;
};

// "2026-01-01T00:00:00.000Z": always milliseconds, as the JSON API prints times.
std::string format_time(core::Time t);
// The JSON API's etags: base64 of the (generation, metageneration) pair.
std::string object_etag(const Object& o);
std::string bucket_etag(const Bucket& b);

Json object_json(const Object& o, const Links& links);
Json bucket_json(const Bucket& b, const Links& links);
Json notification_json(const std::string& bucket, const NotificationConfig& n, const Links& links);

enum class Merge { kPatch, kReplace };
// Applies a request body to writable bucket fields. kReplace resets what the body omits.
core::StatusOr<BucketSpec> apply_bucket(const Json& body, BucketSpec base, Merge merge);
// Applies a request body to writable object fields. kReplace resets what the body omits.
core::StatusOr<ObjectMeta> apply_object(const Json& body, ObjectMeta base, Merge merge);
// md5Hash / crc32c in an object resource sent with an upload.
ExpectedHashes expected_hashes(const Json& body);
// Parses a request body as a JSON object (empty → {}); 400 otherwise.
core::StatusOr<Json> parse_body(std::string_view text);

// "//pubsub.googleapis.com/projects/p/topics/t" or "projects/p/topics/t" → "projects/p/topics/t".
core::StatusOr<std::string> topic_name(const std::string& topic);
core::StatusOr<NotificationConfig> notification_of(const Json& body);

}  // namespace gcpsim::services::storage
