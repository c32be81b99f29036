// multipart/related parsing from a body's head (metadata part, media headers) and tail
// (the closing delimiter).
#include "services/storage/multipart.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "services/storage/errors.h"

namespace gcpsim::services::storage {
namespace {

std::string read_range(const std::string& file, uint64_t offset, uint64_t length) {
  std::string out(size_t(length), '\0');
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  ssize_t n = ::pread(fd, out.data(), out.size(), off_t(offset));
  ::close(fd);
  out.resize(n > 0 ? size_t(n) : 0);
  return out;
}

constexpr uint64_t kHeadBytes = 1 << 20;
constexpr uint64_t kTailBytes = 4096;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  auto lc = lower(content_type);
  auto pos = lc.find("boundary=");
  if (pos == std::string::npos) return "";
  std::string b(content_type.substr(pos + 9));
  if (auto semi = b.find(';'); semi != std::string::npos) b.resize(semi);
  while (!b.empty() && b.back() == ' ') b.pop_back();
  if (b.size() >= 2 && b.front() == '"' && b.back() == '"') b = b.substr(1, b.size() - 2);
  return b;
}

namespace {


// Splits a part at its blank line; returns the headers' Content-Type and where the body starts.
bool part_headers(std::string_view head, size_t start, std::string& content_type, size_t& body_start) {
  size_t end = head.find("\r\n\r\n", start);
  size_t sep = 4;
  if (end == std::string_view::npos) {
    end = head.find("\n\n", start);
    sep = 2;
  }
  if (end == std::string_view::npos) return false;
  auto headers = head.substr(start, end - start);
  auto lc = lower(headers);
  if (auto p = lc.find("content-type:"); p != std::string::npos) {
    auto line_end = headers.find('\n', p);
    auto v = headers.substr(p + 13, (line_end == std::string_view::npos ? headers.size() : line_end) - p - 13);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
    content_type = std::string(v);
  }
  body_start = end + sep;
  return true;
}

}  // namespace

void read_body_ends(BodyEnds& out, std::string_view bytes, const std::string& file, uint64_t size, uint64_t tail_bytes) {
  out.head = out.tail = bytes;
  out.tail_offset = 0;
  if (file.empty()) return;
  out.head_buf = read_range(file, 0, std::min(size, kHeadBytes));
  out.tail_offset = size > tail_bytes ? size - tail_bytes : 0;
  out.tail_buf = read_range(file, out.tail_offset, size - out.tail_offset);
  out.head = out.head_buf;
  out.tail = out.tail_buf;
}

core::StatusOr<MultipartBody> parse_multipart(std::string_view content_type, std::string_view bytes,
                                              const std::string& file, uint64_t size) {
  std::string boundary = multipart_boundary(content_type);
  if (boundary.empty()) return errors::bad_request("Missing boundary in multipart Content-Type.");
  std::string delim = "--" + boundary;
  BodyEnds ends;
  read_body_ends(ends, bytes, file, size, kTailBytes + delim.size());
  std::string_view head = ends.head, tail = ends.tail;
  uint64_t tail_offset = ends.tail_offset;
  size_t first = head.find(delim);
  if (first == std::string_view::npos) return errors::bad_request("Invalid multipart request with 0 mime parts.");
  MultipartBody out;
  std::string ignored;
  size_t meta_start = 0;
  if (!part_headers(head, first + delim.size(), ignored, meta_start))
    return errors::bad_request("Malformed multipart part headers.");
  size_t meta_end = head.find("\r\n" + delim, meta_start);
  if (meta_end == std::string_view::npos)
    return errors::bad_request("Invalid multipart request with only 1 mime parts.");
  out.metadata = std::string(head.substr(meta_start, meta_end - meta_start));
  size_t media_start = 0;
  if (!part_headers(head, meta_end + 2 + delim.size(), out.media_type, media_start))
    return errors::bad_request("Invalid multipart request with only 1 mime parts.");
  size_t close = tail.rfind("\r\n" + delim + "--");
  if (close == std::string_view::npos) return errors::bad_request("Missing end boundary in multipart body.");
  uint64_t media_end = tail_offset + close;
  if (media_end < media_start) return errors::bad_request("Missing end boundary in multipart body.");
  out.media_offset = media_start;
  out.media_length = media_end - media_start;
  return out;
}

}  // namespace gcpsim::services::storage
