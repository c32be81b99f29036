// multipart/form-data parsing over the multipart splitter: the text fields, then the file.
#include "services/storage/form.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "services/storage/errors.h"
#include "services/storage/multipart.h"

namespace gcpsim::services::storage {
namespace {

constexpr uint64_t kTailBytes = 4096;

using core::lower;

// A parameter of a Content-Disposition header: key="value" or key=value, the key matched
// whole (so `name` is not found inside `filename`).
std::string param(std::string_view header, std::string_view key) {
  auto lc = lower(header);
  for (size_t pos = lc.find(std::string(key) + "="); pos != std::string::npos;
       pos = lc.find(std::string(key) + "=", pos + 1)) {
    if (pos > 0 && lc[pos - 1] != ';' && lc[pos - 1] != ' ' && lc[pos - 1] != '\t') continue;
    auto v = header.substr(pos + key.size() + 1);
    if (!v.empty() && v.front() == '"') {
      auto end = v.find('"', 1);
      return std::string(v.substr(1, end == std::string_view::npos ? v.npos : end - 1));
    }
    auto end = v.find(';');
    v = v.substr(0, end);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return std::string(v);
  }
  return "";
}

}  // namespace

core::StatusOr<FormBody> parse_form(std::string_view content_type, std::string_view bytes, const std::string& file,
                                    uint64_t size) {
  auto lc = lower(content_type);
  std::string boundary = multipart_boundary(content_type);
  if (lc.compare(0, 19, "multipart/form-data") != 0 || boundary.empty())
    return errors::bad_request("POST object expects Content-Type multipart/form-data");
  BodyEnds ends;
  read_body_ends(ends, bytes, file, size, kTailBytes + boundary.size());
  ASSIGN_OR_RETURN(auto parts, split_multipart(boundary, ends));
  FormBody out;
  for (size_t i = 0; i < parts.size(); ++i) {
    const MimePart& part = parts[i];
    auto disposition = part.header("content-disposition");
    std::string name = lower(param(disposition, "name"));
    if (name == "file") {
      if (i + 1 != parts.size()) break;
      out.file_name = param(disposition, "filename");
      out.file_type = part.header("content-type");
      ASSIGN_OR_RETURN(bool encoded, part_is_encoded(part));
      if (encoded) {
        ASSIGN_OR_RETURN(auto decoded, part_bytes(part, bytes, file));
        out.file_decoded = std::move(decoded);
      }
      out.file_offset = part.offset;
      out.file_length = part.length;
      return out;
    }
    ASSIGN_OR_RETURN(out.fields[name], part_bytes(part, bytes, file));
  }
  return errors::bad_request("The form has no file field, or it is not the last field.");
}

}  // namespace gcpsim::services::storage
