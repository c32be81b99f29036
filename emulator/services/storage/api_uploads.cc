// Handlers: uploads — media, multipart/related, and resumable sessions (start, chunks,
// status queries, cancel). Spooled request bodies are moved or sliced, never loaded.
#include "core/env.h"
#include "net/http.h"
#include "services/storage/api.h"
#include "services/storage/errors.h"
#include "services/storage/multipart.h"

namespace gcpsim::services::storage {

BodySource request_body(const HttpRequest& req) {
  BodySource b;
  if (req.body_file.empty()) {
    b.bytes = req.body;
  } else {
    b.file = req.body_file;
    b.length = req.body_size;
    b.whole_file = true;
    if (req.body_digest) b.digest = *req.body_digest;
  }
  return b;
}

namespace {

constexpr const char* kDefaultType = "application/octet-stream";

core::StatusOr<ObjectWrite> base_write(const HttpRequest& req) {
  ObjectWrite w;
  w.bucket = req.param("bucket");
  w.name = req.query_param("name").value_or("");
  ASSIGN_OR_RETURN(w.pre, preconditions_of(req));
  return w;
}

void apply_header_hashes(const HttpRequest& req, ExpectedHashes& e) {
  auto h = req.header("X-Goog-Hash");
  if (!h) return;
  auto parsed = parse_goog_hash(*h);
  if (parsed.md5_base64) e.md5_base64 = parsed.md5_base64;
  if (parsed.crc32c_base64) e.crc32c_base64 = parsed.crc32c_base64;
}

// Metadata from a JSON resource (multipart's first part, a resumable start's body).
core::Status apply_resource(ObjectWrite& w, const Json& meta) {
  if (w.name.empty() && meta.contains("name") && meta["name"].is_string()) w.name = meta["name"].get<std::string>();
  ASSIGN_OR_RETURN(w.meta, apply_object(meta, ObjectMeta{}, Merge::kReplace));
  w.expected = expected_hashes(meta);
  return core::Status::ok();
}

std::string upload_type(const HttpRequest& req) {
  if (auto t = req.query_param("uploadType")) return *t;
  auto ct = req.header("Content-Type").value_or("");
  return ct.compare(0, 10, "multipart/") == 0 ? "multipart" : "media";
}

}  // namespace

Answer Api::upload(HttpRequest& req) {
  if (req.query_param("upload_id")) return upload_chunk(req);
  ASSIGN_OR_RETURN(auto w, base_write(req));
  std::string type = upload_type(req);
  if (type == "resumable") {
    if (!req.body_file.empty()) return errors::bad_request("The resumable upload metadata is too large.");
    ASSIGN_OR_RETURN(auto meta, parse_body(req.body));
    RETURN_IF_ERROR(apply_resource(w, meta));
    if (auto t = req.header("X-Upload-Content-Type")) w.meta.content_type = *t;
    if (w.meta.content_type.empty()) w.meta.content_type = kDefaultType;
    std::optional<uint64_t> declared;
    if (auto len = req.header("X-Upload-Content-Length")) {
      char* end = nullptr;
      declared = std::strtoull(len->c_str(), &end, 10);
      if (len->empty() || *end) return errors::invalid("Invalid X-Upload-Content-Length: " + *len);
    }
    return resumable_start(req, std::move(w), declared);
  }
  BodySource body = request_body(req);
  MultipartBody parts;  // outlives the insert: body may view its decoded media
  if (type == "multipart") {
    ASSIGN_OR_RETURN(parts, parse_multipart(req.header("Content-Type").value_or(""), req.body, req.body_file,
                                            req.body_size));
    ASSIGN_OR_RETURN(auto meta, parse_body(parts.metadata));
    RETURN_IF_ERROR(apply_resource(w, meta));
    if (w.meta.content_type.empty()) w.meta.content_type = parts.media_type.empty() ? kDefaultType : parts.media_type;
    body.whole_file = false;
    if (parts.media_decoded) {
      body.file.clear();
      body.bytes = *parts.media_decoded;
    } else if (body.file.empty()) {
      body.bytes = std::string_view(req.body).substr(size_t(parts.media_offset), size_t(parts.media_length));
    } else {
      body.offset = parts.media_offset;
      body.length = parts.media_length;
    }
  } else if (type == "media") {
    w.meta.content_type = req.header("Content-Type").value_or(kDefaultType);
    if (auto enc = req.query_param("contentEncoding")) w.meta.content_encoding = *enc;
  } else {
    return errors::invalid("Invalid upload type: " + type);
  }
  apply_header_hashes(req, w.expected);
  ASSIGN_OR_RETURN(auto o, storage_.insert_object(w, body));
  return json_answer(req, object_json(o, links_of(req, env_)));
}

Answer Api::insert_without_upload(HttpRequest&) {
  return errors::bad_request("Upload requests must include an uploadType URL parameter and a URL path beginning "
                             "with /upload/");
}

Answer Api::resumable_start(HttpRequest& req, ObjectWrite w, const std::optional<uint64_t>& declared) {
  ASSIGN_OR_RETURN(auto session, uploads_.start(std::move(w), declared));
  auto links = links_of(req, env_);
  HttpResponse r = empty_answer(200);
  r.header("Location", links.base + "/upload/storage/v1/b/" + net::percent_encode(session.write.bucket) +
                           "/o?uploadType=resumable&name=" + net::percent_encode(session.write.name) +
                           "&upload_id=" + session.id);
  r.header("X-GUploader-UploadID", session.id);
  return r;
}

Answer Api::upload_chunk(HttpRequest& req) {
  auto id = req.query_param("upload_id");
  if (!id) return errors::required("Required parameter: upload_id");
  const UploadSession* s = uploads_.find(*id);
  if (!s || s->write.bucket != req.param("bucket")) return errors::upload_not_found();
  std::optional<ContentRange> range;
  if (auto h = req.header("Content-Range")) {
    range = ContentRange::parse(*h);
    if (!range) return errors::bad_request("Failed to parse Content-Range header.");
  }
  ExpectedHashes final_hashes;
  apply_header_hashes(req, final_hashes);
  ASSIGN_OR_RETURN(auto progress, uploads_.put(*id, range, request_body(req), final_hashes));
  if (progress.object) return json_answer(req, object_json(*progress.object, links_of(req, env_)));
  HttpResponse r = empty_answer(308);
  if (progress.persisted > 0) r.header("Range", "bytes=0-" + std::to_string(progress.persisted - 1));
  r.header("X-GUploader-UploadID", *id);
  return r;
}

Answer Api::cancel_upload(HttpRequest& req) {
  auto id = req.query_param("upload_id");
  if (!id) return errors::required("Required parameter: upload_id");
  const UploadSession* s = uploads_.find(*id);
  if (!s || s->write.bucket != req.param("bucket")) return errors::upload_not_found();
  return uploads_.cancel(*id);
}

}  // namespace gcpsim::services::storage
