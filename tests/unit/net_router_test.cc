// The HTTP route table and helpers every hand-written REST surface relies on.
#include <catch2/catch.hpp>

#include "net/http.h"

namespace net_router_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::net;

namespace {

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

HttpResponse route(const Router& router, HttpRequest req) {
  HttpResponse out;
  router.handle(req, [&](HttpResponse r) { out = std::move(r); });
  return out;
}

}  // namespace

TEST_CASE("routes match literal segments and decode {name} parameters") {
  Router r;
  r.add("GET", "/storage/v1/b/{bucket}/o/{object}", [](HttpRequest& req, Reply reply) {
    reply(HttpResponse::text(200, req.param("bucket") + "|" + req.param("object")));
  });
  REQUIRE(route(r, request("GET", "/storage/v1/b/my-bucket/o/a%2Fb%20c")).body == "my-bucket|a/b c");
  REQUIRE(route(r, request("GET", "/storage/v1/b/my-bucket/o")).status == 404);
}

TEST_CASE("a {name**} parameter takes the rest of the path with its slashes") {
  Router r;
  r.add("GET", "/{bucket}/{object**}", [](HttpRequest& req, Reply reply) {
    reply(HttpResponse::text(200, req.param("object")));
  });
  REQUIRE(route(r, request("GET", "/b/dir/sub/file%20name.txt")).body == "dir/sub/file name.txt");
  REQUIRE(route(r, request("GET", "/b")).status == 404);
}

TEST_CASE("the first matching route wins and HEAD is served by GET routes") {
  Router r;
  r.add("GET", "/_gcpsim/health", [](HttpRequest&, Reply reply) { reply(HttpResponse::text(200, "first")); });
  r.add("GET", "/_gcpsim/{name}", [](HttpRequest&, Reply reply) { reply(HttpResponse::text(200, "second")); });
  REQUIRE(route(r, request("GET", "/_gcpsim/health")).body == "first");
  REQUIRE(route(r, request("HEAD", "/_gcpsim/health")).body == "first");
  REQUIRE(route(r, request("GET", "/_gcpsim/clock")).body == "second");
}

TEST_CASE("a known path with another method is 405, an unknown path is Google's 404") {
  Router r;
  r.add("POST", "/_gcpsim/reset", [](HttpRequest&, Reply reply) { reply(HttpResponse::text(200, "")); });
  auto wrong = route(r, request("GET", "/_gcpsim/reset"));
  REQUIRE(wrong.status == 405);
  REQUIRE(wrong.body.find("\"code\":405") != std::string::npos);
  auto missing = route(r, request("GET", "/nope"));
  REQUIRE(missing.status == 404);
  REQUIRE(missing.body ==
          R"({"error":{"code":404,"message":"The requested URL /nope was not found on this server.","status":"NOT_FOUND"}})");
}

TEST_CASE("fallbacks see requests no route took, in order") {
  Router r;
  r.add_fallback([](HttpRequest& req, Reply& reply) {
    if (req.path.rfind("/v1/", 0) != 0) return false;
    reply(HttpResponse::text(200, "transcoded"));
    return true;
  });
  REQUIRE(route(r, request("POST", "/v1/projects/p/topics/t:publish")).body == "transcoded");
  REQUIRE(route(r, request("POST", "/v2/x")).status == 404);
}

TEST_CASE("headers are found case-insensitively, percent coding round-trips") {
  Headers h = {{"Content-Type", "application/json"}, {"X-Goog-Hash", "crc32c=abc"}};
  REQUIRE(find_header(h, "content-type") == "application/json");
  REQUIRE_FALSE(find_header(h, "origin").has_value());
  REQUIRE(percent_decode("a%2Fb+c", true) == "a/b c");
  REQUIRE(percent_decode("a+b%zz%4", false) == "a+b%zz%4");
  REQUIRE(percent_encode("dir/ü x", false) == "dir%2F%C3%BC%20x");
  REQUIRE(percent_encode("dir/x", true) == "dir/x");
}

}  // namespace net_router_test
