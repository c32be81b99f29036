// multipart/form-data parsing from a body's head (the fields) and tail (the closing delimiter).
#include "services/storage/form.h"

#include <algorithm>
#include <cctype>

#include "services/storage/errors.h"
#include "services/storage/multipart.h"

namespace gcpsim::services::storage {
namespace {

constexpr uint64_t kTailBytes = 4096;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// `key="value"` inside a Content-Disposition header.
std::string param(std::string_view header, std::string_view key) {
  auto lc = lower(header);
  auto pos = lc.find(std::string(key) + "=\"");
  if (pos == std::string::npos) return "";
  auto start = pos + key.size() + 2;
  auto end = header.find('"', start);
  return std::string(header.substr(start, end == std::string_view::npos ? header.npos : end - start));
}

std::string header_value(std::string_view headers, std::string_view name) {
  auto lc = lower(headers);
  auto pos = lc.find(std::string(name) + ":");
  if (pos == std::string::npos) return "";
  auto end = headers.find("\r\n", pos);
  auto v = headers.substr(pos + name.size() + 1, (end == std::string_view::npos ? headers.size() : end) - pos - name.size() - 1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return std::string(v);
}

}  // namespace

core::StatusOr<FormBody> parse_form(std::string_view content_type, std::string_view bytes, const std::string& file,
                                    uint64_t size) {
  auto lc = lower(content_type);
  auto b = lc.find("boundary=");
  if (lc.compare(0, 19, "multipart/form-data") != 0 || b == std::string::npos)
    return errors::bad_request("POST object expects Content-Type multipart/form-data");
  const std::string delim = "--" + multipart_boundary(content_type);
  BodyEnds ends;
  read_body_ends(ends, bytes, file, size, kTailBytes);
  std::string_view head = ends.head, tail = ends.tail;
  uint64_t tail_offset = ends.tail_offset;
  FormBody out;
  size_t at = head.find(delim);
  while (at != std::string_view::npos) {
    size_t headers_start = at + delim.size() + 2;
    size_t headers_end = head.find("\r\n\r\n", headers_start);
    if (headers_end == std::string_view::npos) break;
    auto headers = head.substr(headers_start, headers_end - headers_start);
    auto disposition = header_value(headers, "content-disposition");
    std::string name = lower(param(disposition, "name"));
    size_t value_start = headers_end + 4;
    if (name == "file") {
      size_t close = tail.rfind("\r\n" + delim + "--");
      if (close == std::string_view::npos || tail_offset + close < value_start)
        return errors::bad_request("Missing end boundary in multipart body.");
      out.file_name = param(disposition, "filename");
      out.file_type = header_value(headers, "content-type");
      out.file_offset = value_start;
      out.file_length = tail_offset + close - value_start;
      return out;
    }
    size_t next = head.find("\r\n" + delim, value_start);
    if (next == std::string_view::npos) break;
    out.fields[name] = std::string(head.substr(value_start, next - value_start));
    at = next + 2;
  }
  return errors::bad_request("The form has no file field, or it is not the last field.");
}

}  // namespace gcpsim::services::storage
