// The one error type: a canonical gRPC code, a message in the real service's wording,
// and optional structured details. Mapped to wire formats only in status.cc / status_grpc.cc.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/time.h"

namespace gcpsim::core {

enum class Code : int {
  kOk = 0, kCancelled = 1, kUnknown = 2, kInvalidArgument = 3, kDeadlineExceeded = 4,
  kNotFound = 5, kAlreadyExists = 6, kPermissionDenied = 7, kResourceExhausted = 8,
  kFailedPrecondition = 9, kAborted = 10, kOutOfRange = 11, kUnimplemented = 12,
  kInternal = 13, kUnavailable = 14, kDataLoss = 15, kUnauthenticated = 16,
};

// "NOT_FOUND"; nullopt-free: unknown ints give "UNKNOWN".
const char* code_name(Code c);
std::optional<Code> code_from_name(std::string_view name);
// The HTTP status Google's REST front ends use for a code (404 for NOT_FOUND, ...).
int http_status(Code c);
// The inverse used for upstream HTTP answers (429 → RESOURCE_EXHAUSTED, ...).
Code code_from_http(int status);

// google.rpc.* details, without protobuf types.
struct RetryInfo { Duration retry_delay{}; };
struct ErrorInfo { std::string reason, domain; std::vector<std::pair<std::string, std::string>> metadata; };
struct FieldViolation { std::string field, description; };
struct BadRequest { std::vector<FieldViolation> violations; };
using StatusDetail = std::variant<RetryInfo, ErrorInfo, BadRequest>;

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
  static Status unknown(std::string m) { return {Code::kUnknown, std::move(m)}; }
  static Status invalid_argument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status deadline_exceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
  static Status not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status already_exists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status permission_denied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status resource_exhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
  static Status failed_precondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Status aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
  static Status out_of_range(std::string m) { return {Code::kOutOfRange, std::move(m)}; }
  static Status unimplemented(std::string m) { return {Code::kUnimplemented, std::move(m)}; }
  static Status internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<StatusDetail>& details() const { return details_; }
  Status& with(StatusDetail d) { details_.push_back(std::move(d)); return *this; }
  // "NOT_FOUND: Topic not found"
  std::string to_string() const;

  // {"error":{"code":404,"message":"…","status":"NOT_FOUND","details":[…]}}
  std::string json_error_body() const;
  // The same with an HTTP status the code does not map to (the edge's 413 and 431).
  std::string json_error_body(int http_code) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::vector<StatusDetail> details_;
};

template <class T>
class StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}                 // NOLINT(implicit)
  StatusOr(Status status) : v_(std::move(status)) {}          // NOLINT(implicit); must not be ok
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gcpsim::core

#define GCPSIM_CONCAT_INNER(a, b) a##b
#define GCPSIM_CONCAT(a, b) GCPSIM_CONCAT_INNER(a, b)
#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::gcpsim::core::Status _st = (expr);                   \
    if (!_st.is_ok()) return _st;                          \
  } while (0)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(GCPSIM_CONCAT(_so_, __LINE__), lhs, expr)
