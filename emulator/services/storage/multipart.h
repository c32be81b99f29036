// Multipart bodies (RFC 2046): the splitter every multipart reader shares, and multipart/related
// upload bodies (a JSON metadata part and a media part). Parts are located (offset and length),
// not copied, so a spooled body of any size is parsed from its head and tail alone.
#pragma once
#include <cstdint>
#include <string>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gcpsim::services::storage {

struct MultipartBody {
  std::string metadata;       // the first part's bytes (JSON), decoded
  std::string media_type;     // the second part's Content-Type, if any
  uint64_t media_offset = 0;  // within the whole request body
  uint64_t media_length = 0;
  // The media part sent base64 (Content-Transfer-Encoding): its decoded bytes, which then
  // replace the located range.
  std::optional<std::string> media_decoded;
};

// One part of a multipart body, as RFC 2046 delimits it: its headers (names lowercased,
// values trimmed) and where its body is within the whole request body.
struct MimePart {
  std::map<std::string, std::string> headers;
  uint64_t offset = 0, length = 0;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
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

// The boundary parameter of a multipart Content-Type, unquoted (" or ', as Python's
// apitools writes it); empty when missing.
std::string multipart_boundary(std::string_view content_type);

// The parts of a body delimited by `boundary`: a preamble and an epilogue are skipped,
// lines end in CRLF or bare LF (as the first delimiter line does), header names are matched
// in any case. Every part's headers must lie in ends.head; the last part's body may run
// on into ends.tail, up to the close delimiter.
core::StatusOr<std::vector<MimePart>> split_multipart(std::string_view boundary, const BodyEnds& ends);

// A part's body as bytes, decoded per its Content-Transfer-Encoding (binary, 7bit, 8bit or
// base64). `bytes`/`file` as for parse_multipart.
core::StatusOr<std::string> part_bytes(const MimePart& part, std::string_view bytes, const std::string& file);
// True when the part's body must be decoded (base64), false when it is its own bytes; an
// encoding the API does not take is an error naming it.
core::StatusOr<bool> part_is_encoded(const MimePart& part);

// `content_type` is the request's header ("multipart/related; boundary=…"). The body is
// `bytes` when `file` is empty, else the first `size` bytes of `file`.
core::StatusOr<MultipartBody> parse_multipart(std::string_view content_type, std::string_view bytes,
                                              const std::string& file, uint64_t size);

}  // namespace gcpsim::services::storage
