// Every user-visible BigQuery error, in the real service's wording, and its REST envelope:
// {"error":{"code":404,"message":"…","errors":[{"message":"…","domain":"global","reason":"notFound"}],"status":"NOT_FOUND"}}.
#pragma once
#include <string>
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::bigquery::errors {

using core::Status;

// A Status carrying BigQuery's reason (ErrorInfo{reason, "global"}).
inline Status make(core::Code code, std::string_view reason, std::string message) {
  Status s(code, std::move(message));
  s.with(core::ErrorInfo{std::string(reason), "global", {}});
  return s;
}

inline Status not_found(std::string what) { return make(core::Code::kNotFound, "notFound", "Not found: " + what); }
inline Status dataset_not_found(const std::string& project, const std::string& dataset) {
  return not_found("Dataset " + project + ":" + dataset);
}
inline Status table_not_found(const std::string& project, const std::string& dataset, const std::string& table) {
  return not_found("Table " + project + ":" + dataset + "." + table);
}
inline Status job_not_found(const std::string& project, const std::string& job) {
  return not_found("Job " + project + ":" + job);
}
inline Status duplicate(std::string what) {
  return make(core::Code::kAlreadyExists, "duplicate", "Already Exists: " + what);
}
inline Status invalid(std::string message) { return make(core::Code::kInvalidArgument, "invalid", std::move(message)); }
inline Status invalid_query(std::string message) {
  return make(core::Code::kInvalidArgument, "invalidQuery", std::move(message));
}
inline Status required(std::string message) { return make(core::Code::kInvalidArgument, "required", std::move(message)); }
inline Status resource_in_use(std::string message) {
  return make(core::Code::kFailedPrecondition, "resourceInUse", std::move(message));
}
inline Status quota_exceeded(std::string message) {
  return make(core::Code::kResourceExhausted, "quotaExceeded", std::move(message));
}
inline Status stopped() { return make(core::Code::kCancelled, "stopped", "Job execution was cancelled: User requested cancellation"); }

// BigQuery's reason for a Status (its ErrorInfo, or one derived from the code for injected faults).
std::string reason_of(const Status& s);
// The REST error body with BigQuery's `errors` array.
std::string error_body(const Status& s);
// {"reason":…, "location":…, "message":…} as jobs and insertErrors carry it.
struct ErrorProto {
  std::string reason, location, message;
};
ErrorProto proto_of(const Status& s);

}  // namespace gcpsim::services::bigquery::errors
