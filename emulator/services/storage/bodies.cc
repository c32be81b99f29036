// Body files: written through a temporary name and renamed into place, fsync'd when durable.
#include "services/storage/bodies.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace gcpsim::services::storage {
namespace {

namespace fs = std::filesystem;
constexpr size_t kBlock = 1 << 20;

core::Status io_error(const std::string& what, const std::string& path) {
  return core::Status::internal(what + " " + path + ": " + std::strerror(errno));
}

// Closes on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) ::close(fd); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

core::Status write_all(int fd, std::string_view data, Hasher* h, const std::string& path) {
  if (h) h->update(data);
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path);
    }
    data.remove_prefix(size_t(n));
  }
  return core::Status::ok();
}

// Appends [offset, offset+length) of `from` to out_fd, a block at a time.
core::Status copy_into(int out_fd, const std::string& out_path, const std::string& from, uint64_t offset,
                       uint64_t length, Hasher* h) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) return io_error("cannot read", from);
  std::vector<char> block(size_t(std::min<uint64_t>(kBlock, std::max<uint64_t>(length, 1))));
  uint64_t done = 0;
  while (done < length) {
    size_t want = size_t(std::min<uint64_t>(block.size(), length - done));
    ssize_t n = ::pread(in.fd, block.data(), want, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return core::Status::internal("short read from " + from);
    RETURN_IF_ERROR(write_all(out_fd, std::string_view(block.data(), size_t(n)), h, out_path));
    done += uint64_t(n);
  }
  return core::Status::ok();
}

core::Status append_source(int fd, const std::string& path, const BodySource& src, Hasher* h) {
  if (src.file.empty()) return write_all(fd, src.bytes, h, path);
  return copy_into(fd, path, src.file, src.offset, src.length, h);
}

}  // namespace

BodyStore::BodyStore(std::string root, bool durable) : root_(std::move(root)), durable_(durable) {}

core::Status BodyStore::init() {
  std::error_code ec;
  fs::create_directories(root_ + "/objects", ec);
  if (!ec) fs::create_directories(root_ + "/partial", ec);
  if (ec) return core::Status::internal("cannot create " + root_ + ": " + ec.message());
  return core::Status::ok();
}

std::string BodyStore::path(int64_t generation) const {
  return root_ + "/objects/" + std::to_string(generation);
}

std::string BodyStore::partial_path(std::string_view id) const { return root_ + "/partial/" + std::string(id); }

core::Status BodyStore::sync_dir(const std::string& dir) const {
  if (!durable_) return core::Status::ok();
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0 || ::fsync(d.fd) != 0) return io_error("cannot sync", dir);
  return core::Status::ok();
}

core::Status BodyStore::sync_file(const std::string& file) const {
  if (!durable_) return core::Status::ok();
  Fd f(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0 || ::fsync(f.fd) != 0) return io_error("cannot sync", file);
  return core::Status::ok();
}

