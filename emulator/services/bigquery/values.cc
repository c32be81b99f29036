// REST JSON ⇄ stored values ⇄ SQLite cells, per BigQuery type.
#include "services/bigquery/values.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "services/bigquery/civil.h"
#include "services/bigquery/errors.h"

namespace gcpsim::services::bigquery {
namespace {

core::Status bad(const std::string& location, const std::string& what, const Json& v) {
  std::string shown = v.is_string() ? v.get<std::string>() : v.dump();
  return errors::invalid("Cannot convert value to " + what + " (bad value): " + shown + (location.empty() ? "" : " at " + location));
}

std::optional<int64_t> int_of_text(const std::string& s) {
  int64_t out = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (b != e && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, out);
  if (ec != std::errc() || p != e) return std::nullopt;
  return out;
}

std::optional<double> double_of_text(const std::string& s) {
  if (s == "NaN") return NAN;
  if (s == "Infinity" || s == "inf" || s == "+inf") return INFINITY;
  if (s == "-Infinity" || s == "-inf") return -INFINITY;
  double out = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

core::StatusOr<Json> scalar_json(const Field& f, const Json& v, const std::string& loc) {
  switch (f.kind) {
    case Kind::kInt64:
      if (v.is_number_integer()) return Json(v.get<int64_t>());
      if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) return Json(int64_t(v.get<double>()));
      if (v.is_string()) if (auto i = int_of_text(v.get<std::string>())) return Json(*i);
      return bad(loc, "integer", v);
    case Kind::kFloat64:
      if (v.is_number()) return Json(v.get<double>());
      if (v.is_string()) if (auto d = double_of_text(v.get<std::string>())) return Json(*d);
      return bad(loc, "float", v);
    case Kind::kNumeric: case Kind::kBigNumeric:
      if (v.is_number_integer()) return Json(v.get<int64_t>());
      if (v.is_number()) return Json(v.get<double>());
      if (v.is_string()) {
        std::string s = v.get<std::string>();
        if (auto i = int_of_text(s)) return Json(*i);
        if (auto d = double_of_text(s); d && std::isfinite(*d)) return Json(*d);
      }
      return bad(loc, f.kind == Kind::kNumeric ? "numeric" : "bignumeric", v);
    case Kind::kBool:
      if (v.is_boolean()) return Json(v.get<bool>() ? 1 : 0);
      if (v.is_string()) {
        std::string s = upper(v.get<std::string>());
        if (s == "TRUE" || s == "1") return Json(1);
        if (s == "FALSE" || s == "0") return Json(0);
      }
      if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) return Json(v.get<int64_t>());
      return bad(loc, "boolean", v);
    case Kind::kTimestamp:
      if (v.is_number()) return Json(int64_t(std::llround(v.get<double>() * 1e6)));
      if (v.is_string()) {
        std::string s = v.get<std::string>();
        if (auto t = civil::parse_timestamp(s)) return Json(*t);
        if (auto d = double_of_text(s); d && std::isfinite(*d)) return Json(int64_t(std::llround(*d * 1e6)));
      }
      return bad(loc, "timestamp", v);
    case Kind::kDate:
      if (v.is_string()) if (auto d = civil::normal_date(v.get<std::string>())) return Json(*d);
      return bad(loc, "date", v);
    case Kind::kTime:
      if (v.is_string()) if (auto d = civil::normal_time(v.get<std::string>())) return Json(*d);
      return bad(loc, "time", v);
    case Kind::kDatetime:
      if (v.is_string()) if (auto d = civil::normal_datetime(v.get<std::string>())) return Json(*d);
      return bad(loc, "datetime", v);
    case Kind::kBytes:
      if (v.is_string() && base64_decode(v.get<std::string>())) return v;
      return bad(loc, "bytes", v);
    case Kind::kJson:
      if (v.is_string()) {
        auto parsed = Json::parse(v.get<std::string>(), nullptr, false);
        if (parsed.is_discarded()) return bad(loc, "JSON", v);
        return Json(parsed.dump());
      }
      return Json(v.dump());
    case Kind::kString: case Kind::kGeography:
      if (v.is_string()) return v;
      if (v.is_number() || v.is_boolean()) return Json(v.dump());
      return bad(loc, "string", v);
    default:
      return bad(loc, sql_name(f.kind), v);
  }
}

core::StatusOr<Json> element_json(const Field& f, const Json& v, bool ignore_unknown, const std::string& loc) {
  if (!f.is_struct()) return scalar_json(f, v, loc);
  if (!v.is_object()) return errors::invalid("This field: " + loc + " is not a record.");
  Json out = Json::object();
  for (const auto& sub : f.fields) {
    auto it = v.find(sub.name);
    Json value = it == v.end() ? Json() : *it;
    ASSIGN_OR_RETURN(Json stored, stored_json(sub, value, ignore_unknown, loc + "." + sub.name));
    out[sub.name] = std::move(stored);
  }
  if (!ignore_unknown)
    for (auto it = v.begin(); it != v.end(); ++it)
      if (!f.find(it.key())) return errors::invalid("no such field: " + it.key() + ".");
  return out;
}

}  // namespace

