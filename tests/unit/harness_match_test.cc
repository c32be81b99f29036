// Expected-vs-actual matching: subsets, matchers and the diff a failure prints.
#include <catch2/catch.hpp>

#include "harness/match.h"

namespace harness_match_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::harness;

namespace {

std::vector<Mismatch> diff(const char* expected, const char* actual) {
  std::vector<Mismatch> out;
  match(Json::parse(expected), Json::parse(actual), "json", out);
  return out;
}

}  // namespace

TEST_CASE("objects match as subsets, arrays element by element") {
  CHECK(diff(R"({"a": 1})", R"({"a": 1, "b": 2})").empty());
  CHECK(diff(R"({"a": {"b": [1, {"c": "x"}]}})", R"({"a": {"b": [1, {"c": "x", "d": 0}]}})").empty());
  auto ms = diff(R"({"a": {"b": "x"}})", R"({"a": {"b": "y"}})");
  REQUIRE(ms.size() == 1);
  CHECK(ms[0].path == "json.a.b");
  CHECK(headline(ms[0]) == R"(expected json.a.b "x", got "y")");
  ms = diff(R"({"items": [1, 2]})", R"({"items": [1, 2, 3]})");
  REQUIRE(ms.size() == 1);
  CHECK(headline(ms[0]) == "expected json.items 2 items [1,2], got 3 items [1,2,3]");
  CHECK(headline(diff(R"({"gone": 1})", R"({})").at(0)) == "expected json.gone 1, got missing");
}

TEST_CASE("numbers compare by value") {
  CHECK(diff("200", "200.0").empty());
  CHECK_FALSE(diff("200", "\"200\"").empty());
}

TEST_CASE("matchers: any, regex, ranges, contains, absent") {
  CHECK(diff(R"({"id": {"any": true}})", R"({"id": "abc"})").empty());
  CHECK(headline(diff(R"({"id": {"any": true}})", R"({})").at(0)) == "expected json.id any value, got missing");
  CHECK(diff(R"({"id": {"regex": "^[0-9]+$"}})", R"({"id": "123"})").empty());
  CHECK(headline(diff(R"({"id": {"regex": "^[0-9]+$"}})", R"({"id": "12a"})").at(0)) ==
        R"(expected json.id matching /^[0-9]+$/, got "12a")");
  CHECK(diff(R"({"n": {"gte": 2, "lt": 5}})", R"({"n": 4})").empty());
  CHECK(headline(diff(R"({"n": {"gte": 2, "lt": 5}})", R"({"n": 5})").at(0)) == "expected json.n >= 2 and < 5, got 5");
  CHECK(diff(R"({"n": {"gt": 1}})", R"({"n": "7"})").size() == 1);
  CHECK(diff(R"({"tags": {"contains": "b"}})", R"({"tags": ["a", "b"]})").empty());
  CHECK(diff(R"({"list": {"contains": {"k": 1}}})", R"({"list": [{"k": 0}, {"k": 1, "x": 2}]})").empty());
  CHECK(diff(R"({"s": {"contains": "ell"}})", R"({"s": "hello"})").empty());
  CHECK(diff(R"({"err": {"absent": true}})", R"({"ok": 1})").empty());
  CHECK(headline(diff(R"({"err": {"absent": true}})", R"({"err": 1})").at(0)) == "expected json.err absent, got 1");
}

TEST_CASE("an object with other keys is data, not a matcher") {
  CHECK_FALSE(is_matcher(Json::parse(R"({"any": true, "title": "x"})")));
  CHECK(is_matcher(Json::parse(R"({"regex": "x"})")));
  CHECK_FALSE(is_matcher(Json::object()));
}

TEST_CASE("the diff lists every mismatch with expected and actual") {
  auto ms = diff(R"({"a": 1, "b": "x"})", R"({"a": 2, "b": "y"})");
  CHECK(render_diff(ms) ==
        "  json.a:\n    - expected 1\n    + actual   2\n"
        "  json.b:\n    - expected \"x\"\n    + actual   \"y\"\n");
  std::vector<Mismatch> status;
  match(Json(200), Json(404), "status", status);
  CHECK(headline(status.at(0)) == "expected status 200, got 404");
}

}  // namespace harness_match_test
