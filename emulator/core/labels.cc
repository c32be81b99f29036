#include "core/labels.h"

namespace gcpsim::core {
namespace {

bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }
// Bytes of multi-byte UTF-8 characters stand in for the Unicode letters labels allow.
bool unicode(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool label_char(char c) { return lower(c) || digit(c) || c == '_' || c == '-' || unicode(c); }

}  // namespace

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool valid_label_key(std::string_view k) {
  if (k.empty() || utf8_length(k) > kMaxLabelLength || k.size() > 128) return false;
  if (!lower(k[0]) && !unicode(k[0])) return false;
  for (char c : k) {
    if (!label_char(c)) return false;
  }
  return true;
}

bool valid_label_value(std::string_view v) {
  if (utf8_length(v) > kMaxLabelLength || v.size() > 128) return false;
  for (char c : v) {
    if (!label_char(c)) return false;
  }
  return true;
}

}  // namespace gcpsim::core
