// Specification of ListSecrets and ListSecretVersions: newest first, filters, page tokens.
#include "secrets_fixture.h"

namespace secrets_list_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace secrets_test;

namespace {

std::vector<std::string> ids(const Page<Secret>& page) {
  std::vector<std::string> out;
  for (const auto& s : page.items) out.push_back(s.name.substr(s.name.rfind('/') + 1));
  return out;
}

std::vector<std::string> list(Fixture& f, const std::string& filter) {
  auto page = f.store->list(Fixture::parent(), {.filter = filter});
  INFO(filter << ": " << page.status().to_string());
  REQUIRE(page.ok());
  return ids(*page);
}

}  // namespace

TEST_CASE("secrets list newest first, a page at a time") {
  Fixture f;
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    f.create(id);
    f.clock.advance(1s);
  }
  auto first = f.store->list({"123456789012", ""}, {.page_size = 2});
  REQUIRE(ids(*first) == std::vector<std::string>{"e", "d"});
  REQUIRE(first->total_size == 5);
  REQUIRE_FALSE(first->next_page_token.empty());
  auto second = f.store->list(Fixture::parent(), {.page_size = 2, .page_token = first->next_page_token});
  REQUIRE(ids(*second) == std::vector<std::string>{"c", "b"});
  auto third = f.store->list(Fixture::parent(), {.page_size = 2, .page_token = second->next_page_token});
  REQUIRE(ids(*third) == std::vector<std::string>{"a"});
  REQUIRE(third->next_page_token.empty());

  REQUIRE(f.store->list(Fixture::parent(), {.page_size = -1}).status().code() == Code::kInvalidArgument);
  REQUIRE(f.store->list(Fixture::parent(), {.page_token = "garbage"}).status().code() ==
          Code::kInvalidArgument);
  REQUIRE(f.store->list({"other-project", ""}, {})->items.empty());
}

TEST_CASE("secret filters: names, labels, times, replication, negation and OR") {
  Fixture f;
  SecretFields prod = Fixture::automatic();
  prod.labels = {{"env", "production"}};
  f.create("api-key-prod", prod);
  f.clock.advance(1h);
  SecretFields dev = Fixture::automatic();
  dev.labels = {{"env", "dev"}, {"team", "core"}};
  dev.replication.kind = Replication::Kind::kUserManaged;
  dev.replication.replicas = {{"us-east1", ""}};
  f.create("api-key-dev", dev);
  f.create("db-password");

  REQUIRE(list(f, "name:api-key") == std::vector<std::string>{"api-key-dev", "api-key-prod"});
  REQUIRE(list(f, "name:api*prod") == std::vector<std::string>{"api-key-prod"});
  REQUIRE(list(f, "labels.env=production") == std::vector<std::string>{"api-key-prod"});
  REQUIRE(list(f, "labels.team:*") == std::vector<std::string>{"api-key-dev"});
  REQUIRE(list(f, "NOT labels.env:*") == std::vector<std::string>{"db-password"});
  REQUIRE(list(f, "-name:api") == std::vector<std::string>{"db-password"});
  REQUIRE(list(f, "labels.env=dev OR name=db-password") ==
          std::vector<std::string>{"db-password", "api-key-dev"});
  REQUIRE(list(f, "labels.env:* AND labels.env!=dev") == std::vector<std::string>{"api-key-prod"});
  REQUIRE(list(f, "create_time<2026-01-01T00:30:00Z") == std::vector<std::string>{"api-key-prod"});
  REQUIRE(list(f, "createTime>=\"2026-01-01T01:00:00Z\"").size() == 2);
  REQUIRE(list(f, "replication.user_managed.replicas.location:us-east1") ==
          std::vector<std::string>{"api-key-dev"});
  REQUIRE(list(f, "(name:db OR labels.env=dev) labels.team=core") ==
          std::vector<std::string>{"api-key-dev"});
  REQUIRE(list(f, "db-password") == std::vector<std::string>{"db-password"});

  auto filtered = f.store->list(Fixture::parent(), {.filter = "name:api"});
  REQUIRE(filtered->total_size == 0);
  for (const char* bad : {"labels.env=", "(name:a", "colour=red", "name:a OR"}) {
    INFO(bad);
    REQUIRE(f.store->list(Fixture::parent(), {.filter = bad}).status().code() ==
            Code::kInvalidArgument);
  }
}

TEST_CASE("versions list newest first and filter on state") {
  Fixture f;
  f.create("s");
  for (int i = 1; i <= 4; ++i) f.add("s", "v" + std::to_string(i));
  f.store->disable(Fixture::version("s", "2"), "");
  f.store->destroy(Fixture::version("s", "3"), "");

  auto numbers = [&](const ListQuery& q) {
    auto page = f.store->list_versions(Fixture::name("s"), q);
    INFO(page.status().to_string());
    REQUIRE(page.ok());
    std::vector<int64_t> out;
    for (const auto& v : page->items) out.push_back(v.number);
    return out;
  };
  REQUIRE(numbers({}) == std::vector<int64_t>{4, 3, 2, 1});
  REQUIRE(numbers({.filter = "state:ENABLED"}) == std::vector<int64_t>{4, 1});
  REQUIRE(numbers({.filter = "NOT state:DESTROYED"}) == std::vector<int64_t>{4, 2, 1});
  REQUIRE(numbers({.filter = "state=DISABLED OR state=DESTROYED"}) == std::vector<int64_t>{3, 2});
  auto first = f.store->list_versions(Fixture::name("s"), {.page_size = 3});
  REQUIRE(first->items.size() == 3);
  REQUIRE(numbers({.page_size = 3, .page_token = first->next_page_token}) ==
          std::vector<int64_t>{1});
  REQUIRE(f.store->list_versions(Fixture::name("s"), {.filter = "labels.x=y"}).status().code() ==
          Code::kInvalidArgument);
  REQUIRE(f.store->list_versions(Fixture::name("none"), {}).status().code() == Code::kNotFound);
}

}  // namespace secrets_list_test
