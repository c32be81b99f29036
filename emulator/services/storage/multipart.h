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

// The parts of a multipart body its parsers look at: all of it when it is in memory, else
// its first MiB (`head`) and its last bytes from `tail_offset` on (`tail`), read from the
// spooled file. The views point into `bytes` or into this object's own buffers.
struct BodyEnds {
  std::string head_buf, tail_buf;
  std::string_view head, tail;
  uint64_t tail_offset = 0;
};
// `bytes` when `file` is empty, else the first `size` bytes of `file`; the tail holds at
// least `tail_bytes`.
void read_body_ends(BodyEnds& out, std::string_view bytes, const std::string& file, uint64_t size, uint64_t tail_bytes);

// The boundary parameter of a multipart Content-Type, unquoted; empty when missing.
std::string multipart_boundary(std::string_view content_type);

// `content_type` is the request's header ("multipart/related; boundary=…"). The body is
// `bytes` when `file` is empty, else the first `size` bytes of `file`.
core::StatusOr<MultipartBody> parse_multipart(std::string_view content_type, std::string_view bytes,
                                              const std::string& file, uint64_t size);

}  // namespace gcpsim::services::storage
