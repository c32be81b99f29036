// Buckets as the JSON API shows them, and bucket request bodies: labels, versioning,
// lifecycle rules, CORS, retention, holds, website and IAM configuration.
#include <algorithm>
#include <cctype>

#include "net/http.h"
#include "services/storage/errors.h"
#include "services/storage/resource.h"

namespace gcpsim::services::storage {
namespace {

Json rule_json(const LifecycleRule& r) {
  Json action = {{"type", r.action}};
  if (!r.storage_class.empty()) action["storageClass"] = r.storage_class;
  const auto& c = r.condition;
  Json cond = Json::object();
  if (c.age_days) cond["age"] = *c.age_days;
  if (c.created_before) cond["createdBefore"] = *c.created_before;
  if (c.is_live) cond["isLive"] = *c.is_live;
  if (c.num_newer_versions) cond["numNewerVersions"] = *c.num_newer_versions;
  if (c.days_since_noncurrent_time) cond["daysSinceNoncurrentTime"] = *c.days_since_noncurrent_time;
  if (c.noncurrent_time_before) cond["noncurrentTimeBefore"] = *c.noncurrent_time_before;
  if (c.days_since_custom_time) cond["daysSinceCustomTime"] = *c.days_since_custom_time;
  if (!c.matches_storage_class.empty()) cond["matchesStorageClass"] = c.matches_storage_class;
  if (!c.matches_prefix.empty()) cond["matchesPrefix"] = c.matches_prefix;
  if (!c.matches_suffix.empty()) cond["matchesSuffix"] = c.matches_suffix;
  return {{"action", action}, {"condition", cond}};
}

core::Status bad(const std::string& field) { return errors::invalid("Invalid argument: " + field + "."); }

template <class T>
core::Status read_int(const Json& j, const char* key, std::optional<T>& out) {
  if (!j.contains(key)) return core::Status::ok();
  const auto& v = j[key];
  if (v.is_number_integer()) {
    out = v.get<T>();
  } else if (v.is_string() && !v.get<std::string>().empty()) {
    out = T(std::strtoll(v.get<std::string>().c_str(), nullptr, 10));
  } else {
    return bad(std::string("lifecycle condition ") + key);
  }
  return core::Status::ok();
}

core::Status read_strings(const Json& j, const char* key, std::vector<std::string>& out) {
  if (!j.contains(key)) return core::Status::ok();
  if (!j[key].is_array()) return bad(key);
  for (const auto& v : j[key]) {
    if (!v.is_string()) return bad(key);
    out.push_back(v.get<std::string>());
  }
  return core::Status::ok();
}

core::StatusOr<LifecycleRule> rule_of(const Json& j) {
  if (!j.is_object() || !j.contains("action") || !j["action"].is_object()) return bad("lifecycle.rule.action");
  LifecycleRule r;
  const auto& a = j["action"];
  if (!a.contains("type") || !a["type"].is_string()) return bad("lifecycle.rule.action.type");
  r.action = a["type"].get<std::string>();
  if (a.contains("storageClass") && a["storageClass"].is_string()) r.storage_class = a["storageClass"].get<std::string>();
  Json c = j.contains("condition") ? j["condition"] : Json::object();
  if (!c.is_object()) return bad("lifecycle.rule.condition");
  auto& cond = r.condition;
  RETURN_IF_ERROR(read_int(c, "age", cond.age_days));
  RETURN_IF_ERROR(read_int(c, "numNewerVersions", cond.num_newer_versions));
  RETURN_IF_ERROR(read_int(c, "daysSinceNoncurrentTime", cond.days_since_noncurrent_time));
  RETURN_IF_ERROR(read_int(c, "daysSinceCustomTime", cond.days_since_custom_time));
  if (c.contains("isLive")) {
    if (!c["isLive"].is_boolean()) return bad("lifecycle condition isLive");
    cond.is_live = c["isLive"].get<bool>();
  }
  if (c.contains("createdBefore") && c["createdBefore"].is_string())
    cond.created_before = c["createdBefore"].get<std::string>().substr(0, 10);
  if (c.contains("noncurrentTimeBefore") && c["noncurrentTimeBefore"].is_string())
    cond.noncurrent_time_before = c["noncurrentTimeBefore"].get<std::string>().substr(0, 10);
  RETURN_IF_ERROR(read_strings(c, "matchesStorageClass", cond.matches_storage_class));
  RETURN_IF_ERROR(read_strings(c, "matchesPrefix", cond.matches_prefix));
  RETURN_IF_ERROR(read_strings(c, "matchesSuffix", cond.matches_suffix));
  return r;
}

core::StatusOr<CorsEntry> cors_of(const Json& j) {
  if (!j.is_object()) return bad("cors");
  CorsEntry c;
  RETURN_IF_ERROR(read_strings(j, "origin", c.origins));
  RETURN_IF_ERROR(read_strings(j, "method", c.methods));
  RETURN_IF_ERROR(read_strings(j, "responseHeader", c.response_headers));
  std::optional<int64_t> age;
  if (j.contains("maxAgeSeconds") && j["maxAgeSeconds"].is_number_integer()) age = j["maxAgeSeconds"].get<int64_t>();
  c.max_age_seconds = age;
  return c;
}

core::Status apply_labels(const Json& v, std::map<std::string, std::string>& labels, Merge merge) {
  if (merge == Merge::kReplace || v.is_null()) labels.clear();
  if (v.is_null()) return core::Status::ok();
  if (!v.is_object()) return bad("labels");
  for (const auto& [k, val] : v.items()) {
    if (val.is_null()) {
      labels.erase(k);
    } else if (val.is_string()) {
      labels[k] = val.get<std::string>();
    } else {
      return bad("labels");
    }
  }
  return core::Status::ok();
}

core::Status apply_lists(const Json& body, BucketSpec& s) {
  if (body.contains("lifecycle")) {
    s.lifecycle.clear();
    const auto& l = body["lifecycle"];
    if (!l.is_null() && l.contains("rule") && l["rule"].is_array())
      for (const auto& r : l["rule"]) { ASSIGN_OR_RETURN(auto rule, rule_of(r)); s.lifecycle.push_back(std::move(rule)); }
  }
  if (body.contains("cors")) {
    s.cors.clear();
    if (!body["cors"].is_null() && !body["cors"].is_array()) return bad("cors");
    if (body["cors"].is_array())
      for (const auto& c : body["cors"]) { ASSIGN_OR_RETURN(auto entry, cors_of(c)); s.cors.push_back(std::move(entry)); }
  }
  return core::Status::ok();
}

core::Status apply_settings(const Json& body, BucketSpec& s) {
  if (body.contains("versioning")) {
    const auto& v = body["versioning"];
    s.versioning = v.is_object() && v.contains("enabled") && v["enabled"].is_boolean() && v["enabled"].get<bool>();
  }
  if (body.contains("defaultEventBasedHold")) s.default_event_based_hold = body["defaultEventBasedHold"].is_boolean() && body["defaultEventBasedHold"].get<bool>();
  if (body.contains("retentionPolicy")) {
    const auto& r = body["retentionPolicy"];
    std::optional<int64_t> period;
    if (!r.is_null()) RETURN_IF_ERROR(read_int(r, "retentionPeriod", period));
    s.retention = period ? std::optional(RetentionPolicy{*period, false}) : std::nullopt;
  }
  if (body.contains("website")) {
    const auto& w = body["website"];
    s.website_main_page_suffix = w.is_object() && w.contains("mainPageSuffix") ? w["mainPageSuffix"].get<std::string>() : "";
    s.website_not_found_page = w.is_object() && w.contains("notFoundPage") ? w["notFoundPage"].get<std::string>() : "";
  }
  if (body.contains("iamConfiguration") && body["iamConfiguration"].is_object()) {
    const auto& i = body["iamConfiguration"];
    for (const char* key : {"uniformBucketLevelAccess", "bucketPolicyOnly"})
      if (i.contains(key) && i[key].is_object() && i[key].contains("enabled"))
        s.uniform_bucket_level_access = i[key]["enabled"].get<bool>();
    if (i.contains("publicAccessPrevention")) {
      const auto& pap = i["publicAccessPrevention"];
      // "unspecified" is the field's older name for "inherited".
      if (!pap.is_string() || (pap != "enforced" && pap != "inherited" && pap != "unspecified"))
        return bad("iamConfiguration.publicAccessPrevention");
      s.public_access_prevention = pap == "enforced" ? "enforced" : "inherited";
    }
  }
  if (body.contains("storageClass") && body["storageClass"].is_string()) s.storage_class = body["storageClass"].get<std::string>();
  return core::Status::ok();
}

std::string location_type(const std::string& loc) {
  if (loc == "US" || loc == "EU" || loc == "ASIA") return "multi-region";
  if (loc == "NAM4" || loc == "EUR4" || loc == "ASIA1") return "dual-region";
  return "region";
}

}  // namespace

Json bucket_json(const Bucket& b, const Links& links) {
  Json j;
  j["kind"] = "storage#bucket";
  j["selfLink"] = links.base + "/storage/v1/b/" + net::percent_encode(b.name);
  j["id"] = b.name;
  j["name"] = b.name;
  j["projectNumber"] = links.project_number;
  j["metageneration"] = std::to_string(b.metageneration);
  j["location"] = b.location;
  j["storageClass"] = b.storage_class;
  j["etag"] = bucket_etag(b);
  j["timeCreated"] = format_time(b.created);
  j["updated"] = format_time(b.updated);
  if (b.versioning) j["versioning"] = {{"enabled", true}};
  if (!b.labels.empty()) j["labels"] = b.labels;
  if (!b.lifecycle.empty()) {
    Json rules = Json::array();
    for (const auto& r : b.lifecycle) rules.push_back(rule_json(r));
    j["lifecycle"] = {{"rule", rules}};
  }
  if (!b.cors.empty()) {
    Json cors = Json::array();
    for (const auto& c : b.cors) {
      Json e;
      if (!c.origins.empty()) e["origin"] = c.origins;
      if (!c.methods.empty()) e["method"] = c.methods;
      if (!c.response_headers.empty()) e["responseHeader"] = c.response_headers;
      if (c.max_age_seconds) e["maxAgeSeconds"] = *c.max_age_seconds;
      cors.push_back(e);
    }
    j["cors"] = cors;
  }
  if (b.default_event_based_hold) j["defaultEventBasedHold"] = true;
  if (b.retention) {
    Json r = {{"retentionPeriod", std::to_string(b.retention->period_seconds)}};
    if (b.retention_effective) r["effectiveTime"] = format_time(*b.retention_effective);
    if (b.retention->locked) r["isLocked"] = true;
    j["retentionPolicy"] = r;
  }
  if (!b.website_main_page_suffix.empty() || !b.website_not_found_page.empty())
    j["website"] = {{"mainPageSuffix", b.website_main_page_suffix}, {"notFoundPage", b.website_not_found_page}};
  Json ubla = {{"enabled", b.uniform_bucket_level_access}};
  j["iamConfiguration"] = {{"bucketPolicyOnly", ubla}, {"uniformBucketLevelAccess", ubla},
                           {"publicAccessPrevention", b.public_access_prevention}};
  j["locationType"] = location_type(b.location);
  j["rpo"] = "DEFAULT";
  return j;
}

core::StatusOr<BucketSpec> apply_bucket(const Json& body, BucketSpec base, Merge merge) {
  BucketSpec s = std::move(base);
  if (merge == Merge::kReplace) {
    BucketSpec fresh;
    fresh.location = s.location;
    fresh.storage_class = s.storage_class;
    if (s.retention && s.retention->locked) fresh.retention = s.retention;
    s = fresh;
  }
  if (body.contains("location") && body["location"].is_string()) {
    std::string loc = body["location"].get<std::string>();
    std::transform(loc.begin(), loc.end(), loc.begin(), [](unsigned char c) { return std::toupper(c); });
    s.location = loc;
  }
  if (body.contains("labels")) RETURN_IF_ERROR(apply_labels(body["labels"], s.labels, merge));
  RETURN_IF_ERROR(apply_lists(body, s));
  RETURN_IF_ERROR(apply_settings(body, s));
  return s;
}

}  // namespace gcpsim::services::storage
