// Checksums as Cloud Storage reports them: MD5 and CRC32C (big-endian) in standard base64,
// computed incrementally so bodies are hashed as they stream. Also SHA-256 for signed URLs.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "net/body_hash.h"

namespace gcpsim::services::storage {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view text);
std::string sha256_hex(std::string_view data);

// "2kLtow==" for a CRC32C value.
std::string crc32c_base64(uint32_t crc);
std::optional<uint32_t> crc32c_from_base64(std::string_view text);

// MD5 and CRC32C taken a piece at a time; the edge computes the same for a large upload while
// it arrives (net/spool_hasher.h).
using Digest = net::BodyDigest;
using Hasher = net::BodyHasher;

Digest digest_of(std::string_view bytes);
// Reads [offset, offset+length) of a file a block at a time.
core::StatusOr<Digest> digest_of_file(const std::string& path, uint64_t offset, uint64_t length);

// What a client said the body should hash to (x-goog-hash, or md5Hash/crc32c metadata).
struct ExpectedHashes {
  std::optional<std::string> md5_base64;
  std::optional<std::string> crc32c_base64;
};
// "crc32c=n03x6A==,md5=XrY7u+Ae7tCTyyK7j1rNww==" → ExpectedHashes.
ExpectedHashes parse_goog_hash(std::string_view header);
// 400 when a provided checksum does not match the digest (or is malformed).
core::Status verify(const ExpectedHashes& expected, const Digest& actual);

}  // namespace gcpsim::services::storage
