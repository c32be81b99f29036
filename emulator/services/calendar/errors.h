// Every error the Calendar stub returns, worded as Calendar v3 words them. The reason
// ("notFound", "fullSyncRequired", …) travels as an ErrorInfo detail; routes.cc renders
// Calendar's {"error":{"errors":[{domain,reason,message}],"code","message"}} envelope.
#pragma once
#include <string>

#include "core/status.h"

namespace gcpsim::services::calendar {

inline core::Status calendar_error(core::Code code, std::string reason, std::string message) {
  core::Status s(code, std::move(message));
  s.with(core::ErrorInfo{std::move(reason), "global", {}});
  return s;
}

inline core::Status not_found() { return calendar_error(core::Code::kNotFound, "notFound", "Not Found"); }
inline core::Status invalid(std::string message) {
  return calendar_error(core::Code::kInvalidArgument, "invalid", std::move(message));
}
inline core::Status required_field(std::string message) {
  return calendar_error(core::Code::kInvalidArgument, "required", std::move(message));
}
inline core::Status bad_request() { return calendar_error(core::Code::kInvalidArgument, "badRequest", "Bad Request"); }
inline core::Status time_range_empty() {
  return calendar_error(core::Code::kInvalidArgument, "timeRangeEmpty", "The specified time range is empty.");
}
inline core::Status duplicate() {
  return calendar_error(core::Code::kAlreadyExists, "duplicate", "The requested identifier already exists.");
}
// 410 Gone: HTTP status from the reason, see http_status_for().
inline core::Status deleted() { return calendar_error(core::Code::kFailedPrecondition, "deleted", "Resource has been deleted"); }
inline core::Status full_sync_required() {
  return calendar_error(core::Code::kFailedPrecondition, "fullSyncRequired",
                        "Sync token is no longer valid, a full sync is required.");
}
}  // namespace gcpsim::services::calendar
