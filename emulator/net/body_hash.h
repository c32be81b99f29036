// MD5 and CRC32C of a body taken a piece at a time: what Cloud Storage stores for an object,
// and what the edge computes while a large upload is spooled (net/spool_hasher.h).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gcpsim::net {

struct BodyDigest {
  uint64_t size = 0;
  std::string md5;  // 16 raw bytes
  uint32_t crc32c = 0;
};

class BodyHasher {
 public:
  // skip: MD5 only, the CRC32C being taken elsewhere (finish() then leaves it 0).
  enum class Crc32c { compute, skip };
  explicit BodyHasher(Crc32c crc = Crc32c::compute);
  ~BodyHasher();
  BodyHasher(BodyHasher&&) noexcept;
  BodyHasher& operator=(BodyHasher&&) noexcept;
  void update(std::string_view bytes);
  BodyDigest finish();

 private:
  struct Md5;
  std::unique_ptr<Md5> md5_;
  bool with_crc_;
  uint32_t crc_ = 0;
  uint64_t size_ = 0;
};

}  // namespace gcpsim::net
