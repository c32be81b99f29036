// Pub/Sub resource names (projects/{p}/topics/{t}, …/subscriptions/{s}, …/snapshots/{s},
// …/schemas/{s}): parsing and the real service's validity rules and error wording.
#pragma once
#include <string>
#include <string_view>

#include "core/status.h"
#include "services/pubsub/errors.h"

namespace gcpsim::services::pubsub {

// The name a topic's subscriptions show once the topic has been deleted.
inline constexpr std::string_view kDeletedTopic = "_deleted-topic_";

enum class Kind { kTopic, kSubscription, kSnapshot, kSchema };

inline const char* collection(Kind k) {
  switch (k) {
    case Kind::kTopic: return "topics";
    case Kind::kSubscription: return "subscriptions";
    case Kind::kSnapshot: return "snapshots";
    case Kind::kSchema: return "schemas";
  }
  return "";
}

// A resource id: starts with a letter, 3–255 of [A-Za-z0-9-_.~+%], not starting with "goog".
inline bool valid_resource_id(std::string_view id) {
  if (id.size() < 3 || id.size() > 255) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(id[0])) return false;
  for (char c : id) {
    bool ok = alpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
              c == '~' || c == '+' || c == '%';
    if (!ok) return false;
  }
  return id.substr(0, 4) != "goog";
}

// A project id as it appears in names: non-empty, no slashes.
inline bool valid_project(std::string_view p) {
  return !p.empty() && p.find('/') == std::string_view::npos;
}

struct ResourceName {
  Kind kind = Kind::kTopic;
  std::string project;
  std::string id;
  std::string full() const { return "projects/" + project + "/" + collection(kind) + "/" + id; }
};

inline core::StatusOr<ResourceName> parse_name(Kind kind, std::string_view name) {
  constexpr std::string_view kProjects = "projects/";
  auto bad = [&] { return errors::invalid_name(collection(kind), name); };
  if (name.substr(0, kProjects.size()) != kProjects) return bad();
  std::string_view rest = name.substr(kProjects.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return bad();
  std::string_view project = rest.substr(0, slash);
  rest = rest.substr(slash + 1);
  std::string_view coll = collection(kind);
  if (rest.substr(0, coll.size()) != coll || rest.size() <= coll.size() ||
      rest[coll.size()] != '/') {
    return bad();
  }
  std::string_view id = rest.substr(coll.size() + 1);
  if (!valid_project(project) || !valid_resource_id(id)) return bad();
  return ResourceName{kind, std::string(project), std::string(id)};
}

// "projects/{p}" → p.
inline core::StatusOr<std::string> parse_project(std::string_view name) {
  constexpr std::string_view kProjects = "projects/";
  if (name.substr(0, kProjects.size()) != kProjects ||
      !valid_project(name.substr(kProjects.size()))) {
    return errors::invalid_project(name);
  }
  return std::string(name.substr(kProjects.size()));
}

// The last segment of a full name: what the real service's error messages quote.
inline std::string resource_id(std::string_view full) {
  auto slash = full.rfind('/');
  return std::string(slash == std::string_view::npos ? full : full.substr(slash + 1));
}

}  // namespace gcpsim::services::pubsub
