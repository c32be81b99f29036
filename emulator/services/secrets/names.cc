// Parsing of Secret Manager resource names, with the real service's wording for bad ones.
#include "services/secrets/names.h"

#include <vector>

#include "services/secrets/errors.h"
#include "services/secrets/limits.h"

namespace gcpsim::services::secrets {
namespace {

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Project ids, project numbers and domain-scoped ids ("example.com:app").
bool valid_project(std::string_view p) {
  if (p.empty() || p.size() > 100) return false;
  for (char c : p) {
    if (!is_id_char(c) && c != '.' && c != ':') return false;
  }
  return true;
}

bool valid_location(std::string_view l) {
  if (l.empty() || l.size() > 63) return false;
  for (char c : l) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// Splits "projects/p[/locations/l]" off the front; returns how many parts it used, 0 if none.
size_t parse_parent_parts(const std::vector<std::string_view>& parts, ParentName* out) {
  if (parts.size() < 2 || parts[0] != "projects" || !valid_project(parts[1])) return 0;
  out->project = std::string(parts[1]);
  if (parts.size() >= 4 && parts[2] == "locations") {
    if (!valid_location(parts[3])) return 0;
    out->location = std::string(parts[3]);
    return 4;
  }
  return 2;
}

}  // namespace

std::string ParentName::str() const {
  return location.empty() ? "projects/" + project
                          : "projects/" + project + "/locations/" + location;
}

core::StatusOr<ParentName> ParentName::parse(std::string_view text) {
  auto parts = split(text);
  ParentName p;
  size_t used = parse_parent_parts(parts, &p);
  if (used == 0 || used != parts.size()) return errors::bad_parent(text);
  return p;
}

std::string SecretName::str() const { return parent().str() + "/secrets/" + secret; }

core::StatusOr<SecretName> SecretName::parse(std::string_view text) {
  auto parts = split(text);
  ParentName p;
  size_t used = parse_parent_parts(parts, &p);
  if (used == 0 || parts.size() != used + 2 || parts[used] != "secrets" ||
      !valid_secret_id(parts[used + 1])) {
    return errors::bad_secret_name(text);
  }
  return SecretName{p.project, p.location, std::string(parts[used + 1])};
}

core::StatusOr<VersionName> VersionName::parse(std::string_view text) {
  auto parts = split(text);
  ParentName p;
  size_t used = parse_parent_parts(parts, &p);
  if (used == 0 || parts.size() != used + 4 || parts[used] != "secrets" ||
      !valid_secret_id(parts[used + 1]) || parts[used + 2] != "versions") {
    return errors::bad_version_name(text);
  }
  std::string_view v = parts[used + 3];
  if (v != "latest" && version_number(v) == 0 && !valid_alias(v)) {
    return errors::bad_version_name(text);
  }
  return VersionName{{p.project, p.location, std::string(parts[used + 1])}, std::string(v)};
}

bool valid_secret_id(std::string_view id) {
  if (id.empty() || id.size() > limits::kMaxSecretIdLength) return false;
  for (char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

bool valid_alias(std::string_view alias) {
  if (alias.empty() || alias.size() > limits::kMaxAliasLength) return false;
  if (alias == "latest" || alias == "NEW") return false;
  char first = alias[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return false;
  for (char c : alias) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

int64_t version_number(std::string_view text) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return 0;
  int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace gcpsim::services::secrets
