// Resumable upload sessions: offsets, the 256 KiB chunk rule, finalization and expiry.
#include "services/storage/uploads.h"

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/storage/errors.h"
#include "services/storage/limits.h"
#include "services/storage/rows.h"

namespace gcpsim::services::storage {
namespace {

using nlohmann::json;

std::optional<uint64_t> number(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  return v;
}

BodySource slice(const BodySource& b, uint64_t offset, uint64_t length) {
  if (offset == 0 && length == b.size()) return b;  // whole: may still be moved, its digest holds
  BodySource out;
  if (b.file.empty()) {
    out.bytes = b.bytes.substr(size_t(offset), size_t(length));
  } else {
    out.file = b.file;
    out.offset = b.offset + offset;
    out.length = length;
  }
  return out;
}

int64_t ns(core::Time t) { return t.time_since_epoch().count(); }

json pre_json(const Preconditions& p) {
  json j = json::object();
  if (p.generation_match) j["g"] = *p.generation_match;
  if (p.generation_not_match) j["gn"] = *p.generation_not_match;
  if (p.metageneration_match) j["m"] = *p.metageneration_match;
  if (p.metageneration_not_match) j["mn"] = *p.metageneration_not_match;
  return j;
}

Preconditions pre_of(const json& j) {
  Preconditions p;
  if (j.contains("g")) p.generation_match = j["g"].get<int64_t>();
  if (j.contains("gn")) p.generation_not_match = j["gn"].get<int64_t>();
  if (j.contains("m")) p.metageneration_match = j["m"].get<int64_t>();
  if (j.contains("mn")) p.metageneration_not_match = j["mn"].get<int64_t>();
  return p;
}

json session_json(const UploadSession& s) {
  const auto& m = s.write.meta;
  json meta = {{"type", m.content_type}, {"encoding", m.content_encoding}, {"disposition", m.content_disposition},
               {"cache", m.cache_control}, {"language", m.content_language}, {"metadata", m.metadata},
               {"eventHold", m.event_based_hold}, {"tempHold", m.temporary_hold}, {"class", m.storage_class}};
  if (m.custom_time) meta["customTime"] = ns(*m.custom_time);
  json j = {{"bucket", s.write.bucket}, {"name", s.write.name}, {"meta", meta}, {"pre", pre_json(s.write.pre)},
            {"persisted", s.persisted}, {"created", ns(s.created)}, {"cancelled", s.cancelled}};
  if (s.write.expected.md5_base64) j["md5"] = *s.write.expected.md5_base64;
  if (s.write.expected.crc32c_base64) j["crc32c"] = *s.write.expected.crc32c_base64;
  if (s.declared_size) j["declared"] = *s.declared_size;
  if (s.result) j["result"] = s.result->generation.value_or(0);
  return j;
}

UploadSession session_of(const std::string& id, const json& j) {
  UploadSession s;
  s.id = id;
  s.write.bucket = j.at("bucket").get<std::string>();
  s.write.name = j.at("name").get<std::string>();
  const auto& meta = j.at("meta");
  auto& m = s.write.meta;
  m.content_type = meta.at("type").get<std::string>();
  m.content_encoding = meta.at("encoding").get<std::string>();
  m.content_disposition = meta.at("disposition").get<std::string>();
  m.cache_control = meta.at("cache").get<std::string>();
  m.content_language = meta.at("language").get<std::string>();
  m.metadata = meta.at("metadata").get<std::map<std::string, std::string>>();
  m.event_based_hold = meta.at("eventHold").get<bool>();
  m.temporary_hold = meta.at("tempHold").get<bool>();
  m.storage_class = meta.at("class").get<std::string>();
  if (meta.contains("customTime")) m.custom_time = core::Time{core::Duration{meta["customTime"].get<int64_t>()}};
  s.write.pre = pre_of(j.at("pre"));
  if (j.contains("md5")) s.write.expected.md5_base64 = j["md5"].get<std::string>();
  if (j.contains("crc32c")) s.write.expected.crc32c_base64 = j["crc32c"].get<std::string>();
  if (j.contains("declared")) s.declared_size = j["declared"].get<uint64_t>();
  s.persisted = j.at("persisted").get<uint64_t>();
  s.created = core::Time{core::Duration{j.at("created").get<int64_t>()}};
  s.cancelled = j.at("cancelled").get<bool>();
  if (j.contains("result")) s.result = ObjectRef{s.write.bucket, s.write.name, j["result"].get<int64_t>()};
  return s;
}

}  // namespace

std::optional<ContentRange> ContentRange::parse(std::string_view h) {
  if (h.substr(0, 6) != "bytes ") return std::nullopt;
  h.remove_prefix(6);
  auto slash = h.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto span = h.substr(0, slash), total = h.substr(slash + 1);
  ContentRange r;
  if (total != "*") {
    r.total = number(total);
    if (!r.total) return std::nullopt;
  }
  if (span == "*") return r;
  auto dash = span.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  r.first = number(span.substr(0, dash));
  if (!r.first) return std::nullopt;
  if (span.substr(dash + 1) != "*") {
    r.last = number(span.substr(dash + 1));
    if (!r.last || *r.last < *r.first) return std::nullopt;
  }
  return r;
}

Uploads::Uploads(Storage& storage) : storage_(storage) {
  for (auto& [id, body] : rows::uploads(storage_.env().store)) {
    auto s = session_of(id, json::parse(body));
    // A kill between appending a chunk and saving its offset leaves bytes past `persisted`;
    // they were never acknowledged, and the client resends them from the offset it was told.
    if (!s.result && !s.cancelled) {
      auto& bodies = storage_.bodies();
      if (bodies.partial_size(partial(id)) > s.persisted) (void)bodies.truncate(partial(id), s.persisted);
    } else {
      storage_.bodies().drop(partial(id));  // finished or cancelled: a kill before the drop
    }
    arm_expiry(s);
    sessions_.emplace(id, std::move(s));
  }
}

Uploads::~Uploads() {
  for (auto& [id, timer] : timers_) storage_.env().clock.cancel(timer);
}

std::string Uploads::partial(const std::string& id) const { return storage_.bodies().partial_path("upload-" + id); }

void Uploads::save(const UploadSession& s) { (void)rows::put_upload(storage_.env().store, s.id, session_json(s).dump()); }

void Uploads::arm_expiry(const UploadSession& s) {
  std::string id = s.id;
  timers_[id] = storage_.env().clock.schedule(s.created + limits::kResumableSessionTtl, [this, id] { expire(id); });
}

void Uploads::expire(const std::string& id) {
  timers_.erase(id);
  sessions_.erase(id);
  storage_.bodies().drop(partial(id));
  (void)rows::delete_upload(storage_.env().store, id);
}

const UploadSession* Uploads::find(const std::string& id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

core::StatusOr<UploadSession> Uploads::start(ObjectWrite w, std::optional<uint64_t> declared_size) {
  RETURN_IF_ERROR(storage_.check_write(w));
  UploadSession s;
  do {
    s.id = storage_.env().ids.token("storage.upload", 24);
  } while (sessions_.count(s.id) || rows::get_upload(storage_.env().store, s.id));
  s.write = std::move(w);
  s.declared_size = declared_size;
  s.created = storage_.env().clock.now();
  storage_.bodies().drop(partial(s.id));
  save(s);
  arm_expiry(s);
  return sessions_.emplace(s.id, s).first->second;
}

core::Status Uploads::cancel(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return errors::upload_not_found();
  if (it->second.result) return errors::upload_not_found();
  it->second.cancelled = true;
  storage_.bodies().drop(partial(id));
  save(it->second);
  return errors::upload_cancelled();
}

core::StatusOr<UploadProgress> Uploads::put(const std::string& id, const std::optional<ContentRange>& range,
                                            const BodySource& body, const ExpectedHashes& final_hashes) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return errors::upload_not_found();
  UploadSession& s = it->second;
  if (s.cancelled) return errors::upload_cancelled();
  if (s.result) {
    ASSIGN_OR_RETURN(auto o, storage_.get_object(*s.result));
    return UploadProgress{o.size, o};
  }
  ContentRange r;
  if (range) {
    r = *range;
  } else {
    r.first = 0;
    r.total = body.size();
    if (body.size()) r.last = body.size() - 1;
  }
  if (r.total && s.declared_size && *r.total != *s.declared_size)
    return errors::bad_request("The total size in Content-Range does not match X-Upload-Content-Length.");
  if (!r.first) {
    if (body.size() != 0) return errors::bad_request("A status query must not carry a body.");
    if (r.total && *r.total < s.persisted)
      return errors::bad_request("The total size is smaller than the bytes already uploaded.");
    if (r.total && *r.total == s.persisted) return finish(s, final_hashes);
    return UploadProgress{s.persisted, std::nullopt};
  }
  return append(s, r, body, final_hashes);
}

core::StatusOr<UploadProgress> Uploads::append(UploadSession& s, const ContentRange& r, const BodySource& body,
                                               const ExpectedHashes& final_hashes) {
  uint64_t size = body.size();
  if (r.last && *r.last - *r.first + 1 != size)
    return errors::bad_request("The Content-Range header does not match the size of the request body.");
  if (*r.first > s.persisted) return UploadProgress{s.persisted, std::nullopt};  // a gap: nothing is kept
  uint64_t end = *r.first + size;
  std::optional<uint64_t> total = r.total ? r.total : s.declared_size;
  if (total && end > *total) return errors::bad_request("The upload exceeds the declared object size.");
  bool final = total ? end == *total : !r.last;
  uint64_t keep_to = end;
  if (!final) {
    if (size < limits::kResumableGranularity) return errors::small_chunk(size);
    keep_to = end / limits::kResumableGranularity * limits::kResumableGranularity;
  }
  // The whole object in one chunk: the digest the edge took as it arrived is the object's.
  std::optional<Digest> known;
  if (final && s.persisted == 0 && *r.first == 0 && keep_to == size) known = body.digest;
  if (keep_to > s.persisted) {
    uint64_t skip = s.persisted - *r.first;
    auto written = storage_.bodies().append(partial(s.id), slice(body, skip, keep_to - s.persisted));
    if (!written.ok()) {
      (void)storage_.bodies().truncate(partial(s.id), s.persisted);
      return written.status();
    }
    s.persisted = keep_to;
    save(s);
  }
  if (final) return finish(s, final_hashes, known);
  return UploadProgress{s.persisted, std::nullopt};
}

// Lands the partial file as a generation; a failed commit ends the session.
core::StatusOr<UploadProgress> Uploads::finish(UploadSession& s, const ExpectedHashes& final_hashes,
                                               const std::optional<Digest>& known) {
  ObjectWrite w = s.write;
  if (final_hashes.md5_base64) w.expected.md5_base64 = final_hashes.md5_base64;
  if (final_hashes.crc32c_base64) w.expected.crc32c_base64 = final_hashes.crc32c_base64;
  if (storage_.bodies().partial_size(partial(s.id)) != s.persisted)
    return core::Status::internal("upload session " + s.id + " lost its bytes");
  int64_t generation = storage_.next_generation();
  auto digest = storage_.bodies().finish(generation, partial(s.id), known);
  auto committed = digest.ok() ? storage_.commit(w, generation, *digest) : core::StatusOr<Object>(digest.status());
  if (!committed.ok()) {
    std::string id = s.id;
    if (auto t = timers_.find(id); t != timers_.end()) storage_.env().clock.cancel(t->second);
    expire(id);
    return committed.status();
  }
  s.result = ObjectRef{w.bucket, w.name, committed->generation};
  save(s);
  storage_.bodies().drop(partial(s.id));
  return UploadProgress{committed->size, *committed};
}

}  // namespace gcpsim::services::storage
