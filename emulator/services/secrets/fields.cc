// Validation, update masks and filter fields of secrets and versions.
#include "services/secrets/fields.h"

#include <cctype>
#include <set>
#include <type_traits>

#include "core/labels.h"
#include "services/secrets/errors.h"
#include "services/secrets/limits.h"

namespace gcpsim::services::secrets {
namespace {

using core::Status;

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
using core::valid_label_key;
using core::valid_label_value;

bool valid_annotation_key(std::string_view k) {
  if (k.empty() || k.size() > 63 || !alnum(k.front()) || !alnum(k.back())) return false;
  for (char c : k) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool valid_topic(std::string_view t) {
  constexpr std::string_view kProjects = "projects/";
  if (t.substr(0, kProjects.size()) != kProjects) return false;
  size_t slash = t.find('/', kProjects.size());
  if (slash == std::string_view::npos || slash == kProjects.size()) return false;
  std::string_view rest = t.substr(slash);
  constexpr std::string_view kTopics = "/topics/";
  if (rest.substr(0, kTopics.size()) != kTopics) return false;
  std::string_view id = rest.substr(kTopics.size());
  return !id.empty() && id.find('/') == std::string_view::npos;
}

Status validate_labels(const Secret& s) {
  if (s.labels.size() > limits::kMaxLabels) {
    return errors::invalid("A secret can have at most 64 labels.");
  }
  for (const auto& [k, v] : s.labels) {
    if (!valid_label_key(k)) {
      return errors::invalid("Label key [" + k +
                             "] must start with a lowercase letter and contain only lowercase "
                             "letters, numbers, underscores and dashes (at most 63 characters).");
    }
    if (!valid_label_value(v)) {
      return errors::invalid("Label value [" + v + "] of key [" + k +
                             "] must contain only lowercase letters, numbers, underscores and "
                             "dashes (at most 63 characters).");
    }
  }
  return Status::ok();
}

Status validate_annotations(const Secret& s) {
  size_t total = 0;
  for (const auto& [k, v] : s.annotations) {
    if (!valid_annotation_key(k)) {
      return errors::invalid("Annotation key [" + k +
                             "] must be 1-63 characters, begin and end with an alphanumeric "
                             "character, and contain only alphanumerics, '-', '_' and '.'.");
    }
    total += k.size() + v.size();
  }
  if (total >= limits::kMaxAnnotationBytes) {
    return errors::invalid("The total size of annotation keys and values must be less than 16KiB.");
  }
  return Status::ok();
}

Status validate_topics(const Secret& s) {
  if (s.topics.size() > limits::kMaxTopics) {
    return errors::invalid("A secret can have at most 10 topics.");
  }
  std::set<std::string> seen;
  for (const auto& t : s.topics) {
    if (!valid_topic(t)) {
      return errors::invalid("Topic [" + t +
                             "] does not match the expected format [projects/*/topics/*].");
    }
    if (!seen.insert(t).second) return errors::invalid("Topic [" + t + "] is listed twice.");
  }
  return Status::ok();
}

Status validate_replication(const Secret& s, bool regional) {
  const auto& r = s.replication;
  if (regional) {
    if (r.kind != Replication::Kind::kNone) {
      return errors::invalid("Regional secrets do not take a replication policy.");
    }
    return Status::ok();
  }
  if (r.kind == Replication::Kind::kNone) {
    return errors::invalid("A replication policy (automatic or user_managed) is required.");
  }
  if (r.kind == Replication::Kind::kUserManaged) {
    if (r.replicas.empty()) {
      return errors::invalid("A user_managed replication policy needs at least one replica.");
    }
    std::set<std::string> seen;
    for (const auto& replica : r.replicas) {
      if (replica.location.empty()) return errors::invalid("A replica must name its location.");
      if (!seen.insert(replica.location).second) {
        return errors::invalid("Replica location [" + replica.location + "] is listed twice.");
      }
    }
  }
  return Status::ok();
}

Status validate_rotation(const Secret& s, bool written, core::Time now) {
  if (!s.rotation) return Status::ok();
  if (s.topics.empty()) {
    return errors::invalid("A secret with a rotation policy must have at least one topic.");
  }
  const Rotation& r = *s.rotation;
  if (r.rotation_period && !r.next_rotation_time) {
    return errors::invalid("next_rotation_time must be set if rotation_period is set.");
  }
  if (r.rotation_period &&
      (*r.rotation_period < limits::kMinRotationPeriod || *r.rotation_period > limits::kMaxRotationPeriod)) {
    return errors::invalid("rotation_period must be between 3600s (1 hour) and 100 years.");
  }
  if (written && r.next_rotation_time && *r.next_rotation_time < now + limits::kMinRotationLead) {
    return errors::invalid("next_rotation_time must be at least 5 minutes in the future.");
  }
  return Status::ok();
}

Status validate_aliases(const Secret& s) {
  if (s.version_aliases.size() > limits::kMaxAliases) {
    return errors::invalid("A secret can have at most 50 version aliases.");
  }
  for (const auto& [alias, number] : s.version_aliases) {
    if (!valid_alias(alias)) {
      return errors::invalid("Version alias [" + alias +
                             "] must start with a letter, contain only letters, numbers, '-' and "
                             "'_' (at most 63 characters), and cannot be 'latest' or 'NEW'.");
    }
    if (number <= 0) {
      return errors::invalid("Version alias [" + alias + "] must name a positive version number.");
    }
  }
  return Status::ok();
}

}  // namespace

std::string snake_case_path(std::string_view path) {
  std::string out;
  bool in_key = false;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string_view seg = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
    std::string part;
    for (char c : seg) {
      if (!in_key && std::isupper(static_cast<unsigned char>(c))) {
        part += '_';
        part += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else {
        part += c;
      }
    }
    if (!out.empty()) out += '.';
    out += part;
    in_key = part == "labels" || part == "annotations" || part == "version_aliases";
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

core::StatusOr<MaskEffect> apply_mask(Secret& target, const SecretFields& in,
                                      const std::vector<std::string>& mask, core::Time now) {
  if (mask.empty()) return errors::empty_mask();
  static const std::set<std::string> kImmutable = {
      "name", "replication", "create_time", "etag", "secret_type", "tags", "policy_member"};
  MaskEffect effect;
  for (const auto& raw : mask) {
    std::string path = snake_case_path(raw);
    if (path == "labels") {
      target.labels = in.labels;
    } else if (path == "annotations") {
      target.annotations = in.annotations;
    } else if (path == "topics") {
      target.topics = in.topics;
      effect.topics = true;
    } else if (path == "expire_time") {
      target.expire_time = in.expire_time;
    } else if (path == "ttl") {
      target.expire_time = in.ttl ? std::optional<core::Time>(now + *in.ttl) : std::nullopt;
    } else if (path == "rotation") {
      target.rotation = in.rotation;
      effect.rotation = true;
    } else if (path == "rotation.next_rotation_time" || path == "rotation.rotation_period") {
      Rotation r = target.rotation.value_or(Rotation{});
      Rotation given = in.rotation.value_or(Rotation{});
      if (path == "rotation.next_rotation_time") {
        r.next_rotation_time = given.next_rotation_time;
      } else {
        r.rotation_period = given.rotation_period;
      }
      target.rotation = r;
      effect.rotation = true;
    } else if (path == "version_aliases") {
      target.version_aliases = in.version_aliases;
      effect.aliases = true;
    } else if (path == "version_destroy_ttl") {
      target.version_destroy_ttl = in.version_destroy_ttl;
    } else if (path == "customer_managed_encryption" ||
               path == "customer_managed_encryption.kms_key_name") {
      target.kms_key_name = in.kms_key_name;
    } else if (kImmutable.count(path) || path.rfind("replication.", 0) == 0) {
      return errors::immutable_field(raw);
    } else {
      return errors::bad_mask_path(raw);
    }
  }
  if (target.rotation && !target.rotation->next_rotation_time && !target.rotation->rotation_period) {
    target.rotation.reset();
  }
  return effect;
}

core::Status validate_secret(const Secret& s, bool regional, bool rotation_written,
                             core::Time now) {
  RETURN_IF_ERROR(validate_replication(s, regional));
  RETURN_IF_ERROR(validate_labels(s));
  RETURN_IF_ERROR(validate_annotations(s));
  RETURN_IF_ERROR(validate_topics(s));
  RETURN_IF_ERROR(validate_rotation(s, rotation_written, now));
  RETURN_IF_ERROR(validate_aliases(s));
  if (s.version_destroy_ttl && (*s.version_destroy_ttl < limits::kMinVersionDestroyTtl ||
                                *s.version_destroy_ttl > limits::kMaxVersionDestroyTtl)) {
    return errors::invalid("version_destroy_ttl must be between 1 day and 1000 days.");
  }
  return Status::ok();
}

bool known_secret_field(const std::string& f) {
  static const std::set<std::string> kFields = {
      "name", "create_time", "expire_time", "labels", "annotations", "topics", "topics.name",
      "replication", "replication.automatic", "replication.user_managed",
      "replication.user_managed.replicas.location", "rotation", "rotation.next_rotation_time",
      "rotation.rotation_period", "version_aliases", "version_destroy_ttl", "etag",
      "secret_type", "customer_managed_encryption.kms_key_name"};
  if (kFields.count(f)) return true;
  for (const char* prefix : {"labels.", "annotations.", "version_aliases."}) {
    if (f.rfind(prefix, 0) == 0 && f.size() > std::string_view(prefix).size()) return true;
  }
  return false;
}

std::vector<std::string> secret_field_values(const Secret& s, const std::string& f) {
  auto keys = [](const auto& map) {
    std::vector<std::string> out;
    for (const auto& [k, v] : map) out.push_back(k);
    return out;
  };
  auto lookup = [&](const auto& map, std::string_view prefix) -> std::vector<std::string> {
    auto it = map.find(f.substr(prefix.size()));
    if (it == map.end()) return {};
    if constexpr (std::is_same_v<std::decay_t<decltype(it->second)>, std::string>) {
      return {it->second};
    } else {
      return {std::to_string(it->second)};
    }
  };
  bool automatic = s.replication.kind == Replication::Kind::kAutomatic;
  bool user_managed = s.replication.kind == Replication::Kind::kUserManaged;
  if (f == "name") return {s.name, s.name.substr(s.name.rfind('/') + 1)};
  if (f == "create_time") return {core::format_rfc3339(s.create_time)};
  if (f == "expire_time") {
    if (!s.expire_time) return {};
    return {core::format_rfc3339(*s.expire_time)};
  }
  if (f == "labels") return keys(s.labels);
  if (f == "annotations") return keys(s.annotations);
  if (f == "version_aliases") return keys(s.version_aliases);
  if (f.rfind("labels.", 0) == 0) return lookup(s.labels, "labels.");
  if (f.rfind("annotations.", 0) == 0) return lookup(s.annotations, "annotations.");
  if (f.rfind("version_aliases.", 0) == 0) return lookup(s.version_aliases, "version_aliases.");
  if (f == "topics" || f == "topics.name") return s.topics;
  if (f == "replication") return {automatic ? "automatic" : user_managed ? "user_managed" : ""};
  if (f == "replication.automatic") return automatic ? std::vector<std::string>{""} : std::vector<std::string>{};
  if (f == "replication.user_managed") return user_managed ? std::vector<std::string>{""} : std::vector<std::string>{};
  if (f == "replication.user_managed.replicas.location") {
    std::vector<std::string> out;
    for (const auto& r : s.replication.replicas) out.push_back(r.location);
    return out;
  }
  if (f == "rotation") return s.rotation ? std::vector<std::string>{""} : std::vector<std::string>{};
  if (f == "rotation.next_rotation_time" && s.rotation && s.rotation->next_rotation_time) {
    return {core::format_rfc3339(*s.rotation->next_rotation_time)};
  }
  if (f == "rotation.rotation_period" && s.rotation && s.rotation->rotation_period) {
    return {core::format_duration(*s.rotation->rotation_period)};
  }
  if (f == "version_destroy_ttl" && s.version_destroy_ttl) {
    return {core::format_duration(*s.version_destroy_ttl)};
  }
  if (f == "etag") return {s.etag};
  if (f == "secret_type" && !s.secret_type.empty()) return {s.secret_type};
  if (f == "customer_managed_encryption.kms_key_name" && !s.kms_key_name.empty()) {
    return {s.kms_key_name};
  }
  return {};
}

bool known_version_field(const std::string& f) {
  static const std::set<std::string> kFields = {
      "name", "state", "create_time", "destroy_time", "scheduled_destroy_time", "etag",
      "client_specified_payload_checksum"};
  return kFields.count(f) > 0;
}

std::vector<std::string> version_field_values(const Version& v, const std::string& f) {
  if (f == "name") return {v.name, std::to_string(v.number)};
  if (f == "state") return {state_name(v.state)};
  if (f == "create_time") return {core::format_rfc3339(v.create_time)};
  if (f == "destroy_time" && v.destroy_time) return {core::format_rfc3339(*v.destroy_time)};
  if (f == "scheduled_destroy_time" && v.scheduled_destroy_time) {
    return {core::format_rfc3339(*v.scheduled_destroy_time)};
  }
  if (f == "etag") return {v.etag};
  if (f == "client_specified_payload_checksum") {
    return {v.client_specified_payload_checksum ? "true" : "false"};
  }
  return {};
}

}  // namespace gcpsim::services::secrets
