// BigQuery errors as REST bodies and as the ErrorProto jobs and insertErrors carry.
#include "services/bigquery/errors.h"

#include <nlohmann/json.hpp>

namespace gcpsim::services::bigquery::errors {

std::string reason_of(const Status& s) {
  for (const auto& d : s.details())
    if (auto* info = std::get_if<core::ErrorInfo>(&d)) return info->reason;
  return "";
}

namespace {
std::string default_reason(core::Code c) {
  switch (c) {
    case core::Code::kNotFound: return "notFound";
    case core::Code::kAlreadyExists: return "duplicate";
    case core::Code::kInvalidArgument: return "invalid";
    case core::Code::kResourceExhausted: return "quotaExceeded";
    case core::Code::kPermissionDenied: return "accessDenied";
    case core::Code::kUnauthenticated: return "authError";
    case core::Code::kUnavailable: return "backendError";
    case core::Code::kDeadlineExceeded: return "timeout";
    case core::Code::kCancelled: return "stopped";
    case core::Code::kFailedPrecondition: return "failedPrecondition";
    default: return "internalError";
  }
}
}  // namespace

ErrorProto proto_of(const Status& s) {
  std::string reason = reason_of(s);
  if (reason.empty()) reason = default_reason(s.code());
  ErrorProto e{reason, "", s.message()};
  // invalidQuery messages end with " at [line:col]": the location BigQuery reports apart.
  auto at = s.message().rfind(" at [");
  if (reason == "invalidQuery" && at != std::string::npos && s.message().back() == ']')
    e.location = "query";
  return e;
}

std::string error_body(const Status& s) {
  auto e = proto_of(s);
  nlohmann::ordered_json item = {{"message", e.message}, {"domain", "global"}, {"reason", e.reason}};
  if (!e.location.empty()) {
    item["location"] = e.location;
    item["locationType"] = "other";
  }
  nlohmann::ordered_json body = {
      {"error", {{"code", core::http_status(s.code())}, {"message", s.message()}, {"errors", {item}}, {"status", core::code_name(s.code())}}}};
  return body.dump();
}

}  // namespace gcpsim::services::bigquery::errors
