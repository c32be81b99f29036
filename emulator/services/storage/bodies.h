// Object bodies on disk: one file per object generation under <work_dir>/storage/objects,
// named by the generation number — never by the object's name, so no name can reach outside
// the data directory. Unfinished uploads and rewrites live under .../partial. Bodies stream
// through a block buffer; none is ever held in memory whole.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "services/storage/hashes.h"

namespace gcpsim::services::storage {

// Bytes a new body comes from: in memory, or a slice of a file (a spooled request body).
struct BodySource {
  std::string_view bytes{};
  std::string file{};         // when set, the body is [offset, offset+length) of this file
  uint64_t offset = 0;
  uint64_t length = 0;
  bool whole_file = false;    // the slice is the entire file: it may be moved, not copied
  std::optional<Digest> digest{};  // the whole file's, taken as it arrived (a spooled body)
  uint64_t size() const { return file.empty() ? bytes.size() : length; }
};

class BodyStore {
 public:
  // durable: fsync files and directories before a write is acknowledged (a data directory).
  BodyStore(std::string root, bool durable);
  core::Status init();

  std::string path(int64_t generation) const;
  std::string partial_path(std::string_view id) const;

  // Makes `source` the body of `generation` and returns its digest.
  core::StatusOr<Digest> put(int64_t generation, const BodySource& source);
  // The concatenation of other generations' bodies (compose).
  core::StatusOr<Digest> concat(int64_t generation, const std::vector<int64_t>& sources);
  // The same bytes as another generation, hard-linked when the filesystem allows (copy).
  core::Status link(int64_t from, int64_t to);
  void remove(int64_t generation);
  // Removes object files whose generation `known` rejects (a crash between write and commit).
  void sweep(const std::function<bool(int64_t)>& known);

  // Partial files (resumable uploads, rewrites): append a source, truncate, drop.
  core::StatusOr<uint64_t> append(const std::string& partial, const BodySource& source);
  core::StatusOr<uint64_t> append_slice(const std::string& partial, const std::string& from, uint64_t offset,
                                        uint64_t length);
  core::Status truncate(const std::string& partial, uint64_t size);
  // The partial file's size; 0 when it does not exist.
  uint64_t partial_size(const std::string& partial) const;
  void drop(const std::string& partial);
  // Makes a finished partial file `generation`'s body (a hard link: the caller drops the
  // partial once the generation is committed).
  // `known`, the partial file's digest when it was taken as the bytes arrived, saves reading
  // the file again.
  core::StatusOr<Digest> finish(int64_t generation, const std::string& partial,
                                const std::optional<Digest>& known = std::nullopt);

 private:
  core::Status sync_dir(const std::string& dir) const;
  core::Status sync_file(const std::string& file) const;  // both no-ops unless durable
  std::string root_;
  bool durable_;
};

}  // namespace gcpsim::services::storage
