// Generates values that validate against a response schema or a JSON Schema.
#include "services/gemini/schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "core/text.h"
#include "services/gemini/text.h"

namespace gcpsim::services::gemini {
namespace {

constexpr int kMaxDepth = 6;  // recursive $refs stop growing here
// Hard stops for schemas no finite or reasonable value satisfies (a required property that
// refers to itself, minItems or minLength in the billions, arrays of arrays of arrays…):
// past them the instance is cut short rather than the engine thread's stack, time or memory
// running out. A response is at most ~10,000 values and ~100 KB of strings, more than any
// maxOutputTokens allows.
constexpr int kHardDepth = 32;
constexpr int64_t kMaxItems = 1000;
constexpr int64_t kMaxLength = 100000;  // one string; kMaxChars bounds them all
constexpr int64_t kMaxValues = 10000;
constexpr int64_t kMaxChars = 100000;
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53: beyond, int64 casts overflow

using core::lower;

std::string two_digits(uint64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// proto3 JSON writes int64 fields as strings; schemas arrive in either form.
std::optional<int64_t> int_field(const Json& s, const char* key) {
  auto it = s.find(key);
  if (it == s.end()) return std::nullopt;
  if (it->is_number_float()) {  // a double past int64's range has no defined conversion
    double d = it->get<double>();
    return d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : static_cast<int64_t>(d);
  }
  if (it->is_number()) return it->get<int64_t>();
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string str_field(const Json& s, const char* key) {
  auto it = s.find(key);
  return it != s.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class Generator {
 public:
  Generator(const Json& root, SchemaDialect dialect, core::Rng& rng) : root_(root), dialect_(dialect), rng_(rng) {}

  Json value(const Json& schema, int depth) {
    if (depth > kHardDepth || values_left_-- <= 0) return Json(nullptr);
    const Json& s = resolve(schema);
    if (!s.is_object()) return Json(words(rng_, 2));
    if (s.contains("const")) return s["const"];
    for (const char* k : {"anyOf", "oneOf", "allOf"}) {
      if (s.contains(k) && s[k].is_array() && !s[k].empty()) return value(first_non_null(s[k]), depth);
    }
    if (s.contains("enum") && s["enum"].is_array() && !s["enum"].empty()) {
      return s["enum"][rng_.below(s["enum"].size())];
    }
    std::string type = type_of(s);
    if (type == "object") return object(s, depth);
    if (type == "array") return array(s, depth);
    if (type == "integer") return integer(s);
    if (type == "number") return number(s);
    if (type == "boolean") return Json(rng_.below(2) == 1);
    if (type == "null") return Json(nullptr);
    return string(s);
  }

 private:
  // Local references only ("#/$defs/Item"); anything else is taken as it stands.
  const Json& resolve(const Json& s, int hops = 0) {
    if (hops > 16 || !s.is_object()) return s;
    std::string ref = str_field(s, "$ref");
    if (ref.empty() || ref[0] != '#') return s;
    try {
      return resolve(root_.at(Json::json_pointer(ref.substr(1))), hops + 1);
    } catch (const std::exception&) {
      return s;
    }
  }

  const Json& first_non_null(const Json& options) {
    for (const auto& o : options) {
      if (type_of(resolve(o)) != "null") return o;
    }
    return options[0];
  }

  std::string type_of(const Json& s) {
    if (!s.is_object()) return "string";
    const Json& t = s.contains("type") ? s["type"] : Json();
    if (t.is_string()) return lower(t.get<std::string>());
    if (t.is_array()) {
      for (const auto& x : t) {
        if (x.is_string() && lower(x.get<std::string>()) != "null") return lower(x.get<std::string>());
      }
      if (!t.empty()) return "null";
    }
    if (s.contains("properties")) return "object";
    if (s.contains("items")) return "array";
    return "string";
  }

  std::vector<std::string> property_order(const Json& s) {
    std::vector<std::string> names;
    if (s.contains("propertyOrdering") && s["propertyOrdering"].is_array()) {
      for (const auto& n : s["propertyOrdering"]) {
        if (n.is_string() && s["properties"].contains(n.get<std::string>())) names.push_back(n.get<std::string>());
      }
    }
    for (const auto& [name, _] : s["properties"].items()) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    // Without an explicit ordering the API emits OpenAPI properties alphabetically; JSON
    // Schema keeps the schema's own order.
    if (dialect_ == SchemaDialect::kOpenApi && !s.contains("propertyOrdering")) std::sort(names.begin(), names.end());
    return names;
  }

  bool required(const Json& s, const std::string& name) {
    if (!s.contains("required") || !s["required"].is_array()) return false;
    for (const auto& r : s["required"]) {
      if (r == name) return true;
    }
    return false;
  }

  Json object(const Json& s, int depth) {
    Json out = Json::object();
    if (!s.contains("properties") || !s["properties"].is_object()) return out;
    for (const auto& name : property_order(s)) {
      if (depth >= kMaxDepth && !required(s, name)) continue;
      out[name] = value(s["properties"][name], depth + 1);
    }
    return out;
  }

  Json array(const Json& s, int depth) {
    int64_t lo = std::clamp<int64_t>(int_field(s, "minItems").value_or(0), 0, kMaxItems);
    int64_t hi = int_field(s, "maxItems").value_or(lo + 2);
    int64_t n = std::max<int64_t>(lo, std::min<int64_t>(hi, depth >= kMaxDepth ? lo : 1 + static_cast<int64_t>(rng_.below(3))));
    Json out = Json::array();
    Json items = s.contains("items") ? s["items"] : Json::object();
    for (int64_t i = 0; i < n; ++i) out.push_back(value(items, depth + 1));
    return out;
  }

  std::pair<double, double> bounds(const Json& s, double default_lo, double default_hi) {
    auto num = [&](const char* k) -> std::optional<double> {
      if (!s.contains(k) || !s[k].is_number()) return std::nullopt;
      return s[k].get<double>();
    };
    auto lo = num("minimum"), hi = num("maximum");
    if (auto x = num("exclusiveMinimum")) lo = *x + 1e-6;
    if (auto x = num("exclusiveMaximum")) hi = *x - 1e-6;
    double a = lo.value_or(hi ? std::min(default_lo, *hi - (default_hi - default_lo)) : default_lo);
    double b = hi.value_or(a + (default_hi - default_lo));
    return {a, std::max(a, b)};
  }

  Json integer(const Json& s) {
    auto [lo, hi] = bounds(s, 0, 100);
    lo = std::clamp(lo, -kMaxExactInteger, kMaxExactInteger);
    hi = std::clamp(hi, -kMaxExactInteger, kMaxExactInteger);
    int64_t a = static_cast<int64_t>(std::ceil(lo)), b = static_cast<int64_t>(std::floor(hi));
    if (b < a) b = a;
    return Json(a + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(b - a) + 1)));
  }

  Json number(const Json& s) {
    auto [lo, hi] = bounds(s, 0, 100);
    double v = std::round((lo + rng_.uniform() * (hi - lo)) * 100) / 100;
    return Json(std::clamp(v, lo, hi));
  }

  Json string(const Json& s) {
    std::string format = str_field(s, "format");
    std::string out;
    if (format == "date-time") out = date(rng_) + "T" + two_digits(8 + rng_.below(10)) + ":" + two_digits(rng_.below(4) * 15) + ":00Z";
    else if (format == "date") out = date(rng_);
    else if (format == "time") out = two_digits(8 + rng_.below(10)) + ":" + two_digits(rng_.below(4) * 15) + ":00";
    else if (format == "email") out = words(rng_, 1) + "@example.com";
    else if (format == "uri" || format == "url") out = "https://example.com/" + words(rng_, 1);
    else if (format == "uuid") out = uuid();
    else out = words(rng_, 1 + static_cast<int>(rng_.below(4)));
    return Json(fit_length(s, std::move(out)));
  }

  static std::string date(core::Rng& rng) {
    return "2026-" + two_digits(1 + rng.below(12)) + "-" + two_digits(1 + rng.below(28));
  }

  std::string uuid() {
    static const char* kHex = "0123456789abcdef";
    std::string u;
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) u += '-';
      u += i == 12 ? '4' : kHex[rng_.below(16)];
    }
    return u;
  }

