// Storage errors as HTTP: reason → status, and the JSON and XML error bodies.
#include "services/storage/errors.h"

#include "net/http.h"

#include <nlohmann/json.hpp>

namespace gcpsim::services::storage::errors {
namespace {

// Reasons whose HTTP status differs from the canonical code's.
struct ReasonStatus {
  std::string_view reason;
  int status;
  std::string_view xml_code;
};
constexpr ReasonStatus kReasons[] = {
    {"notFound", 404, "NoSuchKey"},
    {"conflict", 409, "Conflict"},
    {"conditionNotMet", 412, "PreconditionFailed"},
    {"notModified", 304, "NotModified"},
    {"requestedRangeNotSatisfiable", 416, "InvalidRange"},
    {"invalid", 400, "InvalidArgument"},
    {"required", 400, "InvalidArgument"},
    {"badRequest", 400, "InvalidArgument"},
    {"forbidden", 403, "AccessDenied"},
    {"clientClosedRequest", 499, "ClientClosedRequest"},
};

std::string reason_of(const Status& s) {
  for (const auto& d : s.details())
    if (auto* info = std::get_if<core::ErrorInfo>(&d)) return info->reason;
  return "";
}

// The JSON API's reason for errors that did not come from the catalogue (injected faults).
std::string default_reason(core::Code c) {
  switch (c) {
    case core::Code::kNotFound: return "notFound";
    case core::Code::kInvalidArgument: return "invalid";
    case core::Code::kPermissionDenied: return "forbidden";
    case core::Code::kUnauthenticated: return "required";
    case core::Code::kResourceExhausted: return "rateLimitExceeded";
    case core::Code::kAlreadyExists:
    case core::Code::kAborted: return "conflict";
    case core::Code::kFailedPrecondition: return "conditionNotMet";
    case core::Code::kUnavailable: return "backendError";
    case core::Code::kDeadlineExceeded: return "deadlineExceeded";
    default: return "internalError";
  }
}

}  // namespace

Status make(core::Code code, std::string_view reason, std::string message) {
  Status s(code, std::move(message));
  s.with(core::ErrorInfo{std::string(reason), "global", {}});
  return s;
}

int http_status(const Status& s) {
  auto reason = reason_of(s);
  for (const auto& r : kReasons)
    if (r.reason == reason) return r.status;
  return core::http_status(s.code());
}

std::string json_body(const Status& s) {
  auto reason = reason_of(s);
  if (reason.empty()) reason = default_reason(s.code());
  nlohmann::ordered_json err;
  err["code"] = http_status(s);
  err["message"] = s.message();
  err["errors"] = nlohmann::ordered_json::array(
      {{{"message", s.message()}, {"domain", "global"}, {"reason", reason}}});
  nlohmann::ordered_json body;
  body["error"] = std::move(err);
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string xml_code(const Status& s) {
  if (s.message() == "The specified bucket does not exist.") return "NoSuchBucket";
  auto reason = reason_of(s);
  for (const auto& r : kReasons)
    if (r.reason == reason) return std::string(r.xml_code);
  switch (s.code()) {
    case core::Code::kUnavailable: return "ServiceUnavailable";
    case core::Code::kResourceExhausted: return "SlowDown";
    default: return "InternalError";
  }
}


std::string xml_body(std::string_view code, std::string_view message, std::string_view details) {
  std::string out = "<?xml version='1.0' encoding='UTF-8'?><Error><Code>" + net::xml_escape(code) +
                    "</Code><Message>" + net::xml_escape(message) + "</Message>";
  if (!details.empty()) out += "<Details>" + net::xml_escape(details) + "</Details>";
  return out + "</Error>";
}

}  // namespace gcpsim::services::storage::errors
