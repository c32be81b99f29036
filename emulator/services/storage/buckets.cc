// Storage: opening the store, generations, and buckets.
#include <algorithm>

#include "core/clock.h"
#include "core/env.h"
#include "core/store.h"
#include "services/storage/domain.h"
#include "services/storage/errors.h"
#include "services/storage/limits.h"
#include "services/storage/names.h"
#include "services/storage/rows.h"

namespace gcpsim::services::storage {

Storage::Storage(core::Env& env) : env_(env) {}
Storage::~Storage() = default;

core::StatusOr<std::unique_ptr<Storage>> Storage::open(core::Env& env) {
  RETURN_IF_ERROR(env.store.migrate("storage", rows::migration()));
  std::unique_ptr<Storage> s(new Storage(env));
  s->bodies_ = std::make_unique<BodyStore>(env.work_dir + "/storage", !env.store.in_memory());
  RETURN_IF_ERROR(s->bodies_->init());
  s->bodies_->sweep([&env](int64_t g) { return rows::generation_exists(env.store, g); });
  return s;
}

// Microseconds on the clock, like the real service's generations, kept strictly increasing
// (and persisted, so a restarted virtual clock never reuses one).
int64_t Storage::next_generation() {
  int64_t g = std::max(core::to_micros(env_.clock.now()), rows::counter(env_.store, "generation") + 1);
  (void)rows::set_counter(env_.store, "generation", g);
  return g;
}

core::StatusOr<Bucket> Storage::require_bucket(const std::string& name) const {
  auto b = rows::get_bucket(env_.store, name);
  if (!b) return errors::bucket_not_found();
  return *b;
}

namespace {

core::Status check_bucket_preconditions(const Bucket& b, const Preconditions& pre, bool read) {
  if (pre.metageneration_match && *pre.metageneration_match != b.metageneration)
    return errors::precondition_failed();
  if (pre.metageneration_not_match && *pre.metageneration_not_match == b.metageneration)
    return read ? errors::not_modified() : errors::precondition_failed();
  return core::Status::ok();
}

core::Status check_spec(const BucketSpec& spec) {
  if (spec.labels.size() > limits::kMaxLabels) return errors::invalid("Too many labels.");
  for (const auto& r : spec.lifecycle) {
    if (r.action != "Delete" && r.action != "SetStorageClass" && r.action != "AbortIncompleteMultipartUpload")
      return errors::invalid("Invalid lifecycle action: " + r.action);
    if (r.action == "SetStorageClass" && r.storage_class.empty())
      return errors::invalid("SetStorageClass requires a storage class.");
  }
  if (spec.retention && spec.retention->period_seconds < 0)
    return errors::invalid("The retention period must be positive.");
  return core::Status::ok();
}

}  // namespace

core::StatusOr<Bucket> Storage::create_bucket(const std::string& name, BucketSpec spec) {
  RETURN_IF_ERROR(check_bucket_name(name));
  RETURN_IF_ERROR(check_spec(spec));
  if (rows::get_bucket(env_.store, name)) return errors::bucket_exists();
  Bucket b;
  static_cast<BucketSpec&>(b) = std::move(spec);
  b.name = name;
  b.created = b.updated = env_.clock.now();
  if (b.retention) b.retention_effective = b.created;
  RETURN_IF_ERROR(rows::put_bucket(env_.store, b));
  return b;
}

core::StatusOr<Bucket> Storage::get_bucket(const std::string& name, const Preconditions& pre) const {
  ASSIGN_OR_RETURN(auto b, require_bucket(name));
  RETURN_IF_ERROR(check_bucket_preconditions(b, pre, true));
  return b;
}

core::StatusOr<BucketPage> Storage::list_buckets(const std::string& prefix, size_t max_results,
                                                 const std::string& page_token) const {
  if (max_results == 0 || max_results > limits::kMaxListResults) max_results = limits::kMaxListResults;
  BucketPage page;
  std::string after = page_token.empty() ? "" : base64_decode(page_token).value_or("");
  if (after < prefix && !prefix.empty()) after = prefix.substr(0, prefix.size() - 1);
  rows::scan_buckets(env_.store, after, [&](Bucket b) {
    if (b.name.compare(0, prefix.size(), prefix) != 0) return b.name < prefix;
    if (page.items.size() == max_results) {
      page.next_page_token = base64_encode(page.items.back().name);
      return false;
    }
    page.items.push_back(std::move(b));
    return true;
  });
  return page;
}

core::StatusOr<Bucket> Storage::update_bucket(const std::string& name, BucketSpec spec, const Preconditions& pre) {
  ASSIGN_OR_RETURN(auto b, require_bucket(name));
  RETURN_IF_ERROR(check_bucket_preconditions(b, pre, false));
  RETURN_IF_ERROR(check_spec(spec));
  if (b.retention && b.retention->locked &&
      (!spec.retention || spec.retention->period_seconds < b.retention->period_seconds))
    return errors::make(core::Code::kPermissionDenied, "forbidden",
                        "The retention policy is locked and cannot be removed or shortened.");
  bool retention_changed = spec.retention.has_value() != b.retention.has_value() ||
                           (spec.retention && spec.retention->period_seconds != b.retention->period_seconds);
  static_cast<BucketSpec&>(b) = std::move(spec);
  b.metageneration += 1;
  b.updated = env_.clock.now();
  if (retention_changed) b.retention_effective = b.retention ? std::optional(b.updated) : std::nullopt;
  RETURN_IF_ERROR(rows::put_bucket(env_.store, b));
  return b;
}

core::Status Storage::delete_bucket(const std::string& name, const Preconditions& pre) {
  ASSIGN_OR_RETURN(auto b, require_bucket(name));
  RETURN_IF_ERROR(check_bucket_preconditions(b, pre, false));
  if (rows::bucket_has_objects(env_.store, name)) return errors::bucket_not_empty();
  return rows::delete_bucket(env_.store, name);
}

}  // namespace gcpsim::services::storage
