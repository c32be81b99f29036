// Rules on a secret's settable fields: validation against the documented limits, update
// masks, and the field values list filters see.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "services/secrets/domain.h"

namespace gcpsim::services::secrets {

// "versionAliases" → "version_aliases"; map keys after labels/annotations/version_aliases
// stay as written ("labels.appName").
std::string snake_case_path(std::string_view path);

// What an update mask changed, beyond the fields themselves.
struct MaskEffect {
  bool rotation = false;  // the rotation policy was written
  bool topics = false;
  bool aliases = false;
};

// Applies the masked fields of `in` onto `target`; `now` turns a ttl into an expire_time.
core::StatusOr<MaskEffect> apply_mask(Secret& target, const SecretFields& in,
                                      const std::vector<std::string>& mask, core::Time now);

// Every rule a stored secret obeys that needs nothing but the secret and the time; the
// rotation times are checked only when the rotation policy was just written.
core::Status validate_secret(const Secret& s, bool regional, bool rotation_written,
                             core::Time now);

bool known_secret_field(const std::string& field);
std::vector<std::string> secret_field_values(const Secret& s, const std::string& field);
bool known_version_field(const std::string& field);
std::vector<std::string> version_field_values(const Version& v, const std::string& field);

}  // namespace gcpsim::services::secrets
