// Parsing of Cloud Tasks resource names, with the real service's rules for each segment.
#include "services/tasks/names.h"

#include <vector>

#include "services/tasks/errors.h"

namespace gcpsim::services::tasks {
namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool valid_id(const std::string& id, size_t max, bool underscore) {
  if (id.empty() || id.size() > max) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              (underscore && c == '_');
    if (!ok) return false;
  }
  return true;
}

// Project ids and numbers, and location ids: lowercase letters, digits, hyphens.
bool valid_segment(const std::string& s) {
  if (s.empty() || s.size() > 100) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':')) return false;
  }
  return true;
}

}  // namespace

bool valid_queue_id(const std::string& id) { return valid_id(id, 100, false); }
bool valid_task_id(const std::string& id) { return valid_id(id, 500, true); }

core::StatusOr<LocationName> LocationName::parse(const std::string& text) {
  auto p = split(text);
  if (p.size() != 4 || p[0] != "projects" || p[2] != "locations" || !valid_segment(p[1]) ||
      !valid_segment(p[3])) {
    return errors::bad_location(text);
  }
  return LocationName{p[1], p[3]};
}

core::StatusOr<QueueName> QueueName::parse(const std::string& text) {
  auto p = split(text);
  if (p.size() != 6 || p[0] != "projects" || p[2] != "locations" || p[4] != "queues" ||
      !valid_segment(p[1]) || !valid_segment(p[3]) || !valid_queue_id(p[5])) {
    return errors::bad_queue_name(text);
  }
  return QueueName{p[1], p[3], p[5]};
}

core::StatusOr<TaskName> TaskName::parse(const std::string& text) {
  auto p = split(text);
  if (p.size() != 8 || p[6] != "tasks" || !valid_task_id(p[7])) return errors::bad_task_name(text);
  std::string queue = text.substr(0, text.rfind("/tasks/"));
  auto q = QueueName::parse(queue);
  if (!q.ok()) return errors::bad_task_name(text);
  return TaskName{*q, p[7]};
}

}  // namespace gcpsim::services::tasks