core::StatusOr<Json> stored_json(const Field& f, const Json& v, bool ignore_unknown, const std::string& loc) {
  if (f.repeated()) {
    if (v.is_null()) return Json::array();
    if (!v.is_array()) return errors::invalid("Field " + loc + " is repeated: expected an array.");
    Json out = Json::array();
    Field el = f.element();
    for (const auto& e : v) {
      if (e.is_null()) return errors::invalid("Field " + loc + ": NULL values cannot be written to an ARRAY.");
      ASSIGN_OR_RETURN(Json s, element_json(el, e, ignore_unknown, loc));
      out.push_back(std::move(s));
    }
    return out;
  }
  if (v.is_null()) {
    if (f.mode == "REQUIRED") return errors::invalid("Missing required field: " + loc + ".");
    return Json();
  }
  if (v.is_array()) return errors::invalid("Array specified for non-repeated field: " + loc + ".");
  return element_json(f, v, ignore_unknown, loc);
}

Cell cell_of(const Field& f, const Json& s) {
  if (s.is_null()) return {};
  if (f.repeated() || f.is_struct()) return {s.dump()};
  if (s.is_number_integer()) return {s.get<int64_t>()};
  if (s.is_number()) return {s.get<double>()};
  if (s.is_boolean()) return {int64_t(s.get<bool>())};
  if (s.is_string()) return {s.get<std::string>()};
  return {s.dump()};
}

Json json_of_cell(const Field& f, const Cell& c) {
  if (c.null()) return f.repeated() ? Json::array() : Json();
  if (f.repeated() || f.is_struct()) {
    auto* text = std::get_if<std::string>(&c.v);
    if (!text) return Json();
    auto parsed = Json::parse(*text, nullptr, false);
    return parsed.is_discarded() ? Json() : parsed;
  }
  if (auto* i = std::get_if<int64_t>(&c.v)) {
    if (f.kind == Kind::kFloat64) return Json(double(*i));
    if (f.kind == Kind::kString || f.kind == Kind::kJson) return Json(std::to_string(*i));
    return Json(*i);
  }
  if (auto* d = std::get_if<double>(&c.v)) {
    if (f.kind == Kind::kInt64 || f.kind == Kind::kTimestamp || f.kind == Kind::kBool) return Json(int64_t(std::llround(*d)));
    if (f.kind == Kind::kString) return Json(java_double(*d));
    return Json(*d);
  }
  return Json(std::get<std::string>(c.v));
}

std::string java_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  double a = std::fabs(d);
  if (a >= 1e-3 && a < 1e7) {
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    std::string s(buf, p);
    if (s.find('.') == std::string::npos) s += ".0";
    return s;
  }
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string s(buf, p);  // "1.5e+10"
  size_t e = s.find('e');
  std::string mant = s.substr(0, e);
  if (mant.find('.') == std::string::npos) mant += ".0";
  int exp = std::stoi(s.substr(e + 1));
  return mant + "E" + std::to_string(exp);
}

