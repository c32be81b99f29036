// MD5 of a request body while it is spooled to a file (HttpRequest::body_digest). A thread of
// its own follows the file as the session writes it, reading the new bytes back from the page
// cache, so a gigabyte upload is hashed by the time its last byte lands and no copy of it is
// held in memory. The engine then never reads the body again to hash it. MD5 (about 600 MB/s
// a core) is what bounds an upload, so the CRC32C (several GB/s with SSE4.2) is the session's:
// it takes it from the bytes as they pass through its buffer, and hands it over at the end.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/body_hash.h"

namespace gcpsim::net {

class SpoolHasher {
 public:
  // At most this many hash at once (a thread and a 1 MiB buffer each): past it, start()
  // declines and the body is hashed after it has landed, as without a hasher.
  static constexpr int kMaxConcurrent = 8;
  // A hasher following `path`, or nothing when kMaxConcurrent are already running.
  static std::unique_ptr<SpoolHasher> start(std::string path);

  explicit SpoolHasher(std::string path);  // starts the thread, outside the bound (tests)
  ~SpoolHasher();                          // stops it (a body that never ended is not hashed)
  SpoolHasher(const SpoolHasher&) = delete;
  SpoolHasher& operator=(const SpoolHasher&) = delete;

  // The file holds `total` bytes now (called from the session after each write).
  void written(uint64_t total);
  // No more bytes will come; `crc32c` is theirs. `done` runs on the hasher's thread once all
  // `total` bytes are hashed (or reading them failed).
  void end(uint64_t total, uint32_t crc32c, std::function<void()> done);
  // After `done`: the digest (the MD5 taken here, the CRC32C given to end()), or nothing when
  // the file could not be read back.
  std::optional<BodyDigest> result() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace gcpsim::net
