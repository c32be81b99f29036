// Storage: lifecycle rules (Delete, SetStorageClass) evaluated against every generation.
#include "core/clock.h"
#include "core/env.h"
#include "core/store.h"
#include "services/storage/domain.h"
#include "services/storage/rows.h"

namespace gcpsim::services::storage {
namespace {

using Days = std::chrono::duration<int64_t, std::ratio<86400>>;

// "2026-01-01" → midnight UTC of that day.
std::optional<core::Time> date_of(const std::string& date) { return core::parse_rfc3339(date + "T00:00:00Z"); }

bool before_date(core::Time t, const std::string& date) {
  auto d = date_of(date);
  return d && t < *d;
}

bool any_of(const std::vector<std::string>& list, const std::function<bool(const std::string&)>& f) {
  for (const auto& s : list)
    if (f(s)) return true;
  return false;
}

bool matches(const LifecycleCondition& c, const Object& o, int newer, core::Time now) {
  if (c.age_days && now - o.created < Days(*c.age_days)) return false;
  if (c.created_before && !before_date(o.created, *c.created_before)) return false;
  if (c.is_live && *c.is_live != o.live) return false;
  if (c.num_newer_versions && newer < *c.num_newer_versions) return false;
  if (c.days_since_noncurrent_time &&
      (!o.noncurrent_since || now - *o.noncurrent_since < Days(*c.days_since_noncurrent_time)))
    return false;
  if (c.noncurrent_time_before && (!o.noncurrent_since || !before_date(*o.noncurrent_since, *c.noncurrent_time_before)))
    return false;
  if (c.days_since_custom_time && (!o.meta.custom_time || now - *o.meta.custom_time < Days(*c.days_since_custom_time)))
    return false;
  if (!c.matches_storage_class.empty() &&
      !any_of(c.matches_storage_class, [&](const std::string& s) { return s == o.meta.storage_class; }))
    return false;
  if (!c.matches_prefix.empty() &&
      !any_of(c.matches_prefix, [&](const std::string& p) { return o.name.compare(0, p.size(), p) == 0; }))
    return false;
  if (!c.matches_suffix.empty() && !any_of(c.matches_suffix, [&](const std::string& s) {
        return o.name.size() >= s.size() && o.name.compare(o.name.size() - s.size(), s.size(), s) == 0;
      }))
    return false;
  return true;
}

}  // namespace

size_t Storage::apply_lifecycle() {
  std::vector<Bucket> buckets;
  rows::scan_buckets(env_.store, "", [&](Bucket b) {
    if (!b.lifecycle.empty()) buckets.push_back(std::move(b));
    return true;
  });
  size_t changed = 0;
  auto now = env_.clock.now();
  for (const auto& b : buckets) {
    std::vector<Object> all;
    rows::scan_objects(env_.store, b.name, "", true, [&](Object o) {
      all.push_back(std::move(o));
      return true;
    });
    // Objects come in (name, generation) order: count the newer generations of each.
    for (size_t i = 0; i < all.size(); ++i) {
      const Object& o = all[i];
      int newer = 0;
      for (size_t j = i + 1; j < all.size() && all[j].name == o.name; ++j) ++newer;
      bool deleted = false;
      for (const auto& r : b.lifecycle) {
        if (r.action != "Delete" || !matches(r.condition, o, newer, now)) continue;
        deleted = remove_generation(b, o, b.versioning && o.live).is_ok();
        changed += deleted;
        break;
      }
      if (deleted) continue;
      for (const auto& r : b.lifecycle) {
        if (r.action != "SetStorageClass" || r.storage_class == o.meta.storage_class) continue;
        if (!matches(r.condition, o, newer, now)) continue;
        Object u = o;
        u.meta.storage_class = r.storage_class;
        u.storage_class_updated = u.updated = now;
        changed += rows::put_object(env_.store, u).is_ok();
        break;
      }
    }
  }
  return changed;
}

}  // namespace gcpsim::services::storage
