// The path-style endpoint /BUCKET/OBJECT (the XML API's shape, as signed and public URLs use
// it): GET/HEAD downloads, PUT uploads, DELETE, a bucket listing, CORS and signed URLs.
#include "core/clock.h"
#include "core/env.h"
#include "services/storage/api.h"
#include "services/storage/cors.h"
#include "services/storage/errors.h"
#include "services/storage/signed_url.h"

namespace gcpsim::services::storage {
namespace {

constexpr const char* kXmlType = "application/xml; charset=UTF-8";

std::pair<std::string, std::string> split_path(const std::string& path) {
  auto slash = path.find('/', 1);
  if (slash == std::string::npos) return {net::percent_decode(path.substr(1)), ""};
  return {net::percent_decode(path.substr(1, slash - 1)), net::percent_decode(path.substr(slash + 1))};
}

}  // namespace

HttpResponse xml_error(const XmlError& e) {
  return HttpResponse::text(e.status, errors::xml_body(e.code, e.message, e.details), kXmlType);
}

HttpResponse xml_error(const core::Status& s) {
  std::string code = errors::xml_code(s);
  std::string message = code == "NoSuchKey" ? "The specified key does not exist." : s.message();
  int status = errors::http_status(s);
  if (status == 304) return empty_answer(304);
  return xml_error(XmlError{status, code, message, ""});
}

namespace {


core::StatusOr<Preconditions> header_preconditions(const HttpRequest& req) {
  Preconditions p;
  auto read = [&](const char* name, std::optional<int64_t>& out) -> core::Status {
    auto v = req.header(name);
    if (!v) return core::Status::ok();
    char* end = nullptr;
    out = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end) return errors::invalid(std::string("Invalid ") + name + " header.");
    return core::Status::ok();
  };
  RETURN_IF_ERROR(read("x-goog-if-generation-match", p.generation_match));
  RETURN_IF_ERROR(read("x-goog-if-metageneration-match", p.metageneration_match));
  return p;
}

ObjectMeta header_meta(const HttpRequest& req) {
  ObjectMeta m;
  m.content_type = req.header("Content-Type").value_or("application/octet-stream");
  m.content_encoding = req.header("Content-Encoding").value_or("");
  m.content_disposition = req.header("Content-Disposition").value_or("");
  m.cache_control = req.header("Cache-Control").value_or("");
  m.content_language = req.header("Content-Language").value_or("");
  for (const auto& [k, v] : req.headers)
    if (k.size() > 11 && (k.compare(0, 11, "x-goog-meta") == 0 || k.compare(0, 11, "X-Goog-Meta") == 0))
      m.metadata[k.substr(12)] = v;
  return m;
}

}  // namespace

bool Api::claims(const HttpRequest& req) const {
  if (req.method == "POST" && req.header("Content-Type").value_or("").compare(0, 19, "multipart/form-data") == 0)
    return split_path(req.path).second.empty();
  if (req.path.size() < 2 || req.path[0] != '/') return false;
  auto [bucket, object] = split_path(req.path);
  if (bucket.empty()) return false;
  return is_signed_url(req) || storage_.get_bucket(bucket).ok();
}

HttpResponse Api::path_style(HttpRequest& req) {
  auto [bucket_name, object] = split_path(req.path);
  if (req.method == "POST" && object.empty()) return post_object(req, bucket_name);
  auto bucket = storage_.get_bucket(bucket_name);
  if (req.method == "OPTIONS")
    return bucket.ok() ? preflight(bucket->cors, req) : xml_error(bucket.status());
  HttpResponse r;
  std::optional<XmlError> denied;
  if (is_signed_url(req)) denied = verify_signed_url(req, env_.clock.now(), signature_check_);
  else if (bucket.ok() && bucket->public_access_prevention == "enforced" && !req.header("Authorization"))
    denied = anonymous_denied(req.method, !object.empty());
  r = denied ? xml_error(*denied) : xml_answer(req, bucket_name, object);
  if (bucket.ok()) add_cors_headers(bucket->cors, req, r);
  return r;
}

HttpResponse Api::xml_answer(HttpRequest& req, const std::string& bucket, const std::string& object) {
  auto answer = [&]() -> Answer {
    ASSIGN_OR_RETURN(auto pre, header_preconditions(req));
    if (object.empty()) {
      if (req.method != "GET") return errors::make(core::Code::kUnimplemented, "notImplemented", "Not implemented.");
      ListQuery q;
      q.prefix = req.query_param("prefix").value_or("");
      q.delimiter = req.query_param("delimiter").value_or("");
      ASSIGN_OR_RETURN(auto page, storage_.list_objects(bucket, q));
      std::string xml = "<?xml version='1.0' encoding='UTF-8'?><ListBucketResult xmlns='http://doc.s3.amazonaws.com/2006-03-01'><Name>" +
                        net::xml_escape(bucket) + "</Name><Prefix>" + net::xml_escape(q.prefix) + "</Prefix>";
      for (const auto& o : page.items)
        xml += "<Contents><Key>" + net::xml_escape(o.name) + "</Key><Generation>" + std::to_string(o.generation) +
               "</Generation><LastModified>" + format_time(o.updated) + "</LastModified><ETag>\"" +
               hex_encode(o.md5) + "\"</ETag><Size>" + std::to_string(o.size) + "</Size></Contents>";
      for (const auto& p : page.prefixes) xml += "<CommonPrefixes><Prefix>" + net::xml_escape(p) + "</Prefix></CommonPrefixes>";
      return HttpResponse::text(200, xml + "</ListBucketResult>", kXmlType);
    }
    ObjectRef ref{bucket, object, std::nullopt};
    ASSIGN_OR_RETURN(ref.generation, int_param(req, "generation"));
    if (req.method == "GET" || req.method == "HEAD") {
      ASSIGN_OR_RETURN(auto o, storage_.get_object(ref, pre));
      return media(o, req);
    }
    if (req.method == "DELETE") {
      RETURN_IF_ERROR(storage_.delete_object(ref, pre));
      return empty_answer(204);
    }
    if (req.method != "PUT") return errors::make(core::Code::kUnimplemented, "notImplemented", "Not implemented.");
    uint64_t size = req.body_file.empty() ? req.body.size() : req.body_size;
    if (auto range = req.header("x-goog-content-length-range"))
      if (auto refused = check_content_length_range(*range, size)) return xml_error(*refused);
    ObjectWrite w{bucket, object, header_meta(req), pre, {}};
    if (auto h = req.header("X-Goog-Hash")) w.expected = parse_goog_hash(*h);
    if (auto md5 = req.header("Content-MD5")) w.expected.md5_base64 = *md5;
    ASSIGN_OR_RETURN(auto o, storage_.insert_object(w, request_body(req)));
    HttpResponse ok = empty_answer(200);
    ok.header("ETag", "\"" + hex_encode(o.md5) + "\"");
    ok.header("X-Goog-Generation", std::to_string(o.generation));
    ok.header("X-Goog-Metageneration", std::to_string(o.metageneration));
    ok.header("X-Goog-Hash", "crc32c=" + crc32c_base64(o.crc32c) + ",md5=" + base64_encode(o.md5));
    ok.header("X-Goog-Stored-Content-Length", std::to_string(o.size));
    return ok;
  }();
  return answer.ok() ? std::move(answer).value() : xml_error(answer.status());
}

}  // namespace gcpsim::services::storage
