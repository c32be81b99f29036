#include "net/spool_hasher.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace gcpsim::net {
namespace {

// Read back this much at a time: large enough that MD5 runs in long stretches.
constexpr size_t kBlock = 1 << 20;
std::atomic<int> running{0};  // slots taken through start()

}  // namespace

struct SpoolHasher::State {
  std::string path;
  std::mutex mu;
  std::condition_variable cv;
  uint64_t written = 0;  // guarded by mu
  bool ended = false;    // guarded by mu
  bool stop = false;     // guarded by mu
  uint32_t crc32c = 0;   // guarded by mu, set with `ended`
  std::function<void()> done;
  std::optional<BodyDigest> digest;  // written by the thread before `done`
  std::thread thread;
  bool counted = false;  // holds one of start()'s kMaxConcurrent slots

  void run();
};

void SpoolHasher::State::run() {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  bool ok = fd >= 0;
  BodyHasher hasher(BodyHasher::Crc32c::skip);
  uint64_t hashed = 0;
  std::vector<char> block(kBlock);
  std::function<void()> finished;
  uint32_t crc = 0;  // the session's, taken with `done`
  for (;;) {
    uint64_t avail;
    {
      std::unique_lock lk(mu);
      cv.wait(lk, [&] { return stop || ended || (ok && written > hashed); });
      if (stop) break;
      if (ended && (!ok || hashed >= written)) {
        finished = std::move(done);
        crc = crc32c;
        break;
      }
      avail = written;
    }
    while (ok && hashed < avail) {
      size_t want = size_t(std::min<uint64_t>(block.size(), avail - hashed));
      ssize_t n = ::pread(fd, block.data(), want, off_t(hashed));
      if (n <= 0) {
        ok = false;
        break;
      }
      hasher.update(std::string_view(block.data(), size_t(n)));
      hashed += uint64_t(n);
    }
  }
  if (finished && ok) {
    digest = hasher.finish();
    digest->crc32c = crc;
  }
  if (fd >= 0) ::close(fd);
  if (finished) finished();
}

std::unique_ptr<SpoolHasher> SpoolHasher::start(std::string path) {
  if (running.fetch_add(1) >= kMaxConcurrent) {
    running.fetch_sub(1);
    return nullptr;
  }
  auto h = std::make_unique<SpoolHasher>(std::move(path));
  h->s_->counted = true;  // its destructor gives the slot back
  return h;
}

SpoolHasher::SpoolHasher(std::string path) : s_(std::make_unique<State>()) {
  s_->path = std::move(path);
  s_->thread = std::thread([s = s_.get()] { s->run(); });
}

SpoolHasher::~SpoolHasher() {
  {
    std::lock_guard lk(s_->mu);
    s_->stop = true;
  }
  s_->cv.notify_one();
  s_->thread.join();
  if (s_->counted) running.fetch_sub(1);
}

void SpoolHasher::written(uint64_t total) {
  {
    std::lock_guard lk(s_->mu);
    s_->written = total;
  }
  s_->cv.notify_one();
}

void SpoolHasher::end(uint64_t total, uint32_t crc32c, std::function<void()> done) {
  {
    std::lock_guard lk(s_->mu);
    s_->written = total;
    s_->crc32c = crc32c;
    s_->ended = true;
    s_->done = std::move(done);
  }
  s_->cv.notify_one();
}

std::optional<BodyDigest> SpoolHasher::result() const { return s_->digest; }

}  // namespace gcpsim::net
