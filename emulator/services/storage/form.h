// multipart/form-data bodies of browser uploads (POST policy documents): the text fields,
// and where the `file` field's bytes are — located, not copied, as with multipart/related.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::storage {

struct FormBody {
  std::map<std::string, std::string> fields;  // names lowercased, as the XML API matches them
  std::string file_name, file_type;           // the file part's filename and Content-Type
  uint64_t file_offset = 0, file_length = 0;
  std::optional<std::string> file_decoded;    // the file sent base64: its bytes, replacing the range
};

// The body is `bytes` when `file` is empty, else the first `size` bytes of `file`. The file
// field must come last, as the XML API requires.
core::StatusOr<FormBody> parse_form(std::string_view content_type, std::string_view bytes, const std::string& file,
                                    uint64_t size);

}  // namespace gcpsim::services::storage