  std::string fit_length(const Json& s, std::string out) {
    if (auto min = int_field(s, "minLength")) {
      int64_t want = std::min({*min, kMaxLength, chars_left_});
      while (static_cast<int64_t>(out.size()) < want) out += " " + words(rng_, 1);
    }
    if (auto max = int_field(s, "maxLength"); max && *max >= 0 && static_cast<int64_t>(out.size()) > *max) {
      out.resize(static_cast<size_t>(*max));
    }
    chars_left_ -= static_cast<int64_t>(out.size());
    return out;
  }

  int64_t values_left_ = kMaxValues;
  int64_t chars_left_ = kMaxChars;
  const Json& root_;
  SchemaDialect dialect_;
  core::Rng& rng_;
};

}  // namespace

core::Status check_schema(const Json& schema, SchemaDialect dialect, const std::string& field) {
  if (dialect != SchemaDialect::kOpenApi || !schema.is_object()) return core::Status::ok();
  std::string type = str_field(schema, "type");
  if (type == "ARRAY" && !schema.contains("items")) {
    return core::Status::invalid_argument("* GenerateContentRequest." + field + ".items: missing field.\n");
  }
  if (type == "OBJECT" && (!schema.contains("properties") || schema["properties"].empty())) {
    return core::Status::invalid_argument("* GenerateContentRequest." + field +
                                          ".properties: should be non-empty for OBJECT type\n");
  }
  if (schema.contains("items")) RETURN_IF_ERROR(check_schema(schema["items"], dialect, field + ".items"));
  if (schema.contains("properties") && schema["properties"].is_object()) {
    for (const auto& [name, sub] : schema["properties"].items()) {
      RETURN_IF_ERROR(check_schema(sub, dialect, field + ".properties[" + name + "].value"));
    }
  }
  return core::Status::ok();
}

Json instance_of(const Json& schema, SchemaDialect dialect, core::Rng& rng) {
  Generator g(schema, dialect, rng);
  return g.value(schema, 0);
}

}  // namespace gcpsim::services::gemini
