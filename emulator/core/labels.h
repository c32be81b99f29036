// Google Cloud's label rules, shared by every service that stores labels: keys 1–63
// characters starting with a lowercase letter; keys and values only lowercase letters,
// digits, '_' and '-' (international letters allowed); values up to 63 characters.
#pragma once
#include <cstddef>
#include <string_view>

namespace gcpsim::core {

inline constexpr size_t kMaxLabels = 64;
inline constexpr size_t kMaxLabelLength = 63;

size_t utf8_length(std::string_view s);
bool valid_label_key(std::string_view k);
bool valid_label_value(std::string_view v);

}  // namespace gcpsim::core
