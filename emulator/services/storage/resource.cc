// Objects and notification configs as the JSON API shows them, and object request bodies.
#include "services/storage/resource.h"

#include <cstdio>

#include "net/http.h"
#include "services/storage/errors.h"

namespace gcpsim::services::storage {
namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

std::string link_path(const std::string& bucket, const std::string& name) {
  return "/b/" + net::percent_encode(bucket) + "/o/" + net::percent_encode(name);
}

core::StatusOr<std::string> string_field(const Json& v, const char* field) {
  if (v.is_null()) return std::string();
  if (!v.is_string()) return errors::invalid(std::string("Invalid value for ") + field + ".");
  return v.get<std::string>();
}

core::StatusOr<bool> bool_field(const Json& v, const char* field) {
  if (v.is_null()) return false;
  if (!v.is_boolean()) return errors::invalid(std::string("Invalid value for ") + field + ".");
  return v.get<bool>();
}

core::Status apply_metadata(const Json& v, std::map<std::string, std::string>& out, Merge merge) {
  if (merge == Merge::kReplace || v.is_null()) out.clear();
  if (v.is_null()) return core::Status::ok();
  if (!v.is_object()) return errors::invalid("Invalid value for metadata.");
  for (const auto& [k, val] : v.items()) {
    if (val.is_null()) {
      out.erase(k);
    } else if (val.is_string()) {
      out[k] = val.get<std::string>();
    } else {
      out[k] = val.dump();
    }
  }
  return core::Status::ok();
}

}  // namespace

