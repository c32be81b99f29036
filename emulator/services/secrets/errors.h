// Every user-visible Secret Manager error, in the real service's wording where it is known.
#pragma once
#include <string>
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::secrets::errors {

using core::Status;

inline Status bad_parent(std::string_view name) {
  return Status::invalid_argument("The provided Project ID [" + std::string(name) +
                                  "] does not match the expected format [projects/*]");
}
inline Status bad_secret_name(std::string_view name) {
  return Status::invalid_argument("The provided Secret ID [" + std::string(name) +
                                  "] does not match the expected format [projects/*/secrets/*]");
}
inline Status bad_version_name(std::string_view name) {
  return Status::invalid_argument(
      "The provided Secret ID [" + std::string(name) +
      "] does not match the expected format [projects/*/secrets/*/versions/*]");
}
inline Status bad_secret_id(std::string_view id) {
  return Status::invalid_argument("The provided Secret ID [" + std::string(id) +
                                  "] does not match the expected format [[a-zA-Z_0-9]+]");
}

inline Status secret_not_found(const std::string& name) {
  return Status::not_found("Secret [" + name + "] not found or has no versions.");
}
inline Status version_not_found(const std::string& name) {
  return Status::not_found("Secret Version [" + name + "] not found.");
}
inline Status secret_exists(const std::string& name) {
  return Status::already_exists("Secret [" + name + "] already exists.");
}
inline Status version_in_state(const std::string& name, std::string_view state) {
  return Status::failed_precondition("Secret Version [" + name + "] is in " + std::string(state) +
                                     " state.");
}
inline Status etag_mismatch(std::string_view etag) {
  return Status::failed_precondition("The etag [" + std::string(etag) +
                                     "] provided in the request does not match the current "
                                     "etag of the resource.");
}
inline Status policy_etag_mismatch() {
  return Status::aborted(
      "There were concurrent policy changes. Please retry the whole read-modify-write with "
      "exponential backoff.");
}

inline Status payload_too_large(size_t size) {
  return Status::invalid_argument("Secret payload data length [" + std::to_string(size) +
                                  "] must be at most 65536 bytes.");
}
inline Status checksum_mismatch() {
  return Status::invalid_argument(
      "Checksum mismatch: the data_crc32c provided in the request does not match the CRC32C "
      "of the payload data.");
}
inline Status invalid(std::string message) { return Status::invalid_argument(std::move(message)); }

inline Status bad_mask_path(std::string_view path) {
  return Status::invalid_argument("The update_mask contains an invalid field path [" +
                                  std::string(path) + "] for a Secret.");
}
inline Status immutable_field(std::string_view path) {
  return Status::invalid_argument("The field [" + std::string(path) +
                                  "] is immutable and cannot be updated.");
}
inline Status empty_mask() {
  return Status::invalid_argument("The update_mask must name at least one field to update.");
}
inline Status bad_filter(std::string_view filter, std::string_view why) {
  return Status::invalid_argument("Invalid filter [" + std::string(filter) + "]: " +
                                  std::string(why));
}
inline Status bad_page_token() {
  return Status::invalid_argument("The page_token provided in the request is invalid.");
}
inline Status bad_page_size() {
  return Status::invalid_argument("The page_size must not be negative.");
}

}  // namespace gcpsim::services::secrets::errors
