// The functions translated queries call (bq_*), registered on the store's SQLite connection:
// GoogleSQL semantics SQLite lacks (casts that fail, date parts, civil time, case-sensitive
// LIKE, arrays as JSON text, division errors). Errors abort the statement with BigQuery's text.
#include <sqlite3.h>

#include <cmath>
#include <regex>

#include "services/bigquery/civil.h"
#include "services/bigquery/schema.h"
#include "services/bigquery/sql.h"
#include "services/bigquery/values.h"

namespace gcpsim::services::bigquery {
namespace {

constexpr unsigned kJsonSubtype = 74;  // 'J': SQLite's JSON subtype

struct Ctx {
  std::function<int64_t()> now;
  uint64_t uuid_counter = 0;
};

std::string text(sqlite3_value* v) {
  const unsigned char* t = sqlite3_value_text(v);
  return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_value_bytes(v))) : std::string();
}
bool null(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }
void result(sqlite3_context* c, const std::string& s) { sqlite3_result_text(c, s.data(), int(s.size()), SQLITE_TRANSIENT); }
void result_json(sqlite3_context* c, const std::string& s) {
  result(c, s);
  sqlite3_result_subtype(c, kJsonSubtype);
}
void fail(sqlite3_context* c, const std::string& m) { sqlite3_result_error(c, m.data(), int(m.size())); }

#define NULL_IN(n)                                   \
  for (int i_ = 0; i_ < (n); ++i_)                   \
    if (null(argv[i_])) return sqlite3_result_null(c)

// A civil value of `kind` ("TIMESTAMP", "DATE", "DATETIME", "TIME") as fields.
std::optional<civil::Fields> fields_of(sqlite3_value* v, const std::string& kind) {
  if (kind == "TIMESTAMP") {
    if (sqlite3_value_type(v) == SQLITE_TEXT) {
      auto t = civil::parse_timestamp(text(v));
      return t ? std::optional(civil::civil_from_micros(*t)) : std::nullopt;
    }
    return civil::civil_from_micros(sqlite3_value_int64(v));
  }
  std::string s = text(v);
  if (kind == "DATE") return civil::parse_date(s);
  if (kind == "DATETIME") return civil::parse_datetime(s);
  if (kind == "TIME") return civil::parse_time(s);
  return std::nullopt;
}

void result_fields(sqlite3_context* c, const civil::Fields& f, const std::string& kind) {
  if (kind == "TIMESTAMP") return sqlite3_result_int64(c, civil::micros_from_civil(f));
  if (kind == "DATE") return result(c, civil::date_string(f));
  if (kind == "DATETIME") return result(c, civil::datetime_string(f));
  return result(c, civil::time_string(f));
}

Ctx* ctx(sqlite3_context* c) { return static_cast<Ctx*>(sqlite3_user_data(c)); }

void now(sqlite3_context* c, int, sqlite3_value**) { sqlite3_result_int64(c, ctx(c)->now()); }

void uuid(sqlite3_context* c, int, sqlite3_value**) {
  uint64_t n = ++ctx(c)->uuid_counter;
  char b[40];
  std::snprintf(b, sizeof b, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>(n));
  result(c, b);
}

void date_of(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(1);
  if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER) return result(c, civil::date_string(civil::civil_from_micros(sqlite3_value_int64(argv[0]))));
  std::string s = text(argv[0]);
  if (auto f = civil::parse_datetime(s)) return result(c, civil::date_string(*f));
  if (auto t = civil::parse_timestamp(s)) return result(c, civil::date_string(civil::civil_from_micros(*t)));
  fail(c, "Invalid date: '" + s + "'");
}

void datetime_of(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(1);
  result(c, civil::datetime_string(civil::civil_from_micros(sqlite3_value_int64(argv[0]))));
}

void trunc_time(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(1);
  std::string kind = text(argv[2]);
  auto f = fields_of(argv[0], kind);
  if (!f) return fail(c, "Invalid " + kind + " value: " + text(argv[0]));
  auto t = civil::truncate(*f, text(argv[1]));
  if (!t) return fail(c, "Unsupported date part " + text(argv[1]) + " for " + kind + "_TRUNC");
  result_fields(c, *t, kind);
}

