// JSON subset matching with matcher objects, and the rendering of differences.
#include "harness/match.h"

#include <algorithm>
#include <regex>

#include "harness/vars.h"

namespace gcpsim::harness {
namespace {

const std::vector<std::string>& matcher_keys() {
  static const std::vector<std::string> kKeys = {"any", "regex", "gt", "gte", "lt", "lte", "contains", "absent"};
  return kKeys;
}

std::string join_path(const std::string& base, const std::string& key) { return base.empty() ? key : base + "." + key; }

std::string describe_matcher(const Json& m) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : " and ") + s; };
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string& k = it.key();
    if (k == "any") add("any value");
    else if (k == "regex") add("matching /" + as_text(it.value()) + "/");
    else if (k == "absent") add(it.value() == true ? "absent" : "present");
    else if (k == "contains") add("containing " + show(it.value()));
    else add((k == "gt" ? "> " : k == "gte" ? ">= " : k == "lt" ? "< " : "<= ") + show(it.value()));
  }
  return out;
}

bool compare(const std::string& op, double a, double b) {
  if (op == "gt") return a > b;
  if (op == "gte") return a >= b;
  if (op == "lt") return a < b;
  return a <= b;
}

bool contains(const Json& expected, const Json& actual) {
  if (actual.is_string() && expected.is_string()) {
    return actual.get<std::string>().find(expected.get<std::string>()) != std::string::npos;
  }
  if (!actual.is_array()) return false;
  for (const auto& item : actual) {
    std::vector<Mismatch> ms;
    match(expected, item, true, "", ms);
    if (ms.empty()) return true;
  }
  return false;
}

// One matcher condition against a present or missing value.
bool holds(const std::string& key, const Json& arg, const Json& actual, bool present) {
  if (key == "absent") return arg == true ? !present : present;
  if (!present) return false;
  if (key == "any") return true;
  if (key == "regex") {
    std::string text = actual.is_string() ? actual.get<std::string>() : actual.dump();
    try {
      return std::regex_search(text, std::regex(as_text(arg)));
    } catch (const std::regex_error&) {
      return false;
    }
  }
  if (key == "contains") return contains(arg, actual);
  if (!actual.is_number() || !arg.is_number()) return false;
  return compare(key, actual.get<double>(), arg.get<double>());
}

void match_object(const Json& expected, const Json& actual, const std::string& path, std::vector<Mismatch>& out) {
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    bool has = actual.contains(it.key());
    match(it.value(), has ? actual[it.key()] : Json(), has, join_path(path, it.key()), out);
  }
}

void match_array(const Json& expected, const Json& actual, const std::string& path, std::vector<Mismatch>& out) {
  if (expected.size() != actual.size()) {
    out.push_back({path, std::to_string(expected.size()) + " items " + show(expected),
                   std::to_string(actual.size()) + " items " + show(actual)});
    return;
  }
  for (size_t i = 0; i < expected.size(); ++i) match(expected[i], actual[i], true, path + "[" + std::to_string(i) + "]", out);
}

}  // namespace

bool is_matcher(const Json& j) {
  if (!j.is_object() || j.empty()) return false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(matcher_keys().begin(), matcher_keys().end(), it.key()) == matcher_keys().end()) return false;
  }
  return true;
}

void match(const Json& expected, const Json& actual, bool present, const std::string& path, std::vector<Mismatch>& out) {
  if (is_matcher(expected)) {
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      if (!holds(it.key(), it.value(), actual, present)) {
        out.push_back({path, describe_matcher(expected), present ? show(actual) : "missing"});
        return;
      }
    }
    return;
  }
  if (!present) {
    out.push_back({path, show(expected), "missing"});
    return;
  }
  if (expected.is_object() && actual.is_object()) return match_object(expected, actual, path, out);
  if (expected.is_array() && actual.is_array()) return match_array(expected, actual, path, out);
  bool equal = expected.is_number() && actual.is_number() ? expected.get<double>() == actual.get<double>() : expected == actual;
  if (!equal) out.push_back({path, show(expected), show(actual)});
}

std::string headline(const Mismatch& m) {
  return "expected " + (m.path.empty() ? "" : m.path + " ") + m.expected + ", got " + m.actual;
}

std::string render_diff(const std::vector<Mismatch>& ms) {
  std::string out;
  for (const auto& m : ms) {
    out += "  " + (m.path.empty() ? std::string("value") : m.path) + ":\n";
    out += "    - expected " + m.expected + "\n";
    out += "    + actual   " + m.actual + "\n";
  }
  return out;
}

std::string show(const Json& j, size_t limit) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > limit) s = s.substr(0, limit) + "…";
  return s;
}

}  // namespace gcpsim::harness