std::string format_time(core::Time t) {
  auto ms = core::to_millis(t);
  auto secs = ms / 1000;
  int frac = int(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  auto text = core::format_rfc3339(core::from_seconds(secs));  // "2026-01-01T00:00:00Z"
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03dZ", frac);
  return text.substr(0, text.size() - 1) + buf;
}

std::string object_etag(const Object& o) {
  std::string raw("\x08", 1);
  put_varint(raw, uint64_t(o.generation));
  raw.push_back('\x10');
  put_varint(raw, uint64_t(o.metageneration));
  return base64_encode(raw);
}

std::string bucket_etag(const Bucket& b) {
  std::string raw("\x08", 1);
  put_varint(raw, uint64_t(b.metageneration));
  return base64_encode(raw);
}

Json object_json(const Object& o, const Links& links) {
  const auto& m = o.meta;
  Json j;
  j["kind"] = "storage#object";
  j["id"] = o.bucket + "/" + o.name + "/" + std::to_string(o.generation);
  j["selfLink"] = links.base + "/storage/v1" + link_path(o.bucket, o.name);
  j["mediaLink"] = links.base + "/download/storage/v1" + link_path(o.bucket, o.name) +
                   "?generation=" + std::to_string(o.generation) + "&alt=media";
  j["name"] = o.name;
  j["bucket"] = o.bucket;
  j["generation"] = std::to_string(o.generation);
  j["metageneration"] = std::to_string(o.metageneration);
  if (!m.content_type.empty()) j["contentType"] = m.content_type;
  j["storageClass"] = m.storage_class;
  j["size"] = std::to_string(o.size);
  if (!o.md5.empty()) j["md5Hash"] = base64_encode(o.md5);
  j["crc32c"] = crc32c_base64(o.crc32c);
  j["etag"] = object_etag(o);
  j["timeCreated"] = format_time(o.created);
  j["updated"] = format_time(o.updated);
  j["timeStorageClassUpdated"] = format_time(o.storage_class_updated);
  j["timeFinalized"] = format_time(o.created);
  if (o.noncurrent_since) j["timeDeleted"] = format_time(*o.noncurrent_since);
  if (!m.content_encoding.empty()) j["contentEncoding"] = m.content_encoding;
  if (!m.content_disposition.empty()) j["contentDisposition"] = m.content_disposition;
  if (!m.cache_control.empty()) j["cacheControl"] = m.cache_control;
  if (!m.content_language.empty()) j["contentLanguage"] = m.content_language;
  if (!m.metadata.empty()) j["metadata"] = m.metadata;
  if (m.custom_time) j["customTime"] = format_time(*m.custom_time);
  if (m.event_based_hold) j["eventBasedHold"] = true;
  if (m.temporary_hold) j["temporaryHold"] = true;
  if (o.retention_expires) j["retentionExpirationTime"] = format_time(*o.retention_expires);
  if (o.component_count) j["componentCount"] = *o.component_count;
  return j;
}

Json notification_json(const std::string& bucket, const NotificationConfig& n, const Links& links) {
  Json j;
  j["kind"] = "storage#notification";
  j["id"] = n.id;
  j["selfLink"] = links.base + "/storage/v1/b/" + net::percent_encode(bucket) + "/notificationConfigs/" + n.id;
  j["topic"] = "//pubsub.googleapis.com/" + n.topic;
  if (!n.event_types.empty()) j["event_types"] = n.event_types;
  if (!n.custom_attributes.empty()) j["custom_attributes"] = n.custom_attributes;
  if (!n.object_name_prefix.empty()) j["object_name_prefix"] = n.object_name_prefix;
  j["payload_format"] = n.payload_format;
  j["etag"] = std::to_string(n.etag);
  return j;
}

core::StatusOr<ObjectMeta> apply_object(const Json& body, ObjectMeta base, Merge merge) {
  ObjectMeta m = std::move(base);
  if (merge == Merge::kReplace) {
    ObjectMeta fresh;
    fresh.storage_class = m.storage_class;
    fresh.custom_time = m.custom_time;
    fresh.event_based_hold = m.event_based_hold;
    fresh.temporary_hold = m.temporary_hold;
    m = fresh;
  }
  struct Text { const char* key; std::string* field; } texts[] = {
      {"contentType", &m.content_type},         {"contentEncoding", &m.content_encoding},
      {"contentDisposition", &m.content_disposition}, {"cacheControl", &m.cache_control},
      {"contentLanguage", &m.content_language},
  };
  for (auto& t : texts)
    if (body.contains(t.key)) { ASSIGN_OR_RETURN(*t.field, string_field(body[t.key], t.key)); }
  if (body.contains("storageClass") && body["storageClass"].is_string())
    m.storage_class = body["storageClass"].get<std::string>();
  if (body.contains("metadata")) RETURN_IF_ERROR(apply_metadata(body["metadata"], m.metadata, merge));
  if (body.contains("eventBasedHold")) { ASSIGN_OR_RETURN(m.event_based_hold, bool_field(body["eventBasedHold"], "eventBasedHold")); }
  if (body.contains("temporaryHold")) { ASSIGN_OR_RETURN(m.temporary_hold, bool_field(body["temporaryHold"], "temporaryHold")); }
  if (body.contains("customTime")) {
    const auto& v = body["customTime"];
    if (v.is_null()) {
      m.custom_time.reset();
    } else {
      auto t = v.is_string() ? core::parse_rfc3339(v.get<std::string>()) : std::nullopt;
      if (!t) return errors::invalid("Invalid value for customTime.");
      m.custom_time = t;
    }
  }
  return m;
}

ExpectedHashes expected_hashes(const Json& body) {
  ExpectedHashes e;
  if (body.contains("md5Hash") && body["md5Hash"].is_string()) e.md5_base64 = body["md5Hash"].get<std::string>();
  if (body.contains("crc32c") && body["crc32c"].is_string()) e.crc32c_base64 = body["crc32c"].get<std::string>();
  return e;
}

core::StatusOr<Json> parse_body(std::string_view text) {
  size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return Json::object();
  auto j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return errors::bad_request("Parse Error");
  return j;
}

core::StatusOr<std::string> topic_name(const std::string& topic) {
  std::string t = topic;
  const std::string host = "//pubsub.googleapis.com/";
  if (t.compare(0, host.size(), host) == 0) t = t.substr(host.size());
  auto slash = t.find("/topics/");
  if (t.compare(0, 9, "projects/") != 0 || slash == std::string::npos || slash == 9 ||
      slash + 8 >= t.size() || t.find('/', slash + 8) != std::string::npos)
    return errors::invalid("Invalid Google Cloud Pub/Sub topic. It should look like '//pubsub.googleapis.com/projects/*/topics/*'.");
  return t;
}

core::StatusOr<NotificationConfig> notification_of(const Json& body) {
  NotificationConfig n;
  if (!body.contains("topic") || !body["topic"].is_string()) return errors::required("Required: topic");
  ASSIGN_OR_RETURN(n.topic, topic_name(body["topic"].get<std::string>()));
  if (body.contains("payload_format")) { ASSIGN_OR_RETURN(n.payload_format, string_field(body["payload_format"], "payload_format")); }
  if (body.contains("object_name_prefix")) { ASSIGN_OR_RETURN(n.object_name_prefix, string_field(body["object_name_prefix"], "object_name_prefix")); }
  if (body.contains("event_types")) {
    if (!body["event_types"].is_array()) return errors::invalid("Invalid value for event_types.");
    for (const auto& e : body["event_types"]) {
      if (!e.is_string()) return errors::invalid("Invalid value for event_types.");
      n.event_types.push_back(e.get<std::string>());
    }
  }
  if (body.contains("custom_attributes")) {
    if (!body["custom_attributes"].is_object()) return errors::invalid("Invalid value for custom_attributes.");
    for (const auto& [k, v] : body["custom_attributes"].items())
      if (v.is_string()) n.custom_attributes[k] = v.get<std::string>();
  }
  return n;
}

}  // namespace gcpsim::services::storage