void diff(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  std::string kind = text(argv[3]);
  auto a = fields_of(argv[0], kind), b = fields_of(argv[1], kind);
  if (!a || !b) return fail(c, "Invalid " + kind + " value");
  auto d = civil::diff(*a, *b, text(argv[2]));
  if (!d) return fail(c, "Unsupported date part " + text(argv[2]) + " for " + kind + "_DIFF");
  sqlite3_result_int64(c, *d);
}

void add_time(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  std::string kind = text(argv[3]);
  auto f = fields_of(argv[0], kind);
  if (!f) return fail(c, "Invalid " + kind + " value: " + text(argv[0]));
  std::string part = upper(text(argv[2]));
  if (kind == "TIMESTAMP" && (part == "WEEK" || part == "MONTH" || part == "QUARTER" || part == "YEAR"))
    return fail(c, "Unsupported date part " + part + " in TIMESTAMP_ADD/TIMESTAMP_SUB");
  auto r = civil::add(*f, sqlite3_value_int64(argv[1]), part);
  if (!r) return fail(c, "Unsupported date part " + part);
  result_fields(c, *r, kind);
}

void date_add(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  auto f = civil::parse_date(text(argv[0]));
  if (!f) return fail(c, "Invalid date: " + text(argv[0]));
  auto r = civil::add(*f, sqlite3_value_int64(argv[1]), text(argv[2]));
  result(c, civil::date_string(*r));
}

void extract(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  std::string kind = text(argv[2]);
  auto f = fields_of(argv[1], kind);
  if (!f) return fail(c, "EXTRACT needs a TIMESTAMP, DATE, DATETIME or TIME value");
  auto v = civil::extract(*f, text(argv[0]));
  if (!v) return fail(c, "Unsupported date part " + text(argv[0]));
  sqlite3_result_int64(c, *v);
}

void format(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  std::string kind = text(argv[2]);
  auto f = fields_of(argv[1], kind);
  if (!f) return fail(c, "Invalid " + kind + " value");
  result(c, civil::format(text(argv[0]), *f));
}

void parse(sqlite3_context* c, int argc, sqlite3_value** argv) {
  NULL_IN(2);
  std::string kind = text(argv[2]);
  auto f = civil::parse_format(text(argv[0]), text(argv[1]));
  if (!f) {
    if (argc > 3 && sqlite3_value_int(argv[3])) return sqlite3_result_null(c);
    return fail(c, "Failed to parse input string \"" + text(argv[1]) + "\"");
  }
  result_fields(c, *f, kind);
}

void make_date(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(3);
  civil::Fields f;
  f.year = sqlite3_value_int64(argv[0]);
  f.month = sqlite3_value_int(argv[1]);
  f.day = sqlite3_value_int(argv[2]);
  auto ok = civil::parse_date(civil::date_string(f));
  if (!ok) return fail(c, "Input calculates to invalid date");
  result(c, civil::date_string(f));
}

void unix_date(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(1);
  auto f = civil::parse_date(text(argv[0]));
  if (!f) return fail(c, "Invalid date");
  sqlite3_result_int64(c, civil::days_from_civil(f->year, f->month, f->day));
}

std::string number_text(sqlite3_value* v) {
  if (sqlite3_value_type(v) == SQLITE_INTEGER) return std::to_string(sqlite3_value_int64(v));
  double d = sqlite3_value_double(v);
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(int64_t(d));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  std::string s = buf;
  for (int prec = 1; prec <= 17; ++prec) {  // the shortest text that reads back the same
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) return buf;
  }
  return s;
}

