// Typed reads of the stack file's YAML nodes, each error naming the line and dotted key.
#include "core/stack_yaml.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace gcpsim::core::stackfile {
namespace {

int line_of(const YAML::Node& n, int fallback) {
  // yaml-cpp marks an empty value at the next token, which may sit lines below its key.
  if (!n.IsDefined() || n.IsNull() || n.Mark().line < 0) return fallback;
  return n.Mark().line + 1;
}

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

std::string sub_path(const Field& parent, const std::string& key) {
  return parent.path.empty() ? key : parent.path + "." + key;
}

std::string at(const Field& f, const std::string& message) {
  return f.path.empty() ? "the stack file: " + message : f.path + ": " + message;
}

// "31d", "10m", "100ms": range bounds written as a user would write them.
std::string human(Duration d) {
  struct Unit { Duration size; const char* suffix; };
  static const Unit kUnits[] = {{24h, "d"}, {1h, "h"}, {1min, "m"}, {1s, "s"}, {1ms, "ms"}};
  for (const auto& u : kUnits) {
    if (d.count() != 0 && d % u.size == Duration::zero()) return std::to_string(d / u.size) + u.suffix;
  }
  return format_duration(d);
}

nlohmann::ordered_json to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    auto obj = nlohmann::ordered_json::object();
    for (auto it = n.begin(); it != n.end(); ++it) obj[it->first.Scalar()] = to_json(it->second);
    return obj;
  }
  if (n.IsSequence()) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& item : n) arr.push_back(to_json(item));
    return arr;
  }
  if (!n.IsScalar()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() == "!" || s.empty()) return s;  // quoted: a string whatever it looks like
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);  // from_chars takes no '+'
  const char* end = s.data() + s.size();
  if (std::regex_match(s, kInt)) {
    int64_t v = 0;
    if (std::from_chars(begin, end, v).ec == std::errc()) return v;
  }
  if (std::regex_match(s, kFloat)) {
    double v = 0;
    if (std::from_chars(begin, end, v).ec == std::errc()) return v;
  }
  return s;
}

}  // namespace

void fail(int line, std::string message) { throw StackError{line, std::move(message)}; }
void fail(const Field& f, const std::string& message) { fail(f.line, at(f, message)); }
void fail_under(const Field& f, const std::string& message) { fail(f.key_line, at(f, message)); }

Map::Map(const Field& f, const std::vector<std::string_view>& allowed) : field_(f) {
  if (f.node.IsNull()) return;
  if (!f.node.IsMap()) fail(f, "expected a mapping, got " + describe(f.node));
  for (auto it = f.node.begin(); it != f.node.end(); ++it) {
    int line = line_of(it->first, f.line);
    if (!it->first.IsScalar()) fail(line, "keys must be plain names " + where());
    const std::string& key = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      fail(line, "unknown key '" + key + "' " + where() + " (expected one of: " + join(allowed) + ")");
    }
    Field child{it->second, sub_path(f, key), line_of(it->second, line), line};
    if (!fields_.emplace(key, child).second) fail(line, "duplicate key '" + key + "' " + where());
  }
}

std::optional<Field> Map::get(const std::string& key) const {
  auto it = fields_.find(key);
  if (it == fields_.end()) return std::nullopt;
  return it->second;
}

Field Map::require(const std::string& key) const {
  if (auto f = get(key)) return *f;
  fail_under(field_, "missing required key '" + key + "'");
}

std::string Map::where() const { return field_.path.empty() ? "at top level" : "in " + field_.path; }

std::vector<std::pair<std::string, Field>> entries(const Field& f) {
  std::vector<std::pair<std::string, Field>> out;
  if (f.node.IsNull()) return out;
  if (!f.node.IsMap()) fail(f, "expected a mapping, got " + describe(f.node));
  std::set<std::string> seen;
  for (auto it = f.node.begin(); it != f.node.end(); ++it) {
    int line = line_of(it->first, f.line);
    if (!it->first.IsScalar()) fail(line, "keys must be plain names in " + f.path);
    const std::string& name = it->first.Scalar();
    if (!seen.insert(name).second) fail(line, "duplicate key '" + name + "' in " + f.path);
    out.emplace_back(name, Field{it->second, sub_path(f, name), line_of(it->second, line), line});
  }
  return out;
}

