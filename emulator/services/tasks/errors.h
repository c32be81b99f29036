// Cloud Tasks' user-visible errors, one factory each, in the real service's wording where known.
#pragma once
#include <string>

#include "core/status.h"

namespace gcpsim::services::tasks::errors {

using core::Status;

inline Status bad_location(const std::string& n) {
  return Status::invalid_argument("Invalid resource field value in the request. Location name \"" + n +
                                  "\" must have the form projects/PROJECT_ID/locations/LOCATION_ID.");
}
inline Status bad_queue_name(const std::string& n) {
  return Status::invalid_argument(
      "Invalid resource field value in the request. Queue name \"" + n +
      "\" must have the form projects/PROJECT_ID/locations/LOCATION_ID/queues/QUEUE_ID, where QUEUE_ID "
      "is 1-100 characters of letters ([A-Za-z]), numbers ([0-9]) or hyphens (-).");
}
inline Status bad_task_name(const std::string& n) {
  return Status::invalid_argument(
      "Invalid resource field value in the request. Task name \"" + n +
      "\" must have the form projects/PROJECT_ID/locations/LOCATION_ID/queues/QUEUE_ID/tasks/TASK_ID, "
      "where TASK_ID is 1-500 characters of letters ([A-Za-z]), numbers ([0-9]), hyphens (-) or "
      "underscores (_).");
}
inline Status not_found() { return Status::not_found("Requested entity was not found."); }
inline Status already_exists() { return Status::already_exists("Requested entity already exists"); }
inline Status queue_too_recent() {
  return Status::failed_precondition(
      "The queue cannot be created because a queue with this name existed too recently.");
}
inline Status parent_mismatch() {
  return Status::invalid_argument("Task name must be in the queue given as the parent of the request.");
}
inline Status schedule_too_far(const std::string& when) {
  return Status::invalid_argument("The Task.scheduleTime, " + when +
                                  ", is too far in the future. Schedule time must be no more than 720h in the future.");
}
inline Status task_too_large() { return Status::invalid_argument("Task size too large"); }
inline Status bad_deadline() {
  return Status::invalid_argument("Task.dispatchDeadline must be between 15 seconds and 30 minutes.");
}
inline Status missing_target() {
  return Status::invalid_argument("Task.httpRequest is required: this emulator dispatches HTTP targets only.");
}
inline Status bad_url(const std::string& url) {
  return Status::invalid_argument("HttpRequest.url \"" + url +
                                  "\" is invalid: it must be an absolute URL with the scheme http or https.");
}
inline Status unknown_run_service(const std::string& url, const std::string& why) {
  return Status::invalid_argument("HttpRequest.url \"" + url + "\" names a Cloud Run host that does not exist: " + why + ".");
}
inline Status bad_field(const std::string& field, const std::string& why) {
  return Status::invalid_argument("Invalid value for " + field + ": " + why);
}
inline Status bad_page_token() { return Status::invalid_argument("Invalid page token."); }
inline Status bad_filter(const std::string& f) {
  return Status::invalid_argument("Invalid filter \"" + f + "\": only state filters (state: PAUSED) are supported.");
}

}  // namespace gcpsim::services::tasks::errors