// CAST(x AS to) from GoogleSQL type `from`; SAFE_CAST returns NULL instead of failing.
void cast(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(1);
  std::string from = text(argv[1]), to = text(argv[2]);
  bool safe = sqlite3_value_int(argv[3]) != 0;
  sqlite3_value* v = argv[0];
  auto bad = [&](const std::string& m) { if (safe) sqlite3_result_null(c); else fail(c, m); };
  std::string s = text(v);
  if (to == "STRING") {
    if (from == "BOOL") return result(c, sqlite3_value_int(v) ? "true" : "false");
    if (from == "TIMESTAMP") return result(c, civil::timestamp_string(sqlite3_value_int64(v)));
    if (from == "DATETIME") { auto f = civil::parse_datetime(s); return result(c, f ? civil::date_string(*f) + " " + civil::time_string(*f) : s); }
    if (from == "BYTES") { auto d = base64_decode(s); return result(c, d ? *d : s); }
    if (from == "INT64" || from == "FLOAT64" || from == "NUMERIC" || from == "BIGNUMERIC") {
      if (from == "FLOAT64" && sqlite3_value_type(v) == SQLITE_FLOAT) {
        double d = sqlite3_value_double(v);
        if (std::isnan(d)) return result(c, "nan");
        if (std::isinf(d)) return result(c, d > 0 ? "inf" : "-inf");
      }
      return result(c, number_text(v));
    }
    return result(c, s);
  }
  if (to == "INT64") {
    if (sqlite3_value_type(v) == SQLITE_INTEGER) return sqlite3_result_int64(c, sqlite3_value_int64(v));
    if (sqlite3_value_type(v) == SQLITE_FLOAT) {
      double d = sqlite3_value_double(v);
      if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return bad("Illegal conversion of non-finite floating point number to an integer: " + number_text(v));
      return sqlite3_result_int64(c, std::llround(d));
    }
    std::string t = s;
    while (!t.empty() && t.back() == ' ') t.pop_back();
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(t.c_str(), &end, t.size() > 2 && (t[1] == 'x' || t[1] == 'X') ? 16 : 10);
    if (t.empty() || *end || errno) return bad("Bad int64 value: " + s);
    return sqlite3_result_int64(c, n);
  }
  if (to == "FLOAT64" || to == "NUMERIC" || to == "BIGNUMERIC") {
    if (sqlite3_value_type(v) == SQLITE_INTEGER) return sqlite3_result_int64(c, sqlite3_value_int64(v));
    if (sqlite3_value_type(v) == SQLITE_FLOAT) return sqlite3_result_double(c, sqlite3_value_double(v));
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (s.empty() || *end) return bad(std::string("Bad ") + (to == "FLOAT64" ? "double" : "numeric") + " value: " + s);
    if (to != "FLOAT64" && std::floor(d) == d && std::fabs(d) < 9e15) return sqlite3_result_int64(c, int64_t(d));
    return sqlite3_result_double(c, d);
  }
  if (to == "BOOL") {
    if (sqlite3_value_type(v) != SQLITE_TEXT) return sqlite3_result_int(c, sqlite3_value_double(v) != 0);
    std::string u = upper(s);
    if (u == "TRUE") return sqlite3_result_int(c, 1);
    if (u == "FALSE") return sqlite3_result_int(c, 0);
    return bad("Bad bool value: " + s);
  }
  if (to == "TIMESTAMP") {
    if (from == "TIMESTAMP") return sqlite3_result_int64(c, sqlite3_value_int64(v));
    auto t = civil::parse_timestamp(s);
    if (!t) return bad("Invalid timestamp: '" + s + "'");
    return sqlite3_result_int64(c, *t);
  }
  if (to == "DATE" || to == "DATETIME" || to == "TIME") {
    std::optional<civil::Fields> f;
    if (from == "TIMESTAMP") f = civil::civil_from_micros(sqlite3_value_int64(v));
    else if (from == "DATETIME" || from == "DATE") f = civil::parse_datetime(s);
    else if (to == "TIME") f = civil::parse_time(s);
    else if (to == "DATE") f = civil::parse_date(s);
    else f = civil::parse_datetime(s);
    if (!f) return bad("Invalid " + to + ": '" + s + "'");
    return result_fields(c, *f, to);
  }
  if (to == "BYTES") return result(c, from == "BYTES" ? s : base64_encode(s));
  if (to == "JSON") return result(c, s);
  result(c, s);
}

