// Downloads: object bytes as a file slice (never loaded), with Range (206/416), checksums
// and the x-goog-* headers the official clients read.
#include "core/env.h"
#include "services/storage/api.h"
#include "services/storage/errors.h"

namespace gcpsim::services::storage {
namespace {

struct ByteRange {
  uint64_t first = 0, last = 0;
};

// "bytes=0-99", "bytes=100-", "bytes=-100". nullopt: no usable single range (serve it all).
// An unsatisfiable range is an error.
core::StatusOr<std::optional<ByteRange>> parse_range(const std::optional<std::string>& header, uint64_t size) {
  if (!header) return std::optional<ByteRange>();
  std::string h = *header;
  if (h.compare(0, 6, "bytes=") != 0 || h.find(',') != std::string::npos) return std::optional<ByteRange>();
  h = h.substr(6);
  auto dash = h.find('-');
  if (dash == std::string::npos) return std::optional<ByteRange>();
  std::string a = h.substr(0, dash), b = h.substr(dash + 1);
  // At most 19 digits: std::stoull throws past 2^64, and no object is that large anyway.
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if ((!a.empty() && !digits(a)) || (!b.empty() && !digits(b)) || (a.empty() && b.empty()))
    return std::optional<ByteRange>();
  ByteRange r;
  if (a.empty()) {  // suffix: the last n bytes
    uint64_t n = std::stoull(b);
    if (n == 0) return errors::range_not_satisfiable();
    if (size == 0) return std::optional<ByteRange>();
    r.first = n >= size ? 0 : size - n;
    r.last = size - 1;
    return std::optional(r);
  }
  r.first = std::stoull(a);
  if (r.first >= size) {
    if (size == 0 && r.first == 0) return std::optional<ByteRange>();
    return errors::range_not_satisfiable();
  }
  r.last = b.empty() ? size - 1 : std::min<uint64_t>(std::stoull(b), size - 1);
  if (r.last < r.first) return std::optional<ByteRange>();
  return std::optional(r);
}

void object_headers(HttpResponse& r, const Object& o) {
  const auto& m = o.meta;
  r.header("Content-Type", m.content_type.empty() ? "application/octet-stream" : m.content_type);
  r.header("X-Goog-Generation", std::to_string(o.generation));
  r.header("X-Goog-Metageneration", std::to_string(o.metageneration));
  r.header("X-Goog-Stored-Content-Encoding", m.content_encoding.empty() ? "identity" : m.content_encoding);
  r.header("X-Goog-Stored-Content-Length", std::to_string(o.size));
  r.header("X-Goog-Storage-Class", m.storage_class);
  std::string hash = "crc32c=" + crc32c_base64(o.crc32c);
  if (!o.md5.empty()) hash += ",md5=" + base64_encode(o.md5);
  r.header("X-Goog-Hash", hash);
  r.header("ETag", "\"" + object_etag(o) + "\"");
  r.header("Last-Modified", http_date(o.updated));
  r.header("Accept-Ranges", "bytes");
  r.header("Cache-Control", m.cache_control.empty() ? "no-cache, no-store, max-age=0, must-revalidate" : m.cache_control);
  if (!m.content_encoding.empty()) r.header("Content-Encoding", m.content_encoding);
  if (!m.content_disposition.empty()) r.header("Content-Disposition", m.content_disposition);
  if (!m.content_language.empty()) r.header("Content-Language", m.content_language);
  for (const auto& [k, v] : m.metadata) r.header("X-Goog-Meta-" + k, v);
}

}  // namespace

Answer Api::media(const Object& o, const HttpRequest& req) {
  auto range = parse_range(req.header("Range"), o.size);
  if (!range.ok()) {
    auto r = error_answer(range.status());
    r.header("Content-Range", "bytes */" + std::to_string(o.size));
    return r;
  }
  HttpResponse r;
  object_headers(r, o);
  std::string path = storage_.body_path(o);
  if (*range) {
    const auto& br = **range;
    r.status = 206;
    r.header("Content-Range", "bytes " + std::to_string(br.first) + "-" + std::to_string(br.last) + "/" +
                                  std::to_string(o.size));
    r.file = net::FileSlice{path, br.first, br.last - br.first + 1};
  } else {
    r.status = 200;
    r.file = net::FileSlice{path, 0, o.size};
  }
  return r;
}

Answer Api::download(HttpRequest& req) {
  ObjectRef ref{req.param("bucket"), req.param("object"), std::nullopt};
  ASSIGN_OR_RETURN(ref.generation, int_param(req, "generation"));
  ASSIGN_OR_RETURN(auto pre, preconditions_of(req));
  ASSIGN_OR_RETURN(auto o, storage_.get_object(ref, pre));
  return media(o, req);
}

}  // namespace gcpsim::services::storage
