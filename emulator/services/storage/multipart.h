// multipart/related upload bodies: a JSON metadata part and a media part. The media part is
// located (offset and length), not copied, so a spooled body of any size is parsed from its
// head and tail alone.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::storage {

struct MultipartBody {
  std::string metadata;       // the first part's bytes (JSON)
  std::string media_type;     // the second part's Content-Type, if any
  uint64_t media_offset = 0;  // within the whole request body
  uint64_t media_length = 0;
};

// `content_type` is the request's header ("multipart/related; boundary=…"). The body is
// `bytes` when `file` is empty, else the first `size` bytes of `file`.
core::StatusOr<MultipartBody> parse_multipart(std::string_view content_type, std::string_view bytes,
                                              const std::string& file, uint64_t size);

}  // namespace gcpsim::services::storage