void div(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  double b = sqlite3_value_double(argv[1]);
  if (b == 0) return fail(c, "division by zero: " + number_text(argv[0]) + " / " + number_text(argv[1]));
  sqlite3_result_double(c, sqlite3_value_double(argv[0]) / b);
}
void safe_div(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  double b = sqlite3_value_double(argv[1]);
  if (b == 0) return sqlite3_result_null(c);
  sqlite3_result_double(c, sqlite3_value_double(argv[0]) / b);
}
void intdiv(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  int64_t b = sqlite3_value_int64(argv[1]);
  if (b == 0) return fail(c, "division by zero: " + number_text(argv[0]) + " / 0");
  sqlite3_result_int64(c, sqlite3_value_int64(argv[0]) / b);
}
void floordiv(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  int64_t a = sqlite3_value_int64(argv[0]), b = sqlite3_value_int64(argv[1]);
  sqlite3_result_int64(c, a / b - ((a % b != 0) && ((a < 0) != (b < 0))));
}
void mod(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER && sqlite3_value_type(argv[1]) == SQLITE_INTEGER) {
    int64_t b = sqlite3_value_int64(argv[1]);
    if (b == 0) return fail(c, "division by zero: MOD(" + number_text(argv[0]) + ", 0)");
    return sqlite3_result_int64(c, sqlite3_value_int64(argv[0]) % b);
  }
  sqlite3_result_double(c, std::fmod(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1])));
}
void round_fn(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  double p = std::pow(10.0, sqlite3_value_int(argv[1]));
  sqlite3_result_double(c, std::round(sqlite3_value_double(argv[0]) * p) / p);  // half away from zero
}
void trunc_fn(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  double p = std::pow(10.0, sqlite3_value_int(argv[1]));
  sqlite3_result_double(c, std::trunc(sqlite3_value_double(argv[0]) * p) / p);
}

// UTF-8 code points of a string.
std::vector<std::string> chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = (uint8_t(s[i]) & 0x80) == 0 ? 1 : (uint8_t(s[i]) & 0xE0) == 0xC0 ? 2 : (uint8_t(s[i]) & 0xF0) == 0xE0 ? 3 : 4;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

void substr(sqlite3_context* c, int argc, sqlite3_value** argv) {
  NULL_IN(argc);
  auto cs = chars(text(argv[0]));
  int64_t n = int64_t(cs.size());
  int64_t pos = sqlite3_value_int64(argv[1]);
  if (pos < 0) pos = std::max<int64_t>(n + pos + 1, 1);
  if (pos == 0) pos = 1;
  int64_t len = argc > 2 ? sqlite3_value_int64(argv[2]) : n;
  if (len < 0) return fail(c, "Third argument in SUBSTR() cannot be negative");
  std::string out;
  for (int64_t i = pos - 1; i < n && i < pos - 1 + len; ++i) out += cs[size_t(i)];
  result(c, out);
}
void reverse(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(1);
  auto cs = chars(text(argv[0]));
  std::string out;
  for (auto it = cs.rbegin(); it != cs.rend(); ++it) out += *it;
  result(c, out);
}
void repeat(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  std::string s = text(argv[0]), out;
  int64_t n = sqlite3_value_int64(argv[1]);
  if (n < 0) return fail(c, "Second argument in REPEAT() cannot be negative");
  for (int64_t i = 0; i < n && out.size() < 1000000; ++i) out += s;
  result(c, out);
}
void pad(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(3);
  auto cs = chars(text(argv[0]));
  auto p = chars(text(argv[2]));
  int64_t len = sqlite3_value_int64(argv[1]);
  bool right = sqlite3_value_int(argv[3]) != 0;
  if (p.empty()) return fail(c, "Pattern to pad with cannot be empty");
  std::string s;
  if (int64_t(cs.size()) >= len) {
    for (int64_t i = 0; i < len; ++i) s += cs[size_t(i)];
    return result(c, s);
  }
  std::string fill;
  for (int64_t i = 0; i < len - int64_t(cs.size()); ++i) fill += p[size_t(i) % p.size()];
  std::string body = text(argv[0]);
  result(c, right ? body + fill : fill + body);
}
void split(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  std::string s = text(argv[0]), d = text(argv[1]);
  Json arr = Json::array();
  if (!s.empty()) {
    if (d.empty()) {
      for (auto& ch : chars(s)) arr.push_back(ch);
    } else {
      size_t b = 0, e;
      while ((e = s.find(d, b)) != std::string::npos) { arr.push_back(s.substr(b, e - b)); b = e + d.size(); }
      arr.push_back(s.substr(b));
    }
  }
  result_json(c, arr.dump());
}

