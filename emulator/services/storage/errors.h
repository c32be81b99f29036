// Every user-visible Cloud Storage error, in the real service's wording, and how one becomes
// an HTTP answer: the JSON API's envelope (with its `errors` array) or the XML API's body.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::storage::errors {

using core::Status;

// A Status carrying the JSON API's error reason (ErrorInfo{reason, "global"}).
Status make(core::Code code, std::string_view reason, std::string message);

inline Status bucket_not_found() {
  return make(core::Code::kNotFound, "notFound", "The specified bucket does not exist.");
}
inline Status object_not_found(std::string_view bucket, std::string_view name) {
  return make(core::Code::kNotFound, "notFound",
              "No such object: " + std::string(bucket) + "/" + std::string(name));
}
inline Status bucket_exists() {
  return make(core::Code::kAlreadyExists, "conflict",
              "Your previous request to create the named bucket succeeded and you already own it.");
}
inline Status bucket_not_empty() {
  return make(core::Code::kAborted, "conflict", "The bucket you tried to delete is not empty.");
}
inline Status precondition_failed() {
  return make(core::Code::kFailedPrecondition, "conditionNotMet",
              "At least one of the pre-conditions you specified did not hold.");
}
inline Status not_modified() { return make(core::Code::kFailedPrecondition, "notModified", "Not Modified"); }
inline Status invalid(std::string message) {
  return make(core::Code::kInvalidArgument, "invalid", std::move(message));
}
inline Status required(std::string message = "Required") {
  return make(core::Code::kInvalidArgument, "required", std::move(message));
}
inline Status bad_request(std::string message) {
  return make(core::Code::kInvalidArgument, "badRequest", std::move(message));
}
inline Status invalid_bucket_name(std::string_view name) {
  return invalid("Invalid bucket name: '" + std::string(name) + "'");
}
inline Status invalid_object_name(std::string_view why) {
  return invalid("The specified object name is not valid: " + std::string(why));
}
inline Status range_not_satisfiable() {
  return make(core::Code::kOutOfRange, "requestedRangeNotSatisfiable",
              "The requested range cannot be satisfied.");
}
inline Status md5_mismatch(std::string_view provided, std::string_view calculated) {
  return invalid("Provided MD5 hash \"" + std::string(provided) + "\" doesn't match calculated MD5 hash \"" +
                 std::string(calculated) + "\".");
}
inline Status crc32c_mismatch(std::string_view provided, std::string_view calculated) {
  return invalid("Provided CRC32C \"" + std::string(provided) + "\" doesn't match calculated CRC32C \"" +
                 std::string(calculated) + "\".");
}
inline Status upload_not_found() {
  return make(core::Code::kNotFound, "notFound", "No such upload session, or it has expired.");
}
inline Status upload_cancelled() {
  return make(core::Code::kCancelled, "clientClosedRequest", "The upload session was cancelled.");
}
inline Status small_chunk(uint64_t got) {
  return bad_request(
      "Invalid request. The number of bytes uploaded is required to be equal or greater than 262144, "
      "except for the final request (it's recommended to be the exact multiple of 262144). The received "
      "request contained " + std::to_string(got) + " bytes, which does not meet this requirement.");
}
inline Status notification_not_found() {
  return make(core::Code::kNotFound, "notFound", "No such notification configuration.");
}
inline Status topic_not_found(std::string_view topic) {
  return make(core::Code::kNotFound, "notFound", "Topic " + std::string(topic) + " not found.");
}
inline Status held(std::string_view bucket, std::string_view name) {
  return make(core::Code::kPermissionDenied, "forbidden",
              "Object '" + std::string(bucket) + "/" + std::string(name) + "' is under active Event-Based hold and "
              "cannot be deleted, overwritten or archived until hold is removed.");
}
inline Status retained(std::string_view bucket, std::string_view name) {
  return make(core::Code::kPermissionDenied, "forbidden",
              "Object '" + std::string(bucket) + "/" + std::string(name) +
              "' is subject to bucket's retention policy or object retention and cannot be deleted or "
              "overwritten until the retention period has passed.");
}

// The HTTP status for a Status: its reason when it has one, the canonical mapping otherwise.
int http_status(const Status& s);
// {"error":{"code":404,"message":"…","errors":[{"message":"…","domain":"global","reason":"notFound"}]}}
std::string json_body(const Status& s);
// The XML API's code for a Status ("NoSuchKey", "NoSuchBucket", "AccessDenied", …).
std::string xml_code(const Status& s);
// <?xml version='1.0' encoding='UTF-8'?><Error><Code>…</Code><Message>…</Message></Error>
std::string xml_body(std::string_view code, std::string_view message, std::string_view details = "");

}  // namespace gcpsim::services::storage::errors