namespace {

// NUMERIC prints as a plain decimal ("123.456", "1E-9" never): up to 9 fractional digits.
std::string numeric_text(const Json& s) {
  if (s.is_number_integer()) return std::to_string(s.get<int64_t>());
  double d = s.get<double>();
  if (std::floor(d) == d && std::fabs(d) < 9.2e18) return std::to_string(int64_t(d));
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  std::string out(buf, p);
  auto dot = out.find('.');
  if (dot != std::string::npos && out.size() - dot - 1 > 9) {
    std::snprintf(buf, sizeof buf, "%.9f", d);
    out = buf;
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

Json scalar_text(const Field& f, const Json& s, TsFormat ts) {
  switch (f.kind) {
    case Kind::kInt64: return s.is_number() ? Json(std::to_string(s.get<int64_t>())) : s;
    case Kind::kFloat64: return s.is_number() ? Json(java_double(s.get<double>())) : s;
    case Kind::kNumeric: case Kind::kBigNumeric: return s.is_number() ? Json(numeric_text(s)) : s;
    case Kind::kBool:
      if (s.is_boolean()) return Json(s.get<bool>() ? "true" : "false");
      return s.is_number() ? Json(s.get<double>() != 0 ? "true" : "false") : s;
    case Kind::kTimestamp: {
      if (!s.is_number()) return s;
      int64_t us = s.is_number_integer() ? s.get<int64_t>() : int64_t(std::llround(s.get<double>()));
      if (ts == TsFormat::kInt64Micros) return Json(std::to_string(us));
      if (ts == TsFormat::kIso) return Json(civil::timestamp_iso(us));
      return Json(java_double(double(us) / 1e6));
    }
    default:
      if (s.is_string()) return s;
      return Json(s.dump());
  }
}

}  // namespace

Json encode(const Field& f, const Json& s, TsFormat ts) {
  if (f.repeated()) {
    Json arr = Json::array();
    Field el = f.element();
    if (s.is_array())
      for (const auto& e : s) arr.push_back(Json{{"v", encode(el, e, ts)}});
    return arr;
  }
  if (s.is_null()) return Json();
  if (f.is_struct()) {
    Json cells = Json::array();
    for (const auto& sub : f.fields) {
      auto it = s.is_object() ? s.find(sub.name) : s.end();
      cells.push_back(Json{{"v", encode(sub, it == s.end() ? Json() : *it, ts)}});
    }
    return Json{{"f", cells}};
  }
  return scalar_text(f, s, ts);
}

Json plain(const Field& f, const Json& s) {
  if (f.repeated()) {
    Json arr = Json::array();
    if (s.is_array())
      for (const auto& e : s) arr.push_back(plain(f.element(), e));
    return arr;
  }
  if (s.is_null()) return Json();
  if (f.is_struct()) {
    Json out = Json::object();
    for (const auto& sub : f.fields) {
      auto it = s.is_object() ? s.find(sub.name) : s.end();
      out[sub.name] = plain(sub, it == s.end() ? Json() : *it);
    }
    return out;
  }
  switch (f.kind) {
    case Kind::kInt64: case Kind::kFloat64: return s;
    case Kind::kBool: return Json(s.is_number() ? s.get<double>() != 0 : s.is_boolean() && s.get<bool>());
    case Kind::kTimestamp:
      if (!s.is_number()) return s;
      {
        std::string t = civil::timestamp_string(s.get<int64_t>());
        return Json(t.substr(0, t.size() - 3) + " UTC");
      }
    case Kind::kJson: {
      auto parsed = s.is_string() ? Json::parse(s.get<std::string>(), nullptr, false) : s;
      return parsed.is_discarded() ? s : parsed;
    }
    default: return scalar_text(f, s, TsFormat::kFloatSeconds);
  }
}

core::StatusOr<Json> parse_text(const Field& f, const std::string& text, const std::string& location) {
  if (f.kind == Kind::kString || f.kind == Kind::kGeography || f.kind == Kind::kBytes) return stored_json(f, Json(text), false, location);
  if (f.kind == Kind::kJson) return stored_json(f, Json(text), false, location);
  return stored_json(f, Json(text), false, location);
}

std::string base64_encode(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {k[n >> 18], k[(n >> 12) & 63], k[(n >> 6) & 63], k[n & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += {k[n >> 18], k[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {k[n >> 18], k[(n >> 12) & 63], k[(n >> 6) & 63], '='};
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=') { ++pad; continue; }
    else return std::nullopt;
    if (pad) return std::nullopt;
    buf = (buf << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buf >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace gcpsim::services::bigquery
