// Specification of SpoolHasher: the MD5 of a file it follows while the file is written in
// pieces, the same as hashing the whole body at once, with the CRC32C the session took as the
// bytes passed; a file it cannot read gives no digest but still ends; and one dropped before
// its body ended stops its thread.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <future>
#include <string>
#include <vector>

#include "net/spool_hasher.h"
#include "services/storage/hashes.h"

namespace net_spool_hasher_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("spool-hasher-" + std::to_string(::getpid()) + "-" + name)).string();
}

// Runs `end` and waits for its callback (on the hasher's thread).
void end_and_wait(net::SpoolHasher& h, uint64_t total, uint32_t crc32c = 0) {
  std::promise<void> done;
  h.end(total, crc32c, [&done] { done.set_value(); });
  done.get_future().wait();
}

}  // namespace

TEST_CASE("a body hashed while it is written gives the digest of the whole body") {
  std::string path = temp_path("pieces");
  std::string body;
  for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) body.push_back(static_cast<char>((i * 131 + i / 7) & 0xff));
  {
    std::ofstream out(path, std::ios::binary);
    net::SpoolHasher h(path);
    // Uneven pieces, flushed one by one, each announced as the session announces its writes.
    size_t at = 0;
    for (size_t piece : {1u, 4095u, 1000000u, 65536u, 2000000u}) {
      out.write(body.data() + at, static_cast<std::streamsize>(piece));
      out.flush();
      at += piece;
      h.written(at);
    }
    out.write(body.data() + at, static_cast<std::streamsize>(body.size() - at));
    out.flush();
    auto want = services::storage::digest_of(body);
    end_and_wait(h, body.size(), want.crc32c);
    auto got = h.result();
    REQUIRE(got.has_value());
    CHECK(got->size == body.size());
    CHECK(got->md5 == want.md5);
    CHECK(got->crc32c == want.crc32c);
  }
  std::filesystem::remove(path);
}

TEST_CASE("known vectors: MD5 of abc and 123456789 and the CRC32C given at the end") {
  std::string path = temp_path("vectors");
  for (auto [text, md5_hex, crc] : {std::tuple<std::string, std::string, uint32_t>{"abc", "900150983cd24fb0d6963f7d28e17f72", 0x364b3fb7u},
                                    {"123456789", "25f9e794323b453885f5181f1b624d0b", 0xe3069283u},
                                    {"", "d41d8cd98f00b204e9800998ecf8427e", 0u}}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    net::SpoolHasher h(path);
    end_and_wait(h, text.size(), crc);
    auto got = h.result();
    REQUIRE(got.has_value());
    CHECK(services::storage::hex_encode(got->md5) == md5_hex);
    CHECK(got->crc32c == crc);
  }
  std::filesystem::remove(path);
}

TEST_CASE("a file that cannot be read gives no digest and still reports its end") {
  net::SpoolHasher h(temp_path("missing"));
  h.written(10);
  end_and_wait(h, 10);
  CHECK_FALSE(h.result().has_value());
}

TEST_CASE("a file shorter than announced gives no digest") {
  std::string path = temp_path("short");
  std::ofstream(path, std::ios::binary) << "12345";
  net::SpoolHasher h(path);
  end_and_wait(h, 10);
  CHECK_FALSE(h.result().has_value());
  std::filesystem::remove(path);
}

TEST_CASE("a hasher dropped before its body ended stops its thread (a session's read error)") {
  std::string path = temp_path("dropped");
  std::ofstream(path, std::ios::binary) << "partial";
  auto h = std::make_unique<net::SpoolHasher>(path);
  h->written(7);
  // Joins the thread: one still waiting for the end would hang here (ctest's timeout).
  REQUIRE_NOTHROW(h.reset());
  std::filesystem::remove(path);
}

TEST_CASE("at most kMaxConcurrent hashers run at once and past that start() declines until one stops") {
  std::string path = temp_path("bounded");
  std::ofstream(path, std::ios::binary) << "x";
  std::vector<std::unique_ptr<net::SpoolHasher>> running;
  for (int i = 0; i < net::SpoolHasher::kMaxConcurrent; ++i) {
    running.push_back(net::SpoolHasher::start(path));
    REQUIRE(running.back() != nullptr);
  }
  CHECK(net::SpoolHasher::start(path) == nullptr);
  running.pop_back();
  auto again = net::SpoolHasher::start(path);
  REQUIRE(again != nullptr);
  end_and_wait(*again, 1);
  CHECK(again->result().has_value());
  std::filesystem::remove(path);
}

}  // namespace net_spool_hasher_test
