// Cloud Storage's resources as plain C++: buckets, objects, their writable fields, lifecycle
// rules, CORS entries, notification configs, preconditions and list queries. No JSON here.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace gcpsim::services::storage {

struct LifecycleCondition {
  std::optional<int> age_days;
  std::optional<std::string> created_before;          // "2026-01-01" (a date)
  std::optional<bool> is_live;
  std::optional<int> num_newer_versions;
  std::optional<int> days_since_noncurrent_time;
  std::optional<std::string> noncurrent_time_before;  // a date
  std::optional<int> days_since_custom_time;
  std::vector<std::string> matches_storage_class;
  std::vector<std::string> matches_prefix;
  std::vector<std::string> matches_suffix;
};

struct LifecycleRule {
  std::string action = "Delete";  // "Delete" or "SetStorageClass"
  std::string storage_class;       // SetStorageClass
  LifecycleCondition condition;
};

struct CorsEntry {
  std::vector<std::string> origins;  // "*" allowed
  std::vector<std::string> methods;
  std::vector<std::string> response_headers;
  std::optional<int64_t> max_age_seconds;
};

struct RetentionPolicy {
  int64_t period_seconds = 0;
  bool locked = false;
};

// What a caller may set on a bucket.
struct BucketSpec {
  std::string location = "US";
  std::string storage_class = "STANDARD";
  std::map<std::string, std::string> labels;
  bool versioning = false;
  std::vector<LifecycleRule> lifecycle;
  std::vector<CorsEntry> cors;
  bool default_event_based_hold = false;
  std::optional<RetentionPolicy> retention;
  std::string website_main_page_suffix, website_not_found_page;
  bool uniform_bucket_level_access = false;
  // iamConfiguration.publicAccessPrevention: "inherited" or "enforced" (anonymous requests refused).
  std::string public_access_prevention = "inherited";
};

struct Bucket : BucketSpec {
  std::string name;
  int64_t metageneration = 1;
  core::Time created{}, updated{};
  std::optional<core::Time> retention_effective{};
};

// What a caller may set on an object.
struct ObjectMeta {
  std::string content_type;
  std::string content_encoding, content_disposition, cache_control, content_language;
  std::map<std::string, std::string> metadata;
  std::optional<core::Time> custom_time;
  bool event_based_hold = false;
  bool temporary_hold = false;
  std::string storage_class;  // empty: the bucket's
};

struct Object {
  std::string bucket, name;
  int64_t generation = 0;
  int64_t metageneration = 1;
  ObjectMeta meta;
  uint64_t size = 0;
  std::string md5;             // 16 raw bytes; empty for composite objects
  uint32_t crc32c = 0;
  std::optional<int> component_count;
  core::Time created{}, updated{}, storage_class_updated{};
  std::optional<core::Time> noncurrent_since{};  // set once a newer generation replaced it
  std::optional<core::Time> retention_expires{};
  bool live = true;
};

// The JSON API's if*Match parameters.
struct Preconditions {
  std::optional<int64_t> generation_match, generation_not_match;
  std::optional<int64_t> metageneration_match, metageneration_not_match;
};

// Names an object, or one generation of it.
struct ObjectRef {
  std::string bucket, name;
  std::optional<int64_t> generation;
};

struct ListQuery {
  std::string prefix, delimiter, start_offset, end_offset, match_glob;
  bool versions = false;
  bool include_trailing_delimiter = false;
  size_t max_results = 1000;
  std::string page_token;
};

struct ObjectPage {
  std::vector<Object> items;
  std::vector<std::string> prefixes;
  std::string next_page_token;
};

struct BucketPage {
  std::vector<Bucket> items;
  std::string next_page_token;
};

struct NotificationConfig {
  std::string id;
  std::string topic;  // "projects/p/topics/t"
  std::vector<std::string> event_types;  // empty: all
  std::map<std::string, std::string> custom_attributes;
  std::string object_name_prefix;
  std::string payload_format = "JSON_API_V1";  // or "NONE"
  int64_t etag = 1;
};

// A change notifications are sent for.
struct ObjectEvent {
  std::string type;  // OBJECT_FINALIZE, OBJECT_METADATA_UPDATE, OBJECT_DELETE, OBJECT_ARCHIVE
  Object object;
  std::optional<int64_t> overwrote_generation;      // FINALIZE that replaced a live object
  std::optional<int64_t> overwritten_by_generation; // DELETE/ARCHIVE caused by a new write
};

}  // namespace gcpsim::services::storage
