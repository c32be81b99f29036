// Storage domain: resumable upload sessions — chunks, offsets, status, cancel and expiry.
#include <fstream>

#include "storage_fixture.h"

namespace storage_test {

constexpr uint64_t kQ = 256 * 1024;

ContentRange range(uint64_t first, std::optional<uint64_t> last, std::optional<uint64_t> total) {
  ContentRange r;
  r.first = first;
  r.last = last;
  r.total = total;
  return r;
}

struct Upload : Fixture {
  std::string data = std::string(kQ * 3 + 100, 'd');
  std::string id;
  Upload() {
    bucket("bkt");
    ObjectWrite w{"bkt", "big", {}, {}, {}};
    w.meta.content_type = "application/octet-stream";
    auto s = uploads->start(w, std::nullopt);
    REQUIRE(s.ok());
    id = s->id;
  }
  core::StatusOr<UploadProgress> chunk(uint64_t first, uint64_t len, std::optional<uint64_t> total) {
    BodySource src;
    src.bytes = std::string_view(data).substr(first, len);
    return uploads->put(id, range(first, first + len - 1, total), src, {});
  }
  core::StatusOr<UploadProgress> status(std::optional<uint64_t> total = std::nullopt) {
    ContentRange r;
    r.total = total;
    return uploads->put(id, r, BodySource{}, {});
  }
};

TEST_CASE("chunks append at the persisted offset, the last one finalizes the object") {
  Upload f;
  auto p = f.chunk(0, kQ, std::nullopt);
  REQUIRE(p.ok());
  REQUIRE(p->persisted == kQ);
  REQUIRE_FALSE(p->object);
  REQUIRE(f.status()->persisted == kQ);
  REQUIRE(http(f.storage->get_object({"bkt", "big", std::nullopt}).status()) == 404);
  p = f.chunk(kQ, kQ * 2 + 100, f.data.size());
  REQUIRE(p->object);
  REQUIRE(f.read(*p->object) == f.data);
  REQUIRE(f.status()->object->generation == p->object->generation);
}

TEST_CASE("a chunk at the wrong offset keeps nothing and reports the current range") {
  Upload f;
  f.chunk(0, kQ, std::nullopt);
  auto gap = f.chunk(kQ * 2, kQ, std::nullopt);
  REQUIRE(gap.ok());
  REQUIRE(gap->persisted == kQ);
  // A resent chunk overlapping what was persisted only adds the new bytes.
  auto overlap = f.chunk(0, kQ * 2, std::nullopt);
  REQUIRE(overlap->persisted == kQ * 2);
  auto done = f.chunk(kQ * 2, kQ + 100, f.data.size());
  REQUIRE(f.read(*done->object) == f.data);
}

TEST_CASE("non-final chunks under 256 KiB are refused, others keep whole 256 KiB units") {
  Upload f;
  auto small = f.chunk(0, 1000, std::nullopt);
  REQUIRE(http(small.status()) == 400);
  auto odd = f.chunk(0, kQ + 1000, std::nullopt);
  REQUIRE(odd->persisted == kQ);
}

TEST_CASE("a Content-Range that disagrees with the body is 400") {
  Upload f;
  BodySource src;
  src.bytes = "abc";
  REQUIRE(http(f.uploads->put(f.id, range(0, 9, 10), src, {}).status()) == 400);
}

TEST_CASE("a status query with the total finalizes an upload whose bytes are all there") {
  Upload f;
  f.chunk(0, kQ, std::nullopt);
  REQUIRE_FALSE(f.status(kQ * 4)->object);
  auto done = f.status(kQ);
  REQUIRE(done->object);
  REQUIRE(done->object->size == kQ);
}

TEST_CASE("the final checksum is verified and a mismatch ends the session with nothing visible") {
  Upload f;
  BodySource src;
  src.bytes = "tiny";
  ExpectedHashes h;
  h.md5_base64 = base64_encode(digest_of("other").md5);
  auto bad = f.uploads->put(f.id, range(0, 3, 4), src, h);
  REQUIRE(http(bad.status()) == 400);
  REQUIRE(http(f.storage->get_object({"bkt", "big", std::nullopt}).status()) == 404);
  REQUIRE(http(f.status().status()) == 404);
}

TEST_CASE("a cancelled session answers 499 and keeps nothing") {
  Upload f;
  f.chunk(0, kQ, std::nullopt);
  REQUIRE(http(f.uploads->cancel(f.id)) == 499);
  REQUIRE(http(f.status().status()) == 499);
  REQUIRE(http(f.storage->get_object({"bkt", "big", std::nullopt}).status()) == 404);
}

TEST_CASE("sessions survive a restart and expire after seven days on the clock") {
  Upload f;
  f.chunk(0, kQ, std::nullopt);
  f.reopen();
  REQUIRE(f.status()->persisted == kQ);
  f.clock.advance(7 * 24h - 1s);
  REQUIRE(f.status().ok());
  f.clock.advance(1s);
  REQUIRE(http(f.status().status()) == 404);
  REQUIRE(std::filesystem::is_empty(f.env.work_dir + "/storage/partial"));
}

// A kill after a chunk's bytes reach the partial file but before its offset is saved: the
// restart keeps only what was acknowledged, and the resent chunk does not double the bytes.
TEST_CASE("a restart drops partial bytes past the saved offset, so a resent chunk lands once") {
  Upload f;
  f.chunk(0, kQ, std::nullopt);
  std::string partial = f.env.work_dir + "/storage/partial/upload-" + f.id;
  {
    std::ofstream out(partial, std::ios::binary | std::ios::app);
    out << f.data.substr(kQ, kQ);  // the unacknowledged second chunk, as a kill leaves it
  }
  f.reopen();
  REQUIRE(f.status()->persisted == kQ);
  REQUIRE(std::filesystem::file_size(partial) == kQ);
  auto p = f.chunk(kQ, kQ * 2 + 100, f.data.size());
  REQUIRE(p->object);
  REQUIRE(f.read(*p->object) == f.data);
  REQUIRE_FALSE(std::filesystem::exists(partial));
}

// A kill between the last chunk's body landing as a generation and the commit: the session
// still holds its bytes after the restart and a status query with the total finishes it.
TEST_CASE("a restart after the final body landed but before the commit finishes from the partial file") {
  Upload f;
  f.chunk(0, kQ * 3, std::nullopt);
  std::string partial = f.env.work_dir + "/storage/partial/upload-" + f.id;
  REQUIRE(f.storage->bodies().finish(999, partial).ok());  // the body in place, never committed
  f.reopen();
  auto p = f.status(kQ * 3);
  REQUIRE(p.ok());
  REQUIRE(p->object);
  REQUIRE(f.read(*p->object) == f.data.substr(0, kQ * 3));
}

TEST_CASE("preconditions are checked when the session starts and again when it finishes") {
  Fixture f;
  f.bucket("bkt");
  ObjectWrite w{"bkt", "x", {}, {}, {}};
  w.pre.generation_match = 0;
  auto s = f.uploads->start(w, std::nullopt);
  REQUIRE(s.ok());
  f.put("bkt", "x", "someone else");
  BodySource src;
  src.bytes = "mine";
  REQUIRE(http(f.uploads->put(s->id, range(0, 3, 4), src, {}).status()) == 412);
  REQUIRE(http(f.uploads->start(w, std::nullopt).status()) == 412);
}

TEST_CASE("Content-Range headers parse in every form clients send") {
  auto r = ContentRange::parse("bytes 0-99/1000");
  REQUIRE(r);
  REQUIRE((r->first == 0 && r->last == 99 && r->total == 1000));
  r = ContentRange::parse("bytes 5-*/*");
  REQUIRE((r->first == 5 && !r->last && !r->total));
  r = ContentRange::parse("bytes */*");
  REQUIRE((r && !r->first && !r->total));
  REQUIRE(ContentRange::parse("bytes */10")->total == 10);
  for (const char* bad : {"0-9/10", "bytes 9-0/10", "bytes x-1/2", "bytes 0-1"}) REQUIRE_FALSE(ContentRange::parse(bad));
}

}  // namespace storage_test
