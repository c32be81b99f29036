// Specification of the subscription filter language: what matches, and what is rejected.
#include <catch2/catch.hpp>

#include "services/pubsub/filter.h"

namespace pubsub_filter_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using gcpsim::services::pubsub::Filter;
using gcpsim::services::pubsub::Message;
using gcpsim::services::pubsub::MessageSpec;

namespace {

bool matches(const std::string& filter, const std::map<std::string, std::string>& attrs) {
  auto f = Filter::parse(filter);
  INFO(filter << ": " << f.status().to_string());
  REQUIRE(f.ok());
  auto m = Message::create(MessageSpec{"", attrs, ""}.view(), 1, {});
  return f->matches(m->attributes());
}

bool valid(const std::string& filter) { return Filter::parse(filter).ok(); }

}  // namespace

TEST_CASE("filter: an empty filter matches everything") {
  CHECK(matches("", {}));
  CHECK(matches("  ", {{"a", "b"}}));
}

TEST_CASE("filter: attributes:key tests presence") {
  CHECK(matches("attributes:domain", {{"domain", ""}}));
  CHECK_FALSE(matches("attributes:domain", {{"other", "x"}}));
  CHECK(matches("NOT attributes:domain", {}));
}

TEST_CASE("filter: = and != compare values, != also matches when the key is absent") {
  CHECK(matches("attributes.domain = \"com\"", {{"domain", "com"}}));
  CHECK_FALSE(matches("attributes.domain = \"com\"", {{"domain", "org"}}));
  CHECK_FALSE(matches("attributes.domain = \"com\"", {}));
  CHECK(matches("attributes.domain != \"com\"", {{"domain", "org"}}));
  CHECK(matches("attributes.domain != \"com\"", {}));
  CHECK_FALSE(matches("attributes.domain != \"com\"", {{"domain", "com"}}));
}

TEST_CASE("filter: hasPrefix") {
  CHECK(matches("hasPrefix(attributes.domain, \"co\")", {{"domain", "com"}}));
  CHECK_FALSE(matches("hasPrefix(attributes.domain, \"co\")", {{"domain", "org"}}));
  CHECK_FALSE(matches("hasPrefix(attributes.domain, \"co\")", {}));
  CHECK(matches("NOT hasPrefix(attributes.domain, \"co\")", {}));
}

TEST_CASE("filter: AND, OR, NOT, - and parentheses") {
  std::map<std::string, std::string> m{{"a", "1"}, {"b", "2"}};
  CHECK(matches("attributes:a AND attributes:b", m));
  CHECK_FALSE(matches("attributes:a AND attributes:c", m));
  CHECK(matches("attributes:c OR attributes:b", m));
  CHECK(matches("-attributes:c", m));
  CHECK(matches("(attributes:c OR attributes:a) AND NOT attributes.b = \"3\"", m));
  CHECK(matches("NOT (attributes:c OR attributes:d)", m));
}

TEST_CASE("filter: quoted keys and escapes in string literals") {
  CHECK(matches("attributes.\"my key\" = \"v\"", {{"my key", "v"}}));
  CHECK(matches("attributes:\"x.y\"", {{"x.y", ""}}));
  CHECK(matches("attributes.k = \"a\\\"b\"", {{"k", "a\"b"}}));
  CHECK(matches("attributes.k = \"\\u00e9\"", {{"k", "\xc3\xa9"}}));
  CHECK(matches("attributes.dash-key_1 = \"v\"", {{"dash-key_1", "v"}}));
}

TEST_CASE("filter: invalid syntax is INVALID_ARGUMENT naming the position") {
  for (const char* bad : {"attributes.x = ", "attributes.x = com", "attributes", "attributes.",
                          "attr:x", "attributes:a AND", "(attributes:a", "attributes:a OR attributes:b AND attributes:c",
                          "hasPrefix(attributes.a)", "attributes.a == \"x\"", "attributes.a = \"unterminated",
                          "attributes:a attributes:b", "data = \"x\"", "and attributes:a"}) {
    auto f = Filter::parse(bad);
    INFO(bad);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == gcpsim::core::Code::kInvalidArgument);
    CHECK(f.status().message().find("position") != std::string::npos);
  }
  CHECK(valid("(attributes:a OR attributes:b) AND attributes:c"));
}

TEST_CASE("filter: longer than 256 bytes is rejected") {
  std::string longest = "attributes.k = \"" + std::string(256 - 17, 'x') + "\"";
  REQUIRE(longest.size() == 256);
  CHECK(valid(longest));
  CHECK_FALSE(valid("attributes.k = \"" + std::string(257 - 17, 'x') + "\""));
}

}  // namespace pubsub_filter_test
