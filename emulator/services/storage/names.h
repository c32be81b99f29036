// Bucket and object naming rules, as the real service enforces them.
#pragma once
#include <string_view>

#include "core/status.h"

namespace gcpsim::services::storage {

// 3–63 characters (up to 222 with dots, 63 per dot-separated part): lowercase letters, digits,
// '-', '_' and '.', starting and ending with a letter or digit; not an IP address; no "goog"
// prefix and no "google" inside.
core::Status check_bucket_name(std::string_view name);
// 1–1024 bytes of valid UTF-8 without CR or LF; not "." or ".."; not under
// ".well-known/acme-challenge/".
core::Status check_object_name(std::string_view name);

}  // namespace gcpsim::services::storage
