// Specification of Status: canonical names, Google's HTTP mapping and its JSON error envelope.
#include <catch2/catch.hpp>

#include "core/status.h"

namespace core_status_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;

TEST_CASE("codes have their canonical names, both ways") {
  REQUIRE(std::string(code_name(Code::kOk)) == "OK");
  REQUIRE(std::string(code_name(Code::kNotFound)) == "NOT_FOUND");
  REQUIRE(std::string(code_name(Code::kResourceExhausted)) == "RESOURCE_EXHAUSTED");
  REQUIRE(std::string(code_name(static_cast<Code>(99))) == "UNKNOWN");
  for (int i = 0; i <= 16; ++i) {
    auto c = static_cast<Code>(i);
    REQUIRE(code_from_name(code_name(c)) == c);
  }
  REQUIRE_FALSE(code_from_name("not_found"));
  REQUIRE_FALSE(code_from_name("TEAPOT"));
}

TEST_CASE("codes map to the HTTP statuses Google's REST front ends use") {
  REQUIRE(http_status(Code::kOk) == 200);
  REQUIRE(http_status(Code::kInvalidArgument) == 400);
  REQUIRE(http_status(Code::kFailedPrecondition) == 400);
  REQUIRE(http_status(Code::kOutOfRange) == 400);
  REQUIRE(http_status(Code::kUnauthenticated) == 401);
  REQUIRE(http_status(Code::kPermissionDenied) == 403);
  REQUIRE(http_status(Code::kNotFound) == 404);
  REQUIRE(http_status(Code::kAlreadyExists) == 409);
  REQUIRE(http_status(Code::kAborted) == 409);
  REQUIRE(http_status(Code::kResourceExhausted) == 429);
  REQUIRE(http_status(Code::kCancelled) == 499);
  REQUIRE(http_status(Code::kUnimplemented) == 501);
  REQUIRE(http_status(Code::kUnavailable) == 503);
  REQUIRE(http_status(Code::kDeadlineExceeded) == 504);
  REQUIRE(http_status(Code::kInternal) == 500);
  REQUIRE(http_status(Code::kUnknown) == 500);
  REQUIRE(http_status(Code::kDataLoss) == 500);
}

TEST_CASE("upstream HTTP statuses map back to codes") {
  REQUIRE(code_from_http(200) == Code::kOk);
  REQUIRE(code_from_http(204) == Code::kOk);
  REQUIRE(code_from_http(400) == Code::kInvalidArgument);
  REQUIRE(code_from_http(401) == Code::kUnauthenticated);
  REQUIRE(code_from_http(403) == Code::kPermissionDenied);
  REQUIRE(code_from_http(404) == Code::kNotFound);
  REQUIRE(code_from_http(409) == Code::kAborted);
  REQUIRE(code_from_http(412) == Code::kFailedPrecondition);
  REQUIRE(code_from_http(429) == Code::kResourceExhausted);
  REQUIRE(code_from_http(499) == Code::kCancelled);
  REQUIRE(code_from_http(500) == Code::kInternal);
  REQUIRE(code_from_http(501) == Code::kUnimplemented);
  REQUIRE(code_from_http(502) == Code::kUnavailable);
  REQUIRE(code_from_http(503) == Code::kUnavailable);
  REQUIRE(code_from_http(504) == Code::kDeadlineExceeded);
}

TEST_CASE("to_string is CODE: message") {
  REQUIRE(Status::not_found("Topic not found").to_string() == "NOT_FOUND: Topic not found");
  REQUIRE(Status::ok().to_string() == "OK");
  REQUIRE(Status::ok().is_ok());
  REQUIRE_FALSE(Status::internal("x").is_ok());
}

TEST_CASE("the JSON error body is Google's envelope, byte for byte") {
  REQUIRE(Status::not_found("Resource not found (resource=t).").json_error_body() ==
          R"({"error":{"code":404,"message":"Resource not found (resource=t).","status":"NOT_FOUND"}})");
  REQUIRE(Status::invalid_argument("Bad \"name\"\n").json_error_body() ==
          R"({"error":{"code":400,"message":"Bad \"name\"\n","status":"INVALID_ARGUMENT"}})");
}

TEST_CASE("the JSON error body carries RetryInfo, ErrorInfo and BadRequest details") {
  Status s = Status::resource_exhausted("Quota exceeded.");
  s.with(RetryInfo{30s});
  s.with(ErrorInfo{"RATE_LIMIT_EXCEEDED", "googleapis.com", {{"service", "pubsub.googleapis.com"}, {"quota_limit", "x"}}});
  REQUIRE(s.json_error_body() ==
          R"({"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED","details":[)"
          R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"},)"
          R"({"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com",)"
          R"("metadata":{"service":"pubsub.googleapis.com","quota_limit":"x"}}]}})");

  Status b = Status::invalid_argument("Invalid resource field value in the request.");
  b.with(BadRequest{{{"topic.name", "must match pattern"}, {"labels", "too many"}}});
  b.with(RetryInfo{1500ms});
  REQUIRE(b.json_error_body() ==
          R"({"error":{"code":400,"message":"Invalid resource field value in the request.","status":"INVALID_ARGUMENT","details":[)"
          R"({"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[)"
          R"({"field":"topic.name","description":"must match pattern"},{"field":"labels","description":"too many"}]},)"
          R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.500s"}]}})");
}

TEST_CASE("invalid UTF-8 in a message still gives valid JSON") {
  REQUIRE(Status::not_found("bad \xff byte").json_error_body() ==
          "{\"error\":{\"code\":404,\"message\":\"bad \xEF\xBF\xBD byte\",\"status\":\"NOT_FOUND\"}}");
}

TEST_CASE("StatusOr holds a value or an error") {
  StatusOr<int> v = 7;
  REQUIRE(v.ok());
  REQUIRE(*v == 7);
  REQUIRE(v.status().is_ok());
  StatusOr<int> e = Status::not_found("gone");
  REQUIRE_FALSE(e.ok());
  REQUIRE(e.status().code() == Code::kNotFound);
}

}  // namespace core_status_test
