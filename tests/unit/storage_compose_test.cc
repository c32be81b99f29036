// Storage domain: compose, copy and rewrite with token continuation.
#include "storage_fixture.h"

namespace storage_test {

TEST_CASE("compose concatenates up to 32 sources into a composite object without MD5") {
  Fixture f;
  f.bucket("bkt");
  std::vector<ComposeSource> sources;
  std::string expected;
  for (int i = 0; i < 32; ++i) {
    auto n = "part" + std::to_string(i);
    f.put("bkt", n, n);
    expected += n;
    sources.push_back({n, std::nullopt, std::nullopt});
  }
  ObjectWrite dest{"bkt", "whole", {}, {}, {}};
  auto o = f.storage->compose(dest, sources);
  REQUIRE(o.ok());
  REQUIRE(f.read(*o) == expected);
  REQUIRE(o->component_count == 32);
  REQUIRE(o->md5.empty());
  REQUIRE(o->crc32c == digest_of(expected).crc32c);
  sources.push_back({"part0", std::nullopt, std::nullopt});
  auto too_many = f.storage->compose(dest, sources);
  REQUIRE(http(too_many.status()) == 400);
  REQUIRE(too_many.status().message() == "The number of source components provided (33) exceeds the maximum (32)");
}

TEST_CASE("compose checks each source's ifGenerationMatch and that sources exist") {
  Fixture f;
  f.bucket("bkt");
  auto a = f.put("bkt", "a", "1");
  ObjectWrite dest{"bkt", "d", {}, {}, {}};
  REQUIRE(http(f.storage->compose(dest, {{"a", std::nullopt, a.generation + 1}}).status()) == 412);
  REQUIRE(http(f.storage->compose(dest, {{"missing", std::nullopt, std::nullopt}}).status()) == 404);
  REQUIRE(f.storage->compose(dest, {{"a", std::nullopt, a.generation}}).ok());
}

TEST_CASE("copy shares bytes and metadata unless new metadata is given") {
  Fixture f;
  f.bucket("bkt");
  f.bucket("ckt");
  auto src = f.put("bkt", "x", "payload");
  ObjectWrite dest{"ckt", "y", {}, {}, {}};
  auto o = f.storage->copy({"bkt", "x", std::nullopt}, {}, dest, false);
  REQUIRE(o.ok());
  REQUIRE(f.read(*o) == "payload");
  REQUIRE(o->meta.content_type == "text/plain");
  REQUIRE(o->md5 == src.md5);
  REQUIRE(f.storage->delete_object({"bkt", "x", std::nullopt}, {}).is_ok());
  REQUIRE(f.read(*o) == "payload");
  Preconditions src_pre;
  src_pre.generation_not_match = o->generation;
  REQUIRE(http(f.storage->copy({"ckt", "y", std::nullopt}, src_pre, dest, false).status()) == 412);
}

TEST_CASE("rewrite of a large object continues with a token until done") {
  Fixture f;
  f.bucket("bkt");
  std::string data(2 * 1024 * 1024 + 10, 'q');
  f.put("bkt", "big", data);
  ObjectWrite dest{"bkt", "copy", {}, {}, {}};
  auto step = f.storage->rewrite({"bkt", "big", std::nullopt}, {}, dest, false, "", 1024 * 1024);
  REQUIRE(step.ok());
  REQUIRE_FALSE(step->resource);
  REQUIRE(step->bytes_rewritten == 1024 * 1024);
  REQUIRE(step->object_size == data.size());
  REQUIRE(http(f.storage->get_object({"bkt", "copy", std::nullopt}).status()) == 404);
  auto token = step->token;
  step = f.storage->rewrite({"bkt", "big", std::nullopt}, {}, dest, false, token, 1024 * 1024);
  REQUIRE_FALSE(step->resource);
  step = f.storage->rewrite({"bkt", "big", std::nullopt}, {}, dest, false, step->token, 1024 * 1024);
  REQUIRE(step->resource);
  REQUIRE(f.read(*step->resource) == data);
  REQUIRE(http(f.storage->rewrite({"bkt", "big", std::nullopt}, {}, dest, false, token, 1024 * 1024).status()) == 400);
}

}  // namespace storage_test
