// Multipart bodies (RFC 2046) parsed from a body's head (every part's headers) and tail (the
// close delimiter), as Cloud Storage accepts them from any client: quoted or bare boundaries,
// CRLF or bare-LF lines, preamble and epilogue, headers in any case, binary or base64 parts.
#include "services/storage/multipart.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "services/storage/errors.h"
#include "services/storage/hashes.h"

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

using core::lower;

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

// Where the line after a delimiter starts: past transport padding and the line break
// (`eol`, set from the first delimiter); npos when the delimiter is not followed by one.
size_t after_delimiter_line(std::string_view s, size_t at, std::string& eol) {
  while (at < s.size() && (s[at] == ' ' || s[at] == '\t')) ++at;
  if (eol.empty()) {
    if (s.compare(at, 2, "\r\n") == 0) eol = "\r\n";
    else if (s.compare(at, 1, "\n") == 0) eol = "\n";
    else return std::string_view::npos;
  }
  if (s.compare(at, eol.size(), eol) != 0) return std::string_view::npos;
  return at + eol.size();
}

// The first delimiter: "--boundary" at the start of a line (a preamble may come before it).
size_t first_delimiter(std::string_view head, const std::string& delim) {
  for (size_t at = head.find(delim); at != std::string_view::npos; at = head.find(delim, at + 1)) {
    if (at == 0 || head[at - 1] == '\n') return at;
  }
  return std::string_view::npos;
}

// Header lines up to the blank line; continuation lines (leading space or tab) fold into
// the header before them. Returns where the part's body starts, npos if no blank line.
size_t parse_headers(std::string_view head, size_t at, const std::string& eol, MimePart& part) {
  std::string last;
  for (;;) {
    size_t end = head.find(eol, at);
    if (end == std::string_view::npos) return std::string_view::npos;
    auto line = head.substr(at, end - at);
    at = end + eol.size();
    if (line.empty() || line == "\r") return at;
    if ((line.front() == ' ' || line.front() == '\t') && !last.empty()) {
      part.headers[last] += " " + std::string(trim(line));
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // not a header: ignored, as MIME readers do
    last = lower(trim(line.substr(0, colon)));
    part.headers[last] = std::string(trim(line.substr(colon + 1)));
  }
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  auto lc = lower(content_type);
  size_t pos = 0;
  // The parameter, not a substring of another one's value.
  for (pos = lc.find("boundary"); pos != std::string::npos; pos = lc.find("boundary", pos + 1)) {
    size_t before = pos;
    while (before > 0 && (lc[before - 1] == ' ' || lc[before - 1] == '\t')) --before;
    size_t eq = pos + 8;
    while (eq < lc.size() && (lc[eq] == ' ' || lc[eq] == '\t')) ++eq;
    if (before > 0 && lc[before - 1] == ';' && eq < lc.size() && lc[eq] == '=') {
      pos = eq + 1;
      break;
    }
  }
  if (pos == std::string::npos) return "";
  auto v = content_type.substr(pos);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
    char q = v.front();
    auto close = v.find(q, 1);
    return close == std::string_view::npos ? "" : std::string(v.substr(1, close - 1));
  }
  return std::string(trim(v.substr(0, v.find(';'))));
}

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

core::StatusOr<std::vector<MimePart>> split_multipart(std::string_view boundary, const BodyEnds& ends) {
  const std::string delim = "--" + std::string(boundary);
  std::string_view head = ends.head;
  size_t at = first_delimiter(head, delim);
  if (boundary.empty() || at == std::string_view::npos)
    return errors::bad_request("Invalid multipart request with 0 mime parts.");
  std::string eol;
  std::vector<MimePart> parts;
  at += delim.size();
  for (;;) {
    if (head.compare(at, 2, "--") == 0) return parts;  // the close delimiter; the epilogue is ignored
    size_t start = after_delimiter_line(head, at, eol);
    if (start == std::string_view::npos) return errors::bad_request("Malformed multipart delimiter line.");
    MimePart part;
    size_t body = parse_headers(head, start, eol, part);
    if (body == std::string_view::npos) return errors::bad_request("Malformed multipart part headers.");
    size_t next = head.find(eol + delim, body);
    if (next == std::string_view::npos) {
      // The last part runs into the tail, up to the close delimiter.
      size_t close = ends.tail.rfind(eol + delim + "--");
      if (close == std::string_view::npos || ends.tail_offset + close < body)
        return errors::bad_request("Missing end boundary in multipart body.");
      part.offset = body;
      part.length = ends.tail_offset + close - body;
      parts.push_back(std::move(part));
      return parts;
    }
    part.offset = body;
    part.length = next - body;
    parts.push_back(std::move(part));
    at = next + eol.size() + delim.size();
  }
}

core::StatusOr<bool> part_is_encoded(const MimePart& part) {
  auto cte = lower(part.header("content-transfer-encoding"));
  if (cte.empty() || cte == "binary" || cte == "7bit" || cte == "8bit") return false;
  if (cte == "base64") return true;
  return errors::bad_request("Unsupported Content-Transfer-Encoding in multipart body: " + cte);
}

core::StatusOr<std::string> part_bytes(const MimePart& part, std::string_view bytes, const std::string& file) {
  ASSIGN_OR_RETURN(bool encoded, part_is_encoded(part));
  std::string raw = file.empty() ? std::string(bytes.substr(size_t(part.offset), size_t(part.length)))
                                 : read_range(file, part.offset, part.length);
  if (!encoded) return raw;
  // MIME wraps base64 in lines: the line breaks are not part of the text.
  raw.erase(std::remove_if(raw.begin(), raw.end(), [](char c) { return c == '\r' || c == '\n' || c == ' '; }),
            raw.end());
  auto decoded = base64_decode(raw);
  if (!decoded) return errors::bad_request("Invalid base64 in a multipart part.");
  return std::move(*decoded);
}

core::StatusOr<MultipartBody> parse_multipart(std::string_view content_type, std::string_view bytes,
                                              const std::string& file, uint64_t size) {
  std::string boundary = multipart_boundary(content_type);
  if (boundary.empty()) return errors::bad_request("Missing boundary in multipart Content-Type.");
  BodyEnds ends;
  read_body_ends(ends, bytes, file, size, kTailBytes + boundary.size());
  ASSIGN_OR_RETURN(auto parts, split_multipart(boundary, ends));
  if (parts.size() != 2) {
    return errors::bad_request("Invalid multipart request with " + std::to_string(parts.size()) + " mime parts.");
  }
  MultipartBody out;
  ASSIGN_OR_RETURN(out.metadata, part_bytes(parts[0], bytes, file));
  const MimePart& media = parts[1];
  out.media_type = media.header("content-type");
  out.media_offset = media.offset;
  out.media_length = media.length;
  ASSIGN_OR_RETURN(bool encoded, part_is_encoded(media));
  if (encoded) {
    ASSIGN_OR_RETURN(auto decoded, part_bytes(media, bytes, file));
    out.media_decoded = std::move(decoded);
  }
  return out;
}

}  // namespace gcpsim::services::storage
