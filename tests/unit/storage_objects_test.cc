// Storage domain: buckets, object generations, preconditions, checksums, versioning, holds.
#include "storage_fixture.h"

namespace storage_test {

TEST_CASE("bucket names follow the real service's rules") {
  Fixture f;
  for (const char* bad : {"ab", "Upper", "-dash", "dash-", "has space", "goog-bucket", "my-google-bucket",
                          "192.168.1.1", "a..b"}) {
    auto b = f.storage->create_bucket(bad, {});
    INFO(bad);
    REQUIRE(http(b.status()) == 400);
    REQUIRE(b.status().message() == std::string("Invalid bucket name: '") + bad + "'");
  }
  f.bucket("ok_bucket.with-dots");
}

TEST_CASE("a second bucket with the same name conflicts, deleting a non-empty bucket is 409") {
  Fixture f;
  f.bucket("bkt");
  REQUIRE(http(f.storage->create_bucket("bkt", {}).status()) == 409);
  f.put("bkt", "x", "1");
  auto st = f.storage->delete_bucket("bkt", {});
  REQUIRE(http(st) == 409);
  REQUIRE(st.message() == "The bucket you tried to delete is not empty.");
  REQUIRE(f.storage->delete_object({"bkt", "x", std::nullopt}, {}).is_ok());
  REQUIRE(f.storage->delete_bucket("bkt", {}).is_ok());
  REQUIRE(f.storage->get_bucket("bkt").status().message() == "The specified bucket does not exist.");
}

TEST_CASE("bucket updates bump the metageneration and honour its preconditions") {
  Fixture f;
  auto b = f.bucket("bkt");
  REQUIRE(b.metageneration == 1);
  BucketSpec spec = b;
  spec.labels["env"] = "test";
  Preconditions pre;
  pre.metageneration_match = 2;
  REQUIRE(http(f.storage->update_bucket("bkt", spec, pre).status()) == 412);
  pre.metageneration_match = 1;
  auto u = f.storage->update_bucket("bkt", spec, pre);
  REQUIRE(u.ok());
  REQUIRE(u->metageneration == 2);
  Preconditions not_match;
  not_match.metageneration_not_match = 2;
  REQUIRE(http(f.storage->get_bucket("bkt", not_match).status()) == 304);
}

TEST_CASE("objects get microsecond generations from the clock, strictly increasing") {
  Fixture f;
  f.bucket("bkt");
  auto a = f.put("bkt", "a", "one");
  auto b = f.put("bkt", "bkt", "two");
  REQUIRE(a.generation == core::to_micros(t0()));
  REQUIRE(b.generation == a.generation + 1);
  f.clock.advance(1s);
  REQUIRE(f.put("bkt", "ckt", "3").generation == core::to_micros(t0() + 1s));
}

TEST_CASE("a restarted store never reuses a generation even when the clock starts earlier") {
  Fixture f;
  f.bucket("bkt");
  f.clock.advance(10s);
  auto a = f.put("bkt", "a", "x");
  f.clock.set(t0());
  f.reopen();
  REQUIRE(f.put("bkt", "bkt", "y").generation == a.generation + 1);
}

TEST_CASE("md5 and crc32c are computed and a wrong checksum is refused with nothing stored") {
  Fixture f;
  f.bucket("bkt");
  auto o = f.put("bkt", "x", "hello world");
  REQUIRE(base64_encode(o.md5) == "XrY7u+Ae7tCTyyK7j1rNww==");
  REQUIRE(crc32c_base64(o.crc32c) == "yZRlqg==");
  ObjectWrite w{"bkt", "y", {}, {}, {}};
  w.expected.md5_base64 = "XrY7u+Ae7tCTyyK7j1rNww==";
  w.expected.crc32c_base64 = "AAAAAA==";
  BodySource src;
  src.bytes = "hello world";
  auto bad = f.storage->insert_object(w, src);
  REQUIRE(http(bad.status()) == 400);
  REQUIRE(bad.status().message() == "Provided CRC32C \"AAAAAA==\" doesn't match calculated CRC32C \"yZRlqg==\".");
  REQUIRE(http(f.storage->get_object({"bkt", "y", std::nullopt}).status()) == 404);
  w.expected.crc32c_base64 = "yZRlqg==";
  REQUIRE(f.storage->insert_object(w, src).ok());
}

TEST_CASE("ifGenerationMatch=0 creates only when absent, other write preconditions give 412") {
  Fixture f;
  f.bucket("bkt");
  Preconditions absent;
  absent.generation_match = 0;
  auto o = f.put("bkt", "x", "1", absent);
  REQUIRE(http(f.try_put("bkt", "x", "2", absent).status()) == 412);
  Preconditions match;
  match.generation_match = o.generation + 5;
  REQUIRE(http(f.try_put("bkt", "x", "2", match).status()) == 412);
  match.generation_match = o.generation;
  auto o2 = f.put("bkt", "x", "2", match);
  Preconditions not_match;
  not_match.generation_not_match = o2.generation;
  REQUIRE(http(f.try_put("bkt", "x", "3", not_match).status()) == 412);
  Preconditions meta;
  meta.metageneration_match = 1;
  REQUIRE(f.try_put("bkt", "x", "3", meta).ok());
  Preconditions meta_missing;
  meta_missing.metageneration_match = 1;
  REQUIRE(http(f.try_put("bkt", "new", "3", meta_missing).status()) == 412);
}

TEST_CASE("read preconditions: a failed if*NotMatch is 304, a failed if*Match is 412") {
  Fixture f;
  f.bucket("bkt");
  auto o = f.put("bkt", "x", "1");
  Preconditions p;
  p.generation_not_match = o.generation;
  REQUIRE(http(f.storage->get_object({"bkt", "x", std::nullopt}, p).status()) == 304);
  p = {};
  p.metageneration_not_match = 1;
  REQUIRE(http(f.storage->get_object({"bkt", "x", std::nullopt}, p).status()) == 304);
  p = {};
  p.generation_match = 1;
  REQUIRE(http(f.storage->get_object({"bkt", "x", std::nullopt}, p).status()) == 412);
}

TEST_CASE("metadata updates bump the metageneration and notify OBJECT_METADATA_UPDATE") {
  Fixture f;
  f.bucket("bkt");
  f.put("bkt", "x", "1");
  ObjectMeta m;
  m.content_type = "text/csv";
  m.metadata["k"] = "v";
  auto u = f.storage->update_object({"bkt", "x", std::nullopt}, m, {});
  REQUIRE(u.ok());
  REQUIRE(u->metageneration == 2);
  REQUIRE(u->meta.storage_class == "STANDARD");
  REQUIRE(f.event_types() == std::vector<std::string>{"OBJECT_FINALIZE", "OBJECT_METADATA_UPDATE"});
}

TEST_CASE("overwriting in a plain bucket deletes the old generation and its body") {
  Fixture f;
  f.bucket("bkt");
  auto a = f.put("bkt", "x", "old");
  auto path = f.storage->body_path(a);
  auto b = f.put("bkt", "x", "new");
  REQUIRE_FALSE(std::filesystem::exists(path));
  REQUIRE(http(f.storage->get_object({"bkt", "x", a.generation}).status()) == 404);
  REQUIRE(f.event_types() == std::vector<std::string>{"OBJECT_FINALIZE", "OBJECT_FINALIZE", "OBJECT_DELETE"});
  REQUIRE(f.sent[1].overwrote_generation == a.generation);
  REQUIRE(f.sent[2].overwritten_by_generation == b.generation);
}

TEST_CASE("a versioned bucket keeps noncurrent generations, deleting the live one archives it") {
  Fixture f;
  BucketSpec spec;
  spec.versioning = true;
  f.bucket("bkt", spec);
  auto a = f.put("bkt", "x", "v1");
  f.clock.advance(1s);
  auto b = f.put("bkt", "x", "v2");
  auto old = f.storage->get_object({"bkt", "x", a.generation});
  REQUIRE(old.ok());
  REQUIRE_FALSE(old->live);
  REQUIRE(old->noncurrent_since == t0() + 1s);
  REQUIRE(f.read(*old) == "v1");
  REQUIRE(f.storage->delete_object({"bkt", "x", std::nullopt}, {}).is_ok());
  REQUIRE(http(f.storage->get_object({"bkt", "x", std::nullopt}).status()) == 404);
  REQUIRE(f.storage->get_object({"bkt", "x", b.generation}).ok());
  REQUIRE(f.event_types().back() == "OBJECT_ARCHIVE");
  REQUIRE(f.storage->delete_object({"bkt", "x", a.generation}, {}).is_ok());
  REQUIRE(f.event_types().back() == "OBJECT_DELETE");
}

TEST_CASE("holds and retention keep objects from being deleted or replaced") {
  Fixture f;
  BucketSpec spec;
  spec.retention = RetentionPolicy{3600, false};
  f.bucket("bkt", spec);
  f.put("bkt", "x", "1");
  REQUIRE(http(f.storage->delete_object({"bkt", "x", std::nullopt}, {})) == 403);
  REQUIRE(http(f.try_put("bkt", "x", "2").status()) == 403);
  f.clock.advance(1h);
  REQUIRE(f.storage->delete_object({"bkt", "x", std::nullopt}, {}).is_ok());
  f.put("bkt", "y", "1");
  f.clock.advance(2h);
  ObjectMeta held;
  held.temporary_hold = true;
  REQUIRE(f.storage->update_object({"bkt", "y", std::nullopt}, held, {}).ok());
  REQUIRE(http(f.storage->delete_object({"bkt", "y", std::nullopt}, {})) == 403);
}

TEST_CASE("object names: any UTF-8, slashes and dots, never a path on disk") {
  Fixture f;
  f.bucket("bkt");
  for (const char* name : {"../../etc/passwd", "a b/c d", "日本語/ファイル", "..x", "a//b"}) {
    auto o = f.put("bkt", name, name);
    REQUIRE(f.read(o) == name);
    REQUIRE(f.storage->body_path(o).find(name) == std::string::npos);
  }
  for (const char* bad : {"", ".", "..", "a\nb", "\xff\xfe"}) REQUIRE(http(f.try_put("bkt", bad, "x").status()) == 400);
}

TEST_CASE("files left by a crash between write and commit are swept on open") {
  Fixture f;
  f.bucket("bkt");
  auto o = f.put("bkt", "x", "kept");
  std::string orphan = f.env.work_dir + "/storage/objects/123";
  FILE* file = fopen(orphan.c_str(), "w");
  fclose(file);
  f.reopen();
  REQUIRE_FALSE(std::filesystem::exists(orphan));
  REQUIRE(f.read(*f.storage->get_object({"bkt", "x", std::nullopt})) == "kept");
}

}  // namespace storage_test
