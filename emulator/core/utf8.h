// UTF-8 validation: what every reader of names, paths and JSON text checks before the bytes
// reach a JSON writer (nlohmann's dump throws on invalid UTF-8) or a resource name.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gcpsim::core {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one. Overlong
// forms, surrogates and values past U+10FFFF are not valid UTF-8.
inline size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) { n = 2; min = 0x80; }
  else if ((c & 0xf0) == 0xe0) { n = 3; min = 0x800; }
  else if ((c & 0xf8) == 0xf0) { n = 4; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

inline bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Where `text` stops being what YAML reads: the 1-based line of the first byte that is not
// UTF-8 or is a control character YAML does not allow (C0 but tab, LF and CR; DEL), with
// why; line 0 when it is all fine. yaml-cpp itself turns such bytes into others (a NUL
// into 0xA0), which then break every JSON writer.
struct TextFault {
  size_t line = 0;
  std::string why;
};
inline TextFault yaml_text_fault(std::string_view text) {
  size_t line = 1;
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_length(text, i);
    if (n == 0) return {line, "not valid UTF-8 (YAML files are UTF-8 text)"};
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      static const char* kHex = "0123456789ABCDEF";
      return {line, std::string("a control character (0x") + kHex[c >> 4] + kHex[c & 15] + ") is not allowed in YAML"};
    }
    line += c == '\n';
    i += n;
  }
  return {};
}

}  // namespace gcpsim::core