// RE2's \1 backreferences in replacements become ECMAScript's $1.
std::string replacement(const std::string& r) {
  std::string out;
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i] == '\\' && i + 1 < r.size() && std::isdigit(static_cast<unsigned char>(r[i + 1]))) { out += '$'; out += r[++i]; }
    else if (r[i] == '$') out += "$$";
    else out += r[i];
  }
  return out;
}

template <class F>
void with_regex(sqlite3_context* c, sqlite3_value* pattern, F f) {
  try {
    std::regex re(text(pattern), std::regex::ECMAScript);
    f(re);
  } catch (const std::regex_error& e) {
    fail(c, "Cannot parse regular expression: " + text(pattern));
  }
}
void regexp_contains(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  std::string s = text(argv[0]);
  with_regex(c, argv[1], [&](const std::regex& re) { sqlite3_result_int(c, std::regex_search(s, re)); });
}
void regexp_extract(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  std::string s = text(argv[0]);
  with_regex(c, argv[1], [&](const std::regex& re) {
    std::smatch m;
    if (!std::regex_search(s, m, re)) return sqlite3_result_null(c);
    if (re.mark_count() > 1) return fail(c, "Regular expressions passed into extraction functions must not have more than 1 capturing group");
    result(c, re.mark_count() == 1 ? m[1].str() : m[0].str());
  });
}
void regexp_replace(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(3);
  std::string s = text(argv[0]), r = replacement(text(argv[2]));
  with_regex(c, argv[1], [&](const std::regex& re) { result(c, std::regex_replace(s, re, r)); });
}

// GoogleSQL LIKE: case-sensitive, % and _, backslash escapes.
bool like(const char* s, const char* p) {
  for (; *p; ++p) {
    if (*p == '%') {
      while (*(p + 1) == '%') ++p;
      if (!*(p + 1)) return true;
      for (const char* t = s; *t; ++t)
        if (like(t, p + 1)) return true;
      return like("", p + 1);
    }
    if (!*s) return false;
    if (*p == '\\' && *(p + 1)) {
      ++p;
      if (*s != *p) return false;
    } else if (*p == '_') {
      if ((uint8_t(*s) & 0xC0) == 0xC0) { ++s; while ((uint8_t(*s) & 0xC0) == 0x80) ++s; continue; }
    } else if (*s != *p) {
      return false;
    }
    ++s;
  }
  return !*s;
}
void like_fn(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  sqlite3_result_int(c, like(text(argv[0]).c_str(), text(argv[1]).c_str()));
}

