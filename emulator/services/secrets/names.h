// Secret Manager resource names: parsing, validation and printing of
// projects/{p}[/locations/{l}]/secrets/{s}[/versions/{v}].
#pragma once
#include <string>
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::secrets {

// projects/{p} or projects/{p}/locations/{l}: where secrets live.
struct ParentName {
  std::string project;
  std::string location;  // empty for global secrets
  std::string str() const;
  static core::StatusOr<ParentName> parse(std::string_view text);
};

struct SecretName {
  std::string project;
  std::string location;  // empty for global secrets
  std::string secret;
  ParentName parent() const { return {project, location}; }
  std::string str() const;
  static core::StatusOr<SecretName> parse(std::string_view text);
};

struct VersionName {
  SecretName secret;
  std::string version;  // "latest", a positive number, or an alias
  std::string str() const { return secret.str() + "/versions/" + version; }
  static core::StatusOr<VersionName> parse(std::string_view text);
};

// 1–255 of [A-Za-z0-9_-].
bool valid_secret_id(std::string_view id);
// Starts with a letter, then up to 62 of [A-Za-z0-9_-]; never "latest" or "NEW".
bool valid_alias(std::string_view alias);
// A version number as written in a name ("3"), or 0 when the text is not one.
int64_t version_number(std::string_view text);

}  // namespace gcpsim::services::secrets
