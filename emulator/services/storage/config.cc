// Reads the `storage` section: bucket names as Cloud Storage accepts them, and each bucket's
// settings. A notification's topic is implied in Pub/Sub, as gcloud creates it when missing.
#include "services/storage/config.h"

#include <algorithm>

#include "core/stack_yaml.h"
#include "services/pubsub/service.h"

namespace gcpsim::services::storage {
namespace {

using namespace core::stackfile;

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alnum(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

void check_bucket_name(const Field& f, const std::string& name) {
  auto allowed = [](char c) { return is_lower(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'; };
  bool ok = name.size() >= 3 && name.size() <= 63 && is_alnum(name.front()) && is_alnum(name.back()) &&
            name.rfind("goog", 0) != 0 && std::all_of(name.begin(), name.end(), allowed);
  if (!ok) {
    fail_under(f, "invalid bucket name '" + name + "': 3 to 63 characters of lowercase letters, digits, "
                  "- _ and ., starting and ending with a letter or digit, not starting with 'goog'");
  }
}

LifecycleRule read_lifecycle_rule(const Field& f) {
  Map m(f, {"action", "storage_class", "age_days", "num_newer_versions", "is_live"});
  LifecycleRule r;
  r.action = one_of(m.require("action"), {"Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"});
  if (r.action == "SetStorageClass") {
    r.storage_class = one_of(m.require("storage_class"), {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"});
  } else if (auto c = m.get("storage_class")) {
    fail(*c, "applies only to the SetStorageClass action");
  }
  auto& when = r.condition;
  if (auto a = m.get("age_days")) when.age_days = small_int(*a, 0, 1000000);
  if (auto n = m.get("num_newer_versions")) when.num_newer_versions = small_int(*n, 0, 1000000);
  if (auto l = m.get("is_live")) when.is_live = boolean(*l);
  if (!when.age_days && !when.num_newer_versions && !when.is_live) {
    fail_under(f, "a lifecycle rule needs a condition: age_days, num_newer_versions or is_live");
  }
  return r;
}

BucketNotification read_notification(const Field& f, core::SectionContext& ctx) {
  Map nm(f, {"topic", "events", "prefix"});
  BucketNotification note;
  Field topic = nm.require("topic");
  note.topic = text(topic);
  pubsub::check_stack_name(topic, note.topic);
  ctx.imply("pubsub.topics", note.topic);  // as gcloud does when creating a notification
  if (auto e = nm.get("events")) {
    for (auto& ef : items(*e)) {
      note.events.push_back(one_of(ef, {"OBJECT_FINALIZE", "OBJECT_METADATA_UPDATE", "OBJECT_DELETE", "OBJECT_ARCHIVE"}));
    }
  }
  if (auto p = nm.get("prefix")) note.prefix = text(*p);
  return note;
}

CorsEntry read_cors(const Field& f) {
  Map cm(f, {"origin", "method", "response_header", "max_age_seconds"});
  CorsEntry e;
  e.origins = strings(cm.require("origin"));
  if (auto v = cm.get("method")) e.methods = strings(*v);
  if (auto v = cm.get("response_header")) e.response_headers = strings(*v);
  if (auto v = cm.get("max_age_seconds")) e.max_age_seconds = integer(*v, 0, 86400 * 365);
  return e;
}

BucketConfig read_bucket(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"versioning", "location", "notifications", "lifecycle", "cors", "public_access_prevention"});
  BucketConfig b;
  if (auto v = m.get("versioning")) b.versioning = boolean(*v);
  if (auto l = m.get("location")) {
    b.location = text(*l);
    // Cloud Storage reports locations in upper case whatever case they were created with.
    for (char& c : b.location) c = is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (auto n = m.get("notifications")) {
    for (auto& nf : items(*n)) b.notifications.push_back(read_notification(nf, ctx));
  }
  if (auto l = m.get("lifecycle")) {
    for (auto& rf : items(*l)) b.lifecycle.push_back(read_lifecycle_rule(rf));
  }
  if (auto c = m.get("cors")) {
    for (auto& cf : items(*c)) b.cors.push_back(read_cors(cf));
  }
  if (auto p = m.get("public_access_prevention")) b.public_access_prevention = one_of(*p, {"inherited", "enforced"});
  return b;
}

}  // namespace

core::StackSection stack_section() {
  return {"storage", [](const Field& section, core::SectionContext& ctx) -> std::any {
            Map m(section, {"buckets"});
            StorageConfig cfg;
            if (auto f = m.get("buckets")) {
              for (auto& [name, bf] : entries(*f)) {
                check_bucket_name(bf, name);
                cfg.buckets[name] = read_bucket(bf, ctx);
              }
            }
            return cfg;
          }};
}

const StorageConfig& stack_storage(const core::StackConfig& stack) {
  return stack.section_or_empty<StorageConfig>("storage");
}

}  // namespace gcpsim::services::storage
