// Scenario variables: ${name} substitution, typed whole-string values, escapes, and the
// capture paths into a step's response.
#include <catch2/catch.hpp>

#include "harness/vars.h"

namespace harness_vars_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::harness;

TEST_CASE("substitution splices text and keeps the type of a whole-string reference") {
  Vars v;
  v.set("id", "t-1");
  v.set("n", 3);
  auto out = v.substitute(Json::parse(R"({"path": "/tasks/${id}", "count": "${n}", "label": "n=${n}", "${id}": true})"));
  REQUIRE(out.ok());
  CHECK(out->at("path") == "/tasks/t-1");
  CHECK(out->at("count") == 3);
  CHECK(out->at("label") == "n=3");
  CHECK(out->at("t-1") == true);
}

TEST_CASE("$${ writes a literal ${, unknown names are errors") {
  Vars v;
  CHECK(*v.substitute_text("cost: $${x}") == "cost: ${x}");
  auto bad = v.substitute(Json("/t/${missing}"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "${missing} is not defined");
  CHECK_FALSE(v.substitute_text("open ${x").ok());
}

TEST_CASE("references lists every ${name}, skipping escapes") {
  auto names = references(Json::parse(R"({"a": "${x} and ${y}", "b": ["$${z}", "${w}"]})"));
  CHECK(names == std::vector<std::string>{"x", "y", "w"});
}

TEST_CASE("capture paths walk objects and arrays") {
  auto r = Json::parse(R"({"status": 201, "body": {"id": "a1", "items": [{"n": 1}, {"n": 2}]}, "headers": {"location": "/x"}})");
  CHECK(*lookup_path(r, "body.id") == "a1");
  CHECK(*lookup_path(r, "body.items[1].n") == 2);
  CHECK(*lookup_path(r, "status") == 201);
  CHECK(*lookup_path(r, "headers.location") == "/x");
  auto missing = lookup_path(r, "body.items[5].n");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "'body.items[5].n': body.items has no element 5");
  CHECK(lookup_path(r, "body.nope").status().message() == "'body.nope': body has no 'nope'");
}

}  // namespace harness_vars_test
