// Status names, Google's code ⇄ HTTP mapping and the JSON error envelope of its REST APIs.
#include "core/status.h"

#include <nlohmann/json.hpp>

namespace gcpsim::core {
namespace {

struct CodeRow {
  Code code;
  const char* name;
  int http;
};

// google.rpc.Code, with the HTTP mapping documented in google/rpc/code.proto.
constexpr CodeRow kCodes[] = {
    {Code::kOk, "OK", 200},
    {Code::kCancelled, "CANCELLED", 499},
    {Code::kUnknown, "UNKNOWN", 500},
    {Code::kInvalidArgument, "INVALID_ARGUMENT", 400},
    {Code::kDeadlineExceeded, "DEADLINE_EXCEEDED", 504},
    {Code::kNotFound, "NOT_FOUND", 404},
    {Code::kAlreadyExists, "ALREADY_EXISTS", 409},
    {Code::kPermissionDenied, "PERMISSION_DENIED", 403},
    {Code::kResourceExhausted, "RESOURCE_EXHAUSTED", 429},
    {Code::kFailedPrecondition, "FAILED_PRECONDITION", 400},
    {Code::kAborted, "ABORTED", 409},
    {Code::kOutOfRange, "OUT_OF_RANGE", 400},
    {Code::kUnimplemented, "UNIMPLEMENTED", 501},
    {Code::kInternal, "INTERNAL", 500},
    {Code::kUnavailable, "UNAVAILABLE", 503},
    {Code::kDataLoss, "DATA_LOSS", 500},
    {Code::kUnauthenticated, "UNAUTHENTICATED", 401},
};

const CodeRow* row(Code c) {
  for (const auto& r : kCodes) {
    if (r.code == c) return &r;
  }
  return nullptr;
}

constexpr const char* kTypePrefix = "type.googleapis.com/google.rpc.";

nlohmann::ordered_json detail_json(const StatusDetail& d) {
  nlohmann::ordered_json j;
  if (const auto* retry = std::get_if<RetryInfo>(&d)) {
    j["@type"] = std::string(kTypePrefix) + "RetryInfo";
    j["retryDelay"] = format_duration(retry->retry_delay);
  } else if (const auto* info = std::get_if<ErrorInfo>(&d)) {
    j["@type"] = std::string(kTypePrefix) + "ErrorInfo";
    // proto3 JSON leaves out empty fields.
    if (!info->reason.empty()) j["reason"] = info->reason;
    if (!info->domain.empty()) j["domain"] = info->domain;
    if (!info->metadata.empty()) {
      nlohmann::ordered_json md = nlohmann::ordered_json::object();
      for (const auto& [k, v] : info->metadata) md[k] = v;
      j["metadata"] = std::move(md);
    }
  } else if (const auto* bad = std::get_if<BadRequest>(&d)) {
    j["@type"] = std::string(kTypePrefix) + "BadRequest";
    nlohmann::ordered_json violations = nlohmann::ordered_json::array();
    for (const auto& v : bad->violations) {
      nlohmann::ordered_json fv;
      fv["field"] = v.field;
      fv["description"] = v.description;
      violations.push_back(std::move(fv));
    }
    j["fieldViolations"] = std::move(violations);
  }
  return j;
}

}  // namespace

const char* code_name(Code c) {
  const CodeRow* r = row(c);
  return r ? r->name : "UNKNOWN";
}

std::optional<Code> code_from_name(std::string_view name) {
  for (const auto& r : kCodes) {
    if (name == r.name) return r.code;
  }
  return std::nullopt;
}

int http_status(Code c) {
  const CodeRow* r = row(c);
  return r ? r->http : 500;
}

Code code_from_http(int status) {
  if (status >= 200 && status < 300) return Code::kOk;
  switch (status) {
    case 400: return Code::kInvalidArgument;
    case 401: return Code::kUnauthenticated;
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 408: return Code::kDeadlineExceeded;
    // 409 is both ALREADY_EXISTS and ABORTED; ABORTED is the one a caller may retry.
    case 409: return Code::kAborted;
    case 412: return Code::kFailedPrecondition;
    case 416: return Code::kOutOfRange;
    case 429: return Code::kResourceExhausted;
    case 499: return Code::kCancelled;
    case 500: return Code::kInternal;
    case 501: return Code::kUnimplemented;
    case 502:
    case 503: return Code::kUnavailable;
    case 504: return Code::kDeadlineExceeded;
    default: break;
  }
  if (status >= 400 && status < 500) return Code::kFailedPrecondition;
  if (status >= 500 && status < 600) return Code::kInternal;
  return Code::kUnknown;
}

std::string Status::to_string() const {
  std::string out = code_name(code_);
  if (!message_.empty()) out += ": " + message_;
  return out;
}

std::string Status::json_error_body() const { return json_error_body(http_status(code_)); }

std::string Status::json_error_body(int http_code) const {
  nlohmann::ordered_json err;
  err["code"] = http_code;
  err["message"] = message_;
  err["status"] = code_name(code_);
  if (!details_.empty()) {
    nlohmann::ordered_json details = nlohmann::ordered_json::array();
    for (const auto& d : details_) details.push_back(detail_json(d));
    err["details"] = std::move(details);
  }
  nlohmann::ordered_json body;
  body["error"] = std::move(err);
  // Messages may quote user input; invalid UTF-8 becomes U+FFFD rather than an exception.
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace gcpsim::core
