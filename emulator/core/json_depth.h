// How deeply a JSON text nests arrays and objects, read without parsing it. Request readers
// refuse bodies nested deeper than Google's JSON front end accepts (100 levels, as protobuf's
// JSON mapping) before anything recursive (a schema walk, a dump) can overflow the stack.
#pragma once
#include <cstddef>
#include <string_view>

namespace gcpsim::core {

constexpr size_t kMaxJsonDepth = 100;

inline bool json_depth_within(std::string_view text, size_t max = kMaxJsonDepth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace gcpsim::core