core::StatusOr<Digest> BodyStore::put(int64_t generation, const BodySource& source) {
  std::string dest = path(generation);
  if (source.whole_file) return finish(generation, source.file, source.digest);
  std::string tmp = dest + ".tmp";
  Hasher h;
  {
    Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (out.fd < 0) return io_error("cannot create", tmp);
    auto st = append_source(out.fd, tmp, source, &h);
    if (st.is_ok() && durable_ && ::fsync(out.fd) != 0) st = io_error("cannot sync", tmp);
    if (!st.is_ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
  }
  if (::rename(tmp.c_str(), dest.c_str()) != 0) return io_error("cannot rename", tmp);
  RETURN_IF_ERROR(sync_dir(root_ + "/objects"));
  return h.finish();
}

core::StatusOr<Digest> BodyStore::concat(int64_t generation, const std::vector<int64_t>& sources) {
  std::string dest = path(generation), tmp = dest + ".tmp";
  Hasher h;
  {
    Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (out.fd < 0) return io_error("cannot create", tmp);
    for (int64_t g : sources) {
      std::error_code ec;
      auto size = fs::file_size(path(g), ec);
      auto st = ec ? core::Status::internal("missing body " + path(g)) : copy_into(out.fd, tmp, path(g), 0, size, &h);
      if (st.is_ok() && durable_ && &g == &sources.back() && ::fsync(out.fd) != 0) st = io_error("cannot sync", tmp);
      if (!st.is_ok()) {
        ::unlink(tmp.c_str());
        return st;
      }
    }
  }
  if (::rename(tmp.c_str(), dest.c_str()) != 0) return io_error("cannot rename", tmp);
  RETURN_IF_ERROR(sync_dir(root_ + "/objects"));
  return h.finish();
}

core::Status BodyStore::link(int64_t from, int64_t to) {
  std::error_code ec;
  fs::create_hard_link(path(from), path(to), ec);
  if (ec) fs::copy_file(path(from), path(to), fs::copy_options::overwrite_existing, ec);
  if (ec) return core::Status::internal("cannot copy body " + path(from) + ": " + ec.message());
  return sync_dir(root_ + "/objects");
}

void BodyStore::remove(int64_t generation) {
  std::error_code ec;
  fs::remove(path(generation), ec);
}

void BodyStore::sweep(const std::function<bool(int64_t)>& known) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ + "/objects", ec)) {
    auto name = entry.path().filename().string();
    char* end = nullptr;
    long long g = std::strtoll(name.c_str(), &end, 10);
    bool numeric = end && *end == '\0' && !name.empty();
    if (!numeric || !known(g)) fs::remove(entry.path(), ec);
  }
}

core::StatusOr<uint64_t> BodyStore::append(const std::string& partial, const BodySource& source) {
  // A whole spooled body starting the partial file is moved there, not copied (the edge's
  // removal of its spool file after the reply then finds nothing).
  if (source.whole_file && partial_size(partial) == 0 && ::rename(source.file.c_str(), partial.c_str()) == 0) {
    RETURN_IF_ERROR(sync_file(partial));
    RETURN_IF_ERROR(sync_dir(root_ + "/partial"));
    return partial_size(partial);
  }
  Fd out(::open(partial.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (out.fd < 0) return io_error("cannot open", partial);
  RETURN_IF_ERROR(append_source(out.fd, partial, source, nullptr));
  if (durable_ && ::fsync(out.fd) != 0) return io_error("cannot sync", partial);
  struct stat st {};
  if (::fstat(out.fd, &st) != 0) return io_error("cannot stat", partial);
  return uint64_t(st.st_size);
}

core::StatusOr<uint64_t> BodyStore::append_slice(const std::string& partial, const std::string& from,
                                                 uint64_t offset, uint64_t length) {
  BodySource src;
  src.file = from;
  src.offset = offset;
  src.length = length;
  return append(partial, src);
}

core::Status BodyStore::truncate(const std::string& partial, uint64_t size) {
  if (::truncate(partial.c_str(), off_t(size)) != 0 && !(errno == ENOENT && size == 0))
    return io_error("cannot truncate", partial);
  return core::Status::ok();
}

uint64_t BodyStore::partial_size(const std::string& partial) const {
  std::error_code ec;
  auto size = fs::file_size(partial, ec);
  return ec ? 0 : uint64_t(size);
}

void BodyStore::drop(const std::string& partial) {
  std::error_code ec;
  fs::remove(partial, ec);
}

core::StatusOr<Digest> BodyStore::finish(int64_t generation, const std::string& partial,
                                         const std::optional<Digest>& known) {
  std::string dest = path(generation);
  if (!fs::exists(partial)) {
    Fd f(::open(partial.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));  // an empty upload
    if (f.fd < 0) return io_error("cannot create", partial);
  }
  RETURN_IF_ERROR(sync_file(partial));
  // Linked, not renamed: the partial file stays until the caller has committed the generation
  // and drops it, so a crash in between leaves the session's bytes where a restart finds them
  // (and sweep() removes the uncommitted generation file).
  if (::link(partial.c_str(), dest.c_str()) != 0) return io_error("cannot link", partial);
  RETURN_IF_ERROR(sync_dir(root_ + "/objects"));
  std::error_code ec;
  auto size = fs::file_size(dest, ec);
  if (ec) return core::Status::internal("cannot stat " + dest);
  if (known && known->size == size) return *known;
  return digest_of_file(dest, 0, size);
}

}  // namespace gcpsim::services::storage
