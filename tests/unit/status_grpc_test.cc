// core::Status ⇄ grpc::Status: codes, messages and google.rpc details survive the trip.
#include <catch2/catch.hpp>

#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>

#include "core/status_grpc.h"

namespace status_grpc_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;

TEST_CASE("an OK status maps to gRPC OK and back") {
  CHECK(core::to_grpc_status(core::Status::ok()).ok());
  CHECK(core::from_grpc_status(grpc::Status::OK).is_ok());
}

TEST_CASE("code and message map without details when there are none") {
  auto g = core::to_grpc_status(core::Status::not_found("Resource not found (resource=t)."));
  CHECK(g.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(g.error_message() == "Resource not found (resource=t).");
  CHECK(g.error_details().empty());
}

TEST_CASE("details travel as a google.rpc.Status in grpc-status-details-bin") {
  auto s = core::Status::resource_exhausted("Quota exceeded.");
  s.with(core::RetryInfo{std::chrono::milliseconds(1500)});
  s.with(core::ErrorInfo{
      "RATE_LIMIT_EXCEEDED", "googleapis.com", {{"service", "pubsub.googleapis.com"}}});
  s.with(core::BadRequest{{{"topic", "bad topic"}}});
  auto g = core::to_grpc_status(s);
  CHECK(g.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);

  google::rpc::Status proto;
  REQUIRE(proto.ParseFromString(g.error_details()));
  CHECK(proto.code() == 8);
  CHECK(proto.message() == "Quota exceeded.");
  REQUIRE(proto.details_size() == 3);
  google::rpc::RetryInfo retry;
  REQUIRE(proto.details(0).UnpackTo(&retry));
  CHECK(retry.retry_delay().seconds() == 1);
  CHECK(retry.retry_delay().nanos() == 500000000);

  auto back = core::from_grpc_status(g);
  CHECK(back.code() == core::Code::kResourceExhausted);
  CHECK(back.message() == "Quota exceeded.");
  REQUIRE(back.details().size() == 3);
  CHECK(std::get<core::RetryInfo>(back.details()[0]).retry_delay ==
        std::chrono::milliseconds(1500));
  const auto& info = std::get<core::ErrorInfo>(back.details()[1]);
  CHECK(info.reason == "RATE_LIMIT_EXCEEDED");
  CHECK(info.metadata.at(0).second == "pubsub.googleapis.com");
  CHECK(std::get<core::BadRequest>(back.details()[2]).violations.at(0).field == "topic");
}

}  // namespace status_grpc_test