Json parse_array(sqlite3_value* v) {
  if (null(v)) return Json();
  auto j = Json::parse(text(v), nullptr, false);
  return j.is_array() ? j : Json();
}
void array_concat(sqlite3_context* c, int argc, sqlite3_value** argv) {
  NULL_IN(argc);
  Json out = Json::array();
  for (int i = 0; i < argc; ++i)
    for (auto& e : parse_array(argv[i])) out.push_back(e);
  result_json(c, out.dump());
}
void array_reverse(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(1);
  Json a = parse_array(argv[0]), out = Json::array();
  for (auto it = a.rbegin(); it != a.rend(); ++it) out.push_back(*it);
  result_json(c, out.dump());
}
void array_to_string(sqlite3_context* c, int argc, sqlite3_value** argv) {
  NULL_IN(2);
  std::string out, sep = text(argv[1]);
  bool first = true;
  for (auto& e : parse_array(argv[0])) {
    if (e.is_null() && argc < 3) continue;
    out += (first ? "" : sep) + (e.is_null() ? text(argv[2]) : e.is_string() ? e.get<std::string>() : e.dump());
    first = false;
  }
  result(c, out);
}
void array_at(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  Json a = parse_array(argv[0]);
  int64_t i = sqlite3_value_int64(argv[1]) - sqlite3_value_int64(argv[2]);
  if (i < 0 || i >= int64_t(a.size())) {
    if (sqlite3_value_int(argv[3])) return sqlite3_result_null(c);
    return fail(c, "Array index " + std::to_string(sqlite3_value_int64(argv[1])) + " is out of bounds (overflow)");
  }
  const Json& e = a[size_t(i)];
  if (e.is_null()) sqlite3_result_null(c);
  else if (e.is_number_integer()) sqlite3_result_int64(c, e.get<int64_t>());
  else if (e.is_number()) sqlite3_result_double(c, e.get<double>());
  else if (e.is_boolean()) sqlite3_result_int(c, e.get<bool>());
  else if (e.is_string()) result(c, e.get<std::string>());
  else result_json(c, e.dump());
}
void generate_array(sqlite3_context* c, int argc, sqlite3_value** argv) {
  NULL_IN(argc);
  int64_t a = sqlite3_value_int64(argv[0]), b = sqlite3_value_int64(argv[1]);
  int64_t step = argc > 2 ? sqlite3_value_int64(argv[2]) : 1;
  if (step == 0) return fail(c, "Sequence step cannot be 0.");
  Json out = Json::array();
  for (int64_t i = a; step > 0 ? i <= b : i >= b; i += step) {
    if (out.size() >= 1000000) return fail(c, "GENERATE_ARRAY(" + std::to_string(a) + ", " + std::to_string(b) + ") produced too many elements");
    out.push_back(i);
  }
  result_json(c, out.dump());
}

// JSON_VALUE / JSON_QUERY with GoogleSQL's JSONPath ($, .name, ."quoted", [n]).
std::optional<Json> walk(const std::string& doc, const std::string& path) {
  auto j = Json::parse(doc, nullptr, false);
  if (j.is_discarded() || path.empty() || path[0] != '$') return std::nullopt;
  const Json* cur = &j;
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      std::string key;
      if (i < path.size() && path[i] == '"') {
        size_t e = path.find('"', i + 1);
        key = path.substr(i + 1, e - i - 1);
        i = e + 1;
      } else {
        while (i < path.size() && path[i] != '.' && path[i] != '[') key += path[i++];
      }
      if (!cur->is_object() || !cur->contains(key)) return std::nullopt;
      cur = &(*cur)[key];
    } else if (path[i] == '[') {
      size_t e = path.find(']', i);
      if (e == std::string::npos) return std::nullopt;
      std::string idx = path.substr(i + 1, e - i - 1);
      i = e + 1;
      if (!idx.empty() && (idx[0] == '\'' || idx[0] == '"')) {
        std::string key = idx.substr(1, idx.size() - 2);
        if (!cur->is_object() || !cur->contains(key)) return std::nullopt;
        cur = &(*cur)[key];
      } else {
        size_t n = std::stoul(idx);
        if (!cur->is_array() || n >= cur->size()) return std::nullopt;
        cur = &(*cur)[n];
      }
    } else {
      return std::nullopt;
    }
  }
  return *cur;
}
void json_value(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  auto v = walk(text(argv[0]), text(argv[1]));
  if (!v || v->is_null() || v->is_object() || v->is_array()) return sqlite3_result_null(c);
  result(c, v->is_string() ? v->get<std::string>() : v->dump());
}
void json_query(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(2);
  auto v = walk(text(argv[0]), text(argv[1]));
  if (!v) return sqlite3_result_null(c);
  result_json(c, v->dump());
}
void to_json_string(sqlite3_context* c, int, sqlite3_value** argv) {
  sqlite3_value* v = argv[0];
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return result(c, "null");
    case SQLITE_INTEGER: return result(c, std::to_string(sqlite3_value_int64(v)));
    case SQLITE_FLOAT: return result(c, number_text(v));
    default:
      if (sqlite3_value_subtype(v) == kJsonSubtype) return result(c, Json::parse(text(v), nullptr, false).dump());
      return result(c, Json(text(v)).dump());
  }
}

