// Resumable upload sessions: started with the object's metadata, fed chunks at an offset,
// finalized into an object generation. Bytes append to a partial file (never held in memory),
// sessions persist in the store, and expire after a week on the clock.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "services/storage/domain.h"

namespace gcpsim::services::storage {

// "bytes 0-262143/1000000", "bytes 0-*/*", "bytes */1000000", "bytes */*".
struct ContentRange {
  std::optional<uint64_t> first, last;  // first unset: a status query; last unset: "first-*"
  std::optional<uint64_t> total;        // unset: "*"
  static std::optional<ContentRange> parse(std::string_view header);
};

struct UploadSession {
  std::string id;
  ObjectWrite write;
  std::optional<uint64_t> declared_size;  // X-Upload-Content-Length
  uint64_t persisted = 0;
  core::Time created{};
  bool cancelled = false;
  std::optional<ObjectRef> result;        // the generation it became, once finished
};

// What a chunk or status query leaves behind: bytes persisted so far, or the finished object.
struct UploadProgress {
  uint64_t persisted = 0;
  std::optional<Object> object;
};

class Uploads {
 public:
  // Loads the sessions a data directory holds and re-arms their expiry.
  explicit Uploads(Storage& storage);
  ~Uploads();

  core::StatusOr<UploadSession> start(ObjectWrite w, std::optional<uint64_t> declared_size);
  // A chunk (range with `first`), a status query (range without), or, with no range at all,
  // the whole object in one request. `final_hashes` come with the last chunk (X-Goog-Hash).
  core::StatusOr<UploadProgress> put(const std::string& id, const std::optional<ContentRange>& range,
                                     const BodySource& body, const ExpectedHashes& final_hashes);
  core::Status cancel(const std::string& id);
  const UploadSession* find(const std::string& id) const;

 private:
  core::StatusOr<UploadProgress> append(UploadSession& s, const ContentRange& r, const BodySource& body,
                                        const ExpectedHashes& final_hashes);
  // `known`: the partial file's digest, when its bytes came in one request hashed on arrival.
  core::StatusOr<UploadProgress> finish(UploadSession& s, const ExpectedHashes& final_hashes,
                                        const std::optional<Digest>& known = std::nullopt);
  void arm_expiry(const UploadSession& s);
  void expire(const std::string& id);
  void save(const UploadSession& s);
  std::string partial(const std::string& id) const;

  Storage& storage_;
  std::map<std::string, UploadSession> sessions_;
  std::map<std::string, core::Clock::TimerId> timers_;
};

}  // namespace gcpsim::services::storage
