// Storage domain: objects.list — prefixes, delimiters, offsets, globs, versions and pages.
#include "storage_fixture.h"

namespace storage_test {

using Names = std::vector<std::string>;

struct Listing : Fixture {
  Listing() {
    bucket("bkt");
    for (const char* n : {"a.txt", "dir/", "dir/one.txt", "dir/sub/two.txt", "dir2/x.csv", "z.csv"}) put("bkt", n, n);
  }
};

TEST_CASE("list with a prefix and a delimiter folds names into prefixes") {
  Listing f;
  ListQuery q;
  q.delimiter = "/";
  auto page = f.storage->list_objects("bkt", q);
  REQUIRE(page.ok());
  REQUIRE(page->prefixes == Names{"dir/", "dir2/"});
  REQUIRE(f.names(q) == Names{"a.txt", "z.csv"});
  q.prefix = "dir/";
  REQUIRE(f.names(q) == Names{"dir/", "dir/one.txt"});
  REQUIRE(f.storage->list_objects("bkt", q)->prefixes == Names{"dir/sub/"});
}

TEST_CASE("includeTrailingDelimiter also lists the objects that end in the delimiter") {
  Listing f;
  ListQuery q;
  q.delimiter = "/";
  q.include_trailing_delimiter = true;
  REQUIRE(f.names(q) == Names{"a.txt", "dir/", "z.csv"});
}

TEST_CASE("startOffset and endOffset bound the names") {
  Listing f;
  ListQuery q;
  q.start_offset = "dir/one.txt";
  q.end_offset = "dir2/";
  REQUIRE(f.names(q) == Names{"dir/one.txt", "dir/sub/two.txt"});
}

TEST_CASE("matchGlob selects with *, ** and braces") {
  Listing f;
  ListQuery q;
  q.match_glob = "**.csv";
  REQUIRE(f.names(q) == Names{"dir2/x.csv", "z.csv"});
  q.match_glob = "dir/*.txt";
  REQUIRE(f.names(q) == Names{"dir/one.txt"});
  q.match_glob = "dir/**/two.txt";
  REQUIRE(f.names(q) == Names{"dir/sub/two.txt"});
  q.match_glob = "{a,z}.*";
  REQUIRE(f.names(q) == Names{"a.txt", "z.csv"});
  q.match_glob = "[";
  REQUIRE(http(f.storage->list_objects("bkt", q).status()) == 400);
}

TEST_CASE("maxResults pages through names and prefixes with tokens") {
  Listing f;
  ListQuery q;
  q.delimiter = "/";
  q.max_results = 2;
  Names seen;
  for (int i = 0; i < 5; ++i) {
    auto page = f.storage->list_objects("bkt", q);
    REQUIRE(page.ok());
    for (auto& o : page->items) seen.push_back(o.name);
    for (auto& p : page->prefixes) seen.push_back(p);
    if (page->next_page_token.empty()) break;
    q.page_token = page->next_page_token;
  }
  std::sort(seen.begin(), seen.end());
  REQUIRE(seen == Names{"a.txt", "dir/", "dir2/", "z.csv"});
  q.page_token = "!!";
  REQUIRE(http(f.storage->list_objects("bkt", q).status()) == 400);
}

TEST_CASE("versions=true lists every generation in name then generation order") {
  Fixture f;
  BucketSpec spec;
  spec.versioning = true;
  f.bucket("bkt", spec);
  f.put("bkt", "x", "1");
  f.put("bkt", "x", "2");
  f.put("bkt", "y", "1");
  ListQuery q;
  REQUIRE(f.names(q) == Names{"x", "y"});
  q.versions = true;
  REQUIRE(f.names(q) == Names{"x", "x", "y"});
  q.max_results = 1;
  auto first = f.storage->list_objects("bkt", q);
  q.page_token = first->next_page_token;
  auto second = f.storage->list_objects("bkt", q);
  REQUIRE(second->items.at(0).name == "x");
  REQUIRE(second->items.at(0).generation == first->items.at(0).generation + 1);
}

TEST_CASE("listing an unknown bucket is 404") {
  Fixture f;
  REQUIRE(http(f.storage->list_objects("nope", {}).status()) == 404);
}

TEST_CASE("buckets list by prefix and page") {
  Fixture f;
  for (const char* n : {"alpha", "beta1", "beta2", "gamma"}) f.bucket(n);
  auto page = f.storage->list_buckets("beta", 1, "");
  REQUIRE(page.ok());
  REQUIRE(page->items.at(0).name == "beta1");
  auto next = f.storage->list_buckets("beta", 1, page->next_page_token);
  REQUIRE(next->items.at(0).name == "beta2");
  REQUIRE(next->next_page_token.empty());
}

}  // namespace storage_test
