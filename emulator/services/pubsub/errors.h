// Every user-visible Pub/Sub error, in the real service's wording where it is known
// (the official emulator's otherwise).
#pragma once
#include <string>
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::pubsub::errors {

using core::Status;

inline std::string str(std::string_view s) { return std::string(s); }

inline Status invalid_name(std::string_view collection, std::string_view name) {
  return Status::invalid_argument("Invalid [" + str(collection) + "] name: (name=" + str(name) + ")");
}
inline Status invalid_project(std::string_view name) {
  return Status::invalid_argument("Invalid project name: (name=" + str(name) + ")");
}
// `id` is the resource's last name segment, as the real service quotes it.
inline Status not_found(std::string_view id) {
  return Status::not_found("Resource not found (resource=" + str(id) + ").");
}
inline Status already_exists(std::string_view id) {
  return Status::already_exists("Resource already exists in the project (resource=" + str(id) + ").");
}
inline Status out_of_bounds(std::string_view field, std::string_view passed, std::string_view lo,
                            std::string_view hi) {
  return Status::invalid_argument("The value for " + str(field) + " is out of bounds. You passed " +
                                  str(passed) + " in the request, but the value must be between " +
                                  str(lo) + " and " + str(hi) + ".");
}
inline Status too_large(std::string_view field, long long passed, long long max) {
  return Status::invalid_argument("The value for " + str(field) + " is too large. You passed " +
                                  std::to_string(passed) + " in the request, but the maximum value is " +
                                  std::to_string(max) + ".");
}
inline Status too_small(std::string_view field, long long passed, long long min) {
  return Status::invalid_argument("The value for " + str(field) + " is too small. You passed " +
                                  std::to_string(passed) + " in the request, but the minimum value is " +
                                  std::to_string(min) + ".");
}
inline Status empty_message() {
  return Status::invalid_argument(
      "One or more messages in the publish request is empty. Each message must contain either "
      "non-empty data, or at least one attribute.");
}
inline Status no_messages() { return Status::invalid_argument("No messages to publish"); }
inline Status invalid_attribute(std::string_view why) {
  return Status::invalid_argument("Invalid attributes: " + str(why));
}
inline Status invalid_ack_id(std::string_view ack_id) {
  return Status::invalid_argument("You have passed an invalid ack ID to the service (ack_id=" +
                                  str(ack_id) + ").");
}
inline Status no_ack_ids() { return Status::invalid_argument("No ack ids specified."); }
// Exactly-once delivery: the whole request fails, the per-ack-id reasons travel in ErrorInfo.
inline Status exactly_once_ack_failure() {
  return Status::invalid_argument(
      "Some acknowledgement ids in the request were invalid. This could be because the "
      "acknowledgement ids have expired or the acknowledgement ids were malformed.");
}
inline Status max_messages_required() {
  return Status::invalid_argument("max_messages must be greater than 0.");
}
inline Status detached() {
  return Status::failed_precondition("The subscription has been detached from its topic.");
}
inline Status filter_immutable() {
  return Status::invalid_argument("Updating the filter of a subscription is not supported.");
}
inline Status topic_immutable() {
  return Status::invalid_argument("Changing the topic of a subscription is not supported.");
}
inline Status ordering_immutable() {
  return Status::invalid_argument(
      "Changing enable_message_ordering of a subscription is not supported.");
}
inline Status snapshot_topic_mismatch(std::string_view sub_topic, std::string_view snap_topic) {
  return Status::failed_precondition(
      "The subscription's topic (" + str(sub_topic) + ") is different from that of the snapshot (" +
      str(snap_topic) + "); they must match in order for Seek work. Note that if a topic is "
      "deleted and then re-created with the same name, it is considered a distinct topic for these "
      "purposes.");
}
inline Status backlog_too_old() {
  return Status::failed_precondition(
      "The operation could not be completed because the requested source subscription's backlog "
      "is too old.");
}
inline Status snapshot_needs_topic() {
  return Status::failed_precondition(
      "The operation could not be completed because the subscription's topic has been deleted.");
}
inline Status seek_target_missing() {
  return Status::invalid_argument(
      "No target was specified in the SeekRequest. Must specify either a time or a snapshot");
}
inline Status invalid_filter(std::string_view why) {
  return Status::invalid_argument("Invalid filter expression: " + str(why));
}
inline Status update_mask_required(std::string_view request) {
  return Status::invalid_argument("The update_mask in the " + str(request) +
                                  " must be set, and must contain a non-empty paths list.");
}
inline Status unknown_mask_field(std::string_view request, std::string_view resource,
                                 std::string_view path, std::string_view example) {
  return Status::invalid_argument("Invalid update_mask provided in the " + str(request) + ": '" +
                                  str(path) + "' is not a known " + str(resource) +
                                  " field. Note that field paths must be of the form '" +
                                  str(example) + "' rather than a camel-case form.");
}
inline Status invalid_push_endpoint(std::string_view url) {
  return Status::invalid_argument("Invalid push_endpoint given: " + str(url) +
                                  ". Refer to https://cloud.google.com/pubsub/docs/push for more "
                                  "information.");
}
inline Status schema_mismatch(std::string_view why) {
  return Status::invalid_argument("Request contains an invalid argument. " + str(why));
}
inline Status invalid_page_token() { return Status::invalid_argument("Invalid page token"); }

}  // namespace gcpsim::services::pubsub::errors