std::vector<Field> items(const Field& f) {
  std::vector<Field> out;
  if (f.node.IsNull()) return out;
  if (!f.node.IsSequence()) fail(f, "expected a list, got " + describe(f.node));
  for (size_t i = 0; i < f.node.size(); ++i) {
    YAML::Node n = f.node[i];
    int line = line_of(n, f.line);
    out.push_back({n, f.path + "[" + std::to_string(i) + "]", line, line});
  }
  return out;
}

std::string describe(const YAML::Node& n) {
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  return "nothing";
}

std::string text(const Field& f) {
  if (!f.node.IsScalar()) fail(f, "expected a string, got " + describe(f.node));
  return f.node.Scalar();
}

int64_t integer(const Field& f, int64_t lo, int64_t hi) {
  if (!f.node.IsScalar()) fail(f, "expected an integer, got " + describe(f.node));
  const std::string& s = f.node.Scalar();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) fail(f, "expected an integer, got '" + s + "'");
  if (v < lo || v > hi) {
    fail(f, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + s);
  }
  return v;
}

int small_int(const Field& f, int lo, int hi) { return static_cast<int>(integer(f, lo, hi)); }

double number(const Field& f, double lo, double hi) {
  if (!f.node.IsScalar()) fail(f, "expected a number, got " + describe(f.node));
  const std::string& s = f.node.Scalar();
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) fail(f, "expected a number, got '" + s + "'");
  if (v < lo || v > hi) {
    std::ostringstream m;
    m << "must be between " << lo << " and " << hi << ", got " << s;
    fail(f, m.str());
  }
  return v;
}

bool boolean(const Field& f) {
  std::string s = f.node.IsScalar() ? f.node.Scalar() : "";
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  fail(f, "expected true or false, got " + describe(f.node));
}

Duration duration(const Field& f, Duration lo, Duration hi) {
  std::string s = f.node.IsScalar() ? f.node.Scalar() : "";
  auto d = parse_duration(s);
  if (!d) fail(f, "expected a duration like '10s' or '5m', got " + describe(f.node));
  if (*d < lo || *d > hi) fail(f, "must be between " + human(lo) + " and " + human(hi) + ", got " + s);
  return *d;
}

Time timestamp(const Field& f) {
  auto t = parse_rfc3339(text(f));
  if (!t) fail(f, "expected a timestamp like '2026-01-05T09:00:00Z', got '" + text(f) + "'");
  return *t;
}

std::string one_of(const Field& f, const std::vector<std::string_view>& allowed) {
  std::string s = text(f);
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    fail(f, "expected one of " + join(allowed) + ", got '" + s + "'");
  }
  return s;
}

Code error_code(const Field& f) {
  std::string name = text(f);
  auto code = code_from_name(name);
  if (!code || *code == Code::kOk) {
    fail(f, "unknown error code '" + name +
                "' (expected a canonical code such as UNAVAILABLE or RESOURCE_EXHAUSTED)");
  }
  return *code;
}

std::map<std::string, std::string> string_map(const Field& f) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : entries(f)) out[k] = text(v);
  return out;
}

std::vector<std::string> strings(const Field& f) {
  std::vector<std::string> out;
  for (auto& item : items(f)) out.push_back(text(item));
  return out;
}

std::string json_text(const YAML::Node& n) { return to_json(n).dump(); }

void check_plain_name(const Field& f, const std::string& name, std::string_view extra, size_t max_len) {
  auto allowed = [extra](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
  };
  if (name.empty() || name.size() > max_len || !std::all_of(name.begin(), name.end(), allowed)) {
    fail_under(f, "invalid name '" + name + "': use letters, digits" +
                      (extra.empty() ? std::string() : " and " + std::string(extra)) + ", at most " +
                      std::to_string(max_len) + " characters");
  }
}

}  // namespace gcpsim::core::stackfile
