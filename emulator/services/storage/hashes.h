// Checksums as Cloud Storage reports them: MD5 and CRC32C (big-endian) in standard base64,
// computed incrementally so bodies are hashed as they stream. Also SHA-256 for signed URLs.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::storage {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view text);
std::string sha256_hex(std::string_view data);

// "2kLtow==" for a CRC32C value.
std::string crc32c_base64(uint32_t crc);
std::optional<uint32_t> crc32c_from_base64(std::string_view text);

struct Digest {
  uint64_t size = 0;
  std::string md5;      // 16 raw bytes
  uint32_t crc32c = 0;
  std::string md5_base64() const { return base64_encode(md5); }
  std::string crc32c_base64() const { return storage::crc32c_base64(crc32c); }
};

class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  void update(std::string_view bytes);
  Digest finish();

 private:
  struct Md5;
  std::unique_ptr<Md5> md5_;
  uint32_t crc_ = 0;
  uint64_t size_ = 0;
};

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
