// A backtracking matcher for matchGlob patterns, one UTF-8 character at a time.
#include "services/storage/glob.h"

#include <string>
#include <vector>

namespace gcpsim::services::storage {
namespace {

// Backtracking over several '*' or '{…}' is exponential in the worst case ("*a*a*a*a*b"
// against a long name): past this many steps a name counts as not matching, so one listing
// cannot hold the engine thread for minutes.
constexpr long kMatchSteps = 100000;

size_t char_len(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  return i + n <= s.size() ? n : 1;
}

// Matches a bracket expression at p[0] == '[' against one character; sets `end` past ']'.
bool match_class(std::string_view p, std::string_view c, size_t& end) {
  size_t i = 1;
  bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
  if (negate) ++i;
  bool hit = false;
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    size_t n = char_len(p, i);
    std::string_view lo = p.substr(i, n);
    i += n;
    if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
      size_t m = char_len(p, i + 1);
      std::string_view hi = p.substr(i + 1, m);
      i += 1 + m;
      if (c >= lo && c <= hi) hit = true;
    } else if (c == lo) {
      hit = true;
    }
  }
  end = i + 1;
  return hit != negate;
}

// The alternatives of a brace group at p[0] == '{'; sets `end` past the matching '}'.
std::vector<std::string_view> alternatives(std::string_view p, size_t& end) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 1;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '{') ++depth;
    if (p[i] == '}' && --depth == 0) {
      out.push_back(p.substr(start, i - start));
      end = i + 1;
      return out;
    }
    if (p[i] == ',' && depth == 1) {
      out.push_back(p.substr(start, i - start));
      start = i + 1;
    }
  }
  end = p.size();
  return out;
}

bool match(std::string_view p, std::string_view s, long& budget) {
  if (--budget < 0) return false;  // see kMatchSteps
  while (!p.empty()) {
    if (p.substr(0, 2) == "**") {
      std::string_view rest = p.substr(2);
      if (!rest.empty() && rest[0] == '/' && match(rest.substr(1), s, budget)) return true;
      for (size_t i = 0; i <= s.size(); ++i)
        if (match(rest, s.substr(i), budget)) return true;
      return false;
    }
    if (p[0] == '*') {
      for (size_t i = 0; i <= s.size(); ++i) {
        if (match(p.substr(1), s.substr(i), budget)) return true;
        if (i < s.size() && s[i] == '/') return false;
      }
      return false;
    }
    if (p[0] == '{') {
      size_t end = 0;
      auto alts = alternatives(p, end);
      for (auto a : alts)
        if (match(std::string(a) + std::string(p.substr(end)), s, budget)) return true;
      return false;
    }
    if (s.empty()) return false;
    size_t n = char_len(s, 0);
    if (p[0] == '?') {
      if (s[0] == '/') return false;
      p.remove_prefix(1);
    } else if (p[0] == '[') {
      size_t end = 0;
      if (!match_class(p, s.substr(0, n), end)) return false;
      p.remove_prefix(end);
    } else {
      if (p[0] == '\\' && p.size() > 1) p.remove_prefix(1);
      size_t m = char_len(p, 0);
      if (p.substr(0, m) != s.substr(0, n)) return false;
      p.remove_prefix(m);
    }
    s.remove_prefix(n);
  }
  return s.empty();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view name) {
  long budget = kMatchSteps;
  return match(pattern, name, budget);
}

bool glob_valid(std::string_view pattern) {
  // No object name is longer (1024 bytes); a longer pattern only deepens the recursion.
  if (pattern.size() > 1024) return false;
  int braces = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      size_t close = pattern.find(']', i + 2);
      if (close == std::string_view::npos) return false;
      i = close;
    } else if (c == '{') {
      ++braces;
    } else if (c == '}' && --braces < 0) {
      return false;
    }
  }
  return braces == 0;
}

}  // namespace gcpsim::services::storage