struct Stddev {
  int64_t n;
  double mean, m2;
};
void stddev_step(sqlite3_context* c, int, sqlite3_value** argv) {
  if (null(argv[0])) return;
  auto* s = static_cast<Stddev*>(sqlite3_aggregate_context(c, sizeof(Stddev)));
  double x = sqlite3_value_double(argv[0]);
  ++s->n;
  double d = x - s->mean;
  s->mean += d / double(s->n);
  s->m2 += d * (x - s->mean);
}
void stddev_final(sqlite3_context* c) {
  auto* s = static_cast<Stddev*>(sqlite3_aggregate_context(c, 0));
  if (!s || s->n < 2) return sqlite3_result_null(c);
  sqlite3_result_double(c, std::sqrt(s->m2 / double(s->n - 1)));
}
void unbase64(sqlite3_context* c, int, sqlite3_value** argv) {
  NULL_IN(1);
  auto d = base64_decode(text(argv[0]));
  if (!d) return sqlite3_result_null(c);
  sqlite3_result_blob(c, d->data(), int(d->size()), SQLITE_TRANSIENT);
}

struct Fn {
  const char* name;
  int args;
  void (*fn)(sqlite3_context*, int, sqlite3_value**);
  bool volatile_ = false;
};

const Fn kFunctions[] = {
    {"bq_now", 0, now, true}, {"bq_uuid", 0, uuid, true}, {"bq_date_of", 1, date_of}, {"bq_datetime_of", 1, datetime_of},
    {"bq_trunc_time", 3, trunc_time}, {"bq_diff", 4, diff}, {"bq_add_time", 4, add_time}, {"bq_date_add", 3, date_add},
    {"bq_extract", 3, extract}, {"bq_format", 3, format}, {"bq_parse", 3, parse}, {"bq_parse", 4, parse},
    {"bq_make_date", 3, make_date}, {"bq_unix_date", 1, unix_date}, {"bq_cast", 4, cast}, {"bq_div", 2, div},
    {"bq_safe_div", 2, safe_div}, {"bq_intdiv", 2, intdiv}, {"bq_floordiv", 2, floordiv}, {"bq_mod", 2, mod},
    {"bq_round", 2, round_fn}, {"bq_trunc", 2, trunc_fn}, {"bq_substr", 2, substr}, {"bq_substr", 3, substr},
    {"bq_reverse", 1, reverse}, {"bq_repeat", 2, repeat}, {"bq_pad", 4, pad}, {"bq_split", 2, split},
    {"bq_regexp_contains", 2, regexp_contains}, {"bq_regexp_extract", 2, regexp_extract},
    {"bq_regexp_replace", 3, regexp_replace}, {"bq_like", 2, like_fn}, {"bq_array_concat", -1, array_concat},
    {"bq_array_reverse", 1, array_reverse}, {"bq_array_to_string", 2, array_to_string},
    {"bq_array_to_string", 3, array_to_string}, {"bq_array_at", 4, array_at}, {"bq_generate_array", 2, generate_array},
    {"bq_generate_array", 3, generate_array}, {"bq_json_value", 2, json_value}, {"bq_json_query", 2, json_query},
    {"bq_to_json_string", 1, to_json_string}, {"bq_unbase64", 1, unbase64},
};

}  // namespace

void register_functions(sqlite3* db, std::function<int64_t()> now_micros) {
  auto* context = new Ctx{std::move(now_micros), 0};
  for (const auto& f : kFunctions) {
    int flags = SQLITE_UTF8 | (f.volatile_ ? 0 : SQLITE_DETERMINISTIC);
    sqlite3_create_function_v2(db, f.name, f.args, flags, context, f.fn, nullptr, nullptr, nullptr);
  }
  sqlite3_create_function_v2(db, "bq_stddev", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, context, nullptr, stddev_step, stddev_final, nullptr);
  // The context lives as long as the connection: freed with the last registration.
  sqlite3_create_function_v2(db, "bq_context_owner", 0, SQLITE_UTF8, context, now, nullptr, nullptr,
                             [](void* p) { delete static_cast<Ctx*>(p); });
}

}  // namespace gcpsim::services::bigquery
