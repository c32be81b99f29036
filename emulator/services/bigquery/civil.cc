// Civil-time arithmetic for GoogleSQL's date and time types (Howard Hinnant's day algorithms).
#include "services/bigquery/civil.h"

#include <cctype>
#include <cstdio>

#include "services/bigquery/schema.h"

namespace gcpsim::services::bigquery::civil {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct Reader {
  std::string_view s;
  size_t i = 0;
  bool digits(int n, int64_t& out) {
    out = 0;
    for (int k = 0; k < n; ++k) {
      if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      out = out * 10 + (s[i++] - '0');
    }
    return true;
  }
  bool upto(int max, int64_t& out) {  // 1..max digits
    size_t start = i;
    out = 0;
    while (i < s.size() && i - start < size_t(max) && std::isdigit(static_cast<unsigned char>(s[i]))) out = out * 10 + (s[i++] - '0');
    return i > start;
  }
  bool eat(char c) {
    if (i < s.size() && s[i] == c) return ++i, true;
    return false;
  }
  bool done() const { return i == s.size(); }
};

int days_in_month(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

bool read_date(Reader& r, Fields& f) {
  int64_t y, m, d;
  if (!r.upto(4, y) || !r.eat('-') || !r.upto(2, m) || !r.eat('-') || !r.upto(2, d)) return false;
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, int(m))) return false;
  f.year = y, f.month = int(m), f.day = int(d);
  return true;
}

bool read_time(Reader& r, Fields& f) {
  int64_t h, mi, s = 0;
  if (!r.upto(2, h) || !r.eat(':') || !r.upto(2, mi)) return false;
  if (r.eat(':') && !r.upto(2, s)) return false;
  if (h > 23 || mi > 59 || s > 59) return false;
  f.hour = int(h), f.minute = int(mi), f.second = int(s), f.micros = 0;
  if (r.eat('.')) {
    int n = 0;
    int64_t frac = 0;
    while (!r.done() && std::isdigit(static_cast<unsigned char>(r.s[r.i]))) {
      if (n < 6) frac = frac * 10 + (r.s[r.i] - '0'), ++n;
      ++r.i;
    }
    if (n == 0) return false;
    while (n++ < 6) frac *= 10;
    f.micros = frac;
  }
  return true;
}

std::string frac(int64_t micros) {
  if (micros == 0) return "";
  char b[16];
  std::snprintf(b, sizeof b, ".%06lld", static_cast<long long>(micros));
  std::string s(b);
  while (s.back() == '0') s.pop_back();
  return s;
}

}  // namespace

int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Fields civil_from_micros(int64_t micros) {
  int64_t days = floor_div(micros, kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  Fields f;
  f.day = int(doy - (153 * mp + 2) / 5 + 1);
  f.month = int(mp < 10 ? mp + 3 : mp - 9);
  f.year = yoe + era * 400 + (f.month <= 2);
  f.micros = rest % 1000000;
  int64_t secs = rest / 1000000;
  f.hour = int(secs / 3600), f.minute = int(secs / 60 % 60), f.second = int(secs % 60);
  return f;
}

int64_t micros_from_civil(const Fields& f) {
  return days_from_civil(f.year, f.month, f.day) * kMicrosPerDay +
         ((f.hour * 60LL + f.minute) * 60 + f.second) * 1000000 + f.micros;
}

std::optional<int64_t> parse_timestamp(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  Reader r{s};
  Fields f;
  if (!read_date(r, f)) return std::nullopt;
  if (!r.done()) {
    if (!(r.eat('T') || r.eat('t') || r.eat(' '))) return std::nullopt;
    if (!read_time(r, f)) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  r.eat(' ');
  if (r.done() || r.eat('Z') || r.eat('z')) {
  } else if (r.s.substr(r.i) == "UTC") {
    r.i = r.s.size();
  } else if (r.s[r.i] == '+' || r.s[r.i] == '-') {
    int sign = r.s[r.i++] == '-' ? -1 : 1;
    int64_t h = 0, m = 0;
    if (!r.upto(2, h)) return std::nullopt;
    if (r.eat(':') && !r.digits(2, m)) return std::nullopt;
    offset_minutes = sign * (h * 60 + m);
  } else {
    return std::nullopt;
  }
  if (!r.done()) return std::nullopt;
  return micros_from_civil(f) - offset_minutes * 60 * 1000000;
}

std::optional<Fields> parse_date(std::string_view s) {
  Reader r{s};
  Fields f;
  if (!read_date(r, f) || !r.done()) return std::nullopt;
  return f;
}

std::optional<Fields> parse_datetime(std::string_view s) {
  Reader r{s};
  Fields f;
  if (!read_date(r, f)) return std::nullopt;
  if (r.done()) return f;
  if (!(r.eat('T') || r.eat(' ')) || !read_time(r, f) || !r.done()) return std::nullopt;
  return f;
}

std::optional<Fields> parse_time(std::string_view s) {
  Reader r{s};
  Fields f;
  if (!read_time(r, f) || !r.done()) return std::nullopt;
  return f;
}

std::string date_string(const Fields& f) {
  char b[32];
  std::snprintf(b, sizeof b, "%04lld-%02d-%02d", static_cast<long long>(f.year), f.month, f.day);
  return b;
}

std::string time_string(const Fields& f) {
  char b[32];
  std::snprintf(b, sizeof b, "%02d:%02d:%02d", f.hour, f.minute, f.second);
  return b + frac(f.micros);
}

std::string datetime_string(const Fields& f) { return date_string(f) + "T" + time_string(f); }
std::string timestamp_string(int64_t micros) {
  Fields f = civil_from_micros(micros);
  return date_string(f) + " " + time_string(f) + "+00";
}
std::string timestamp_iso(int64_t micros) {
  Fields f = civil_from_micros(micros);
  char b[48];
  std::snprintf(b, sizeof b, "%sT%02d:%02d:%02d.%06lldZ", date_string(f).c_str(), f.hour, f.minute, f.second,
                static_cast<long long>(f.micros));
  return b;
}

std::optional<std::string> normal_date(std::string_view s) {
  auto f = parse_date(s);
  return f ? std::optional(date_string(*f)) : std::nullopt;
}
std::optional<std::string> normal_time(std::string_view s) {
  auto f = parse_time(s);
  return f ? std::optional(time_string(*f)) : std::nullopt;
}
std::optional<std::string> normal_datetime(std::string_view s) {
  auto f = parse_datetime(s);
  return f ? std::optional(datetime_string(*f)) : std::nullopt;
}

std::optional<Fields> truncate(Fields f, std::string_view part_in) {
  std::string part = upper(part_in);
  if (part == "MICROSECOND") return f;
  if (part == "MILLISECOND") { f.micros -= f.micros % 1000; return f; }
  f.micros = 0;
  if (part == "SECOND") return f;
  f.second = 0;
  if (part == "MINUTE") return f;
  f.minute = 0;
  if (part == "HOUR") return f;
  f.hour = 0;
  if (part == "DAY") return f;
  if (part == "WEEK" || part == "ISOWEEK") {
    int64_t days = days_from_civil(f.year, f.month, f.day);
    int64_t weekday = ((days + 4) % 7 + 7) % 7;  // 0 = Sunday
    int64_t back = part == "WEEK" ? weekday : (weekday + 6) % 7;
    return civil_from_micros((days - back) * kMicrosPerDay);
  }
  if (part == "MONTH") { f.day = 1; return f; }
  if (part == "QUARTER") { f.day = 1; f.month = (f.month - 1) / 3 * 3 + 1; return f; }
  if (part == "YEAR") { f.day = 1; f.month = 1; return f; }
  return std::nullopt;
}

std::optional<int64_t> extract(const Fields& f, std::string_view part_in) {
  std::string part = upper(part_in);
  int64_t days = days_from_civil(f.year, f.month, f.day);
  if (part == "MICROSECOND") return f.second * 1000000LL + f.micros;
  if (part == "MILLISECOND") return f.second * 1000LL + f.micros / 1000;
  if (part == "SECOND") return f.second;
  if (part == "MINUTE") return f.minute;
  if (part == "HOUR") return f.hour;
  if (part == "DAY") return f.day;
  if (part == "DAYOFWEEK") return ((days + 4) % 7 + 7) % 7 + 1;  // Sunday = 1
  if (part == "DAYOFYEAR") return days - days_from_civil(f.year, 1, 1) + 1;
  if (part == "WEEK") {
    int64_t jan1 = days_from_civil(f.year, 1, 1);
    int64_t first_sunday = jan1 + (7 - ((jan1 + 4) % 7 + 7) % 7) % 7;
    return days < first_sunday ? 0 : (days - first_sunday) / 7 + 1;
  }
  if (part == "MONTH") return f.month;
  if (part == "QUARTER") return (f.month - 1) / 3 + 1;
  if (part == "YEAR") return f.year;
  return std::nullopt;
}

std::optional<Fields> add(Fields f, int64_t n, std::string_view part_in) {
  std::string part = upper(part_in);
  int64_t unit = 0;
  if (part == "MICROSECOND") unit = 1;
  else if (part == "MILLISECOND") unit = 1000;
  else if (part == "SECOND") unit = 1000000;
  else if (part == "MINUTE") unit = 60000000LL;
  else if (part == "HOUR") unit = 3600000000LL;
  else if (part == "DAY") unit = kMicrosPerDay;
  else if (part == "WEEK") unit = 7 * kMicrosPerDay;
  if (unit) return civil_from_micros(micros_from_civil(f) + n * unit);
  int64_t months = part == "MONTH" ? n : part == "QUARTER" ? 3 * n : part == "YEAR" ? 12 * n : INT64_MIN;
  if (months == INT64_MIN) return std::nullopt;
  int64_t total = f.year * 12 + (f.month - 1) + months;
  f.year = floor_div(total, 12);
  f.month = int(total - f.year * 12 + 1);
  int last = days_in_month(f.year, f.month);
  if (f.day > last) f.day = last;  // GoogleSQL clamps to the month's last day
  return f;
}

std::optional<int64_t> diff(const Fields& a, const Fields& b, std::string_view part_in) {
  std::string part = upper(part_in);
  int64_t ma = micros_from_civil(a), mb = micros_from_civil(b);
  if (part == "MICROSECOND") return ma - mb;
  if (part == "MILLISECOND") return (ma - mb) / 1000;
  if (part == "SECOND") return (ma - mb) / 1000000;
  if (part == "MINUTE") return (ma - mb) / 60000000LL;
  if (part == "HOUR") return (ma - mb) / 3600000000LL;
  int64_t da = days_from_civil(a.year, a.month, a.day), db = days_from_civil(b.year, b.month, b.day);
  if (part == "DAY") return da - db;
  if (part == "WEEK") return floor_div(da - ((da + 4) % 7 + 7) % 7 - (db - ((db + 4) % 7 + 7) % 7), 7);
  if (part == "MONTH") return (a.year * 12 + a.month) - (b.year * 12 + b.month);
  if (part == "QUARTER") return (a.year * 4 + (a.month - 1) / 3) - (b.year * 4 + (b.month - 1) / 3);
  if (part == "YEAR") return a.year - b.year;
  return std::nullopt;
}

std::string format(std::string_view fmt, const Fields& f) {
  static const char* kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                                  "August", "September", "October", "November", "December"};
  static const char* kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  std::string out;
  char b[64];
  int64_t dow = ((days_from_civil(f.year, f.month, f.day) + 4) % 7 + 7) % 7;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 == fmt.size()) { out += fmt[i]; continue; }
    char c = fmt[++i];
    if (c == 'E' && i + 2 < fmt.size() && fmt[i + 2] == 'S') {  // %E<n>S: seconds with n digits
      int n = fmt[i + 1] == '*' ? 6 : fmt[i + 1] - '0';
      i += 2;
      std::snprintf(b, sizeof b, "%02d", f.second);
      out += b;
      if (n > 0) {
        std::snprintf(b, sizeof b, "%06lld", static_cast<long long>(f.micros));
        out += "." + std::string(b).substr(0, size_t(std::min(n, 6)));
      }
      continue;
    }
    switch (c) {
      case 'Y': std::snprintf(b, sizeof b, "%04lld", static_cast<long long>(f.year)); out += b; break;
      case 'y': std::snprintf(b, sizeof b, "%02lld", static_cast<long long>(f.year % 100)); out += b; break;
      case 'm': std::snprintf(b, sizeof b, "%02d", f.month); out += b; break;
      case 'd': std::snprintf(b, sizeof b, "%02d", f.day); out += b; break;
      case 'e': std::snprintf(b, sizeof b, "%2d", f.day); out += b; break;
      case 'H': std::snprintf(b, sizeof b, "%02d", f.hour); out += b; break;
      case 'I': std::snprintf(b, sizeof b, "%02d", (f.hour + 11) % 12 + 1); out += b; break;
      case 'M': std::snprintf(b, sizeof b, "%02d", f.minute); out += b; break;
      case 'S': std::snprintf(b, sizeof b, "%02d", f.second); out += b; break;
      case 'p': out += f.hour < 12 ? "AM" : "PM"; break;
      case 'B': out += kMonths[f.month - 1]; break;
      case 'b': case 'h': out += std::string(kMonths[f.month - 1]).substr(0, 3); break;
      case 'A': out += kDays[dow]; break;
      case 'a': out += std::string(kDays[dow]).substr(0, 3); break;
      case 'j': std::snprintf(b, sizeof b, "%03lld", static_cast<long long>(*extract(f, "DAYOFYEAR"))); out += b; break;
      case 'F': out += date_string(f); break;
      case 'D': std::snprintf(b, sizeof b, "%02d/%02d/%02lld", f.month, f.day, static_cast<long long>(f.year % 100)); out += b; break;
      case 'T': std::snprintf(b, sizeof b, "%02d:%02d:%02d", f.hour, f.minute, f.second); out += b; break;
      case 'R': std::snprintf(b, sizeof b, "%02d:%02d", f.hour, f.minute); out += b; break;
      case 'Z': out += "UTC"; break;
      case 'z': out += "+0000"; break;
      case 's': out += std::to_string(micros_from_civil(f) / 1000000); break;
      case 'u': out += std::to_string(dow == 0 ? 7 : dow); break;
      case 'w': out += std::to_string(dow); break;
      case 'Q': out += std::to_string((f.month - 1) / 3 + 1); break;
      case '%': out += '%'; break;
      default: out += '%'; out += c;
    }
  }
  return out;
}

std::optional<Fields> parse_format(std::string_view fmt, std::string_view text) {
  Reader r{text};
  Fields f;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 == fmt.size()) {
      if (fmt[i] == ' ') { while (r.eat(' ')) {} continue; }
      if (!r.eat(fmt[i])) return std::nullopt;
      continue;
    }
    char c = fmt[++i];
    int64_t v = 0;
    switch (c) {
      case 'Y': if (!r.upto(4, v)) return std::nullopt; f.year = v; break;
      case 'm': if (!r.upto(2, v) || v < 1 || v > 12) return std::nullopt; f.month = int(v); break;
      case 'd': case 'e': while (r.eat(' ')) {} if (!r.upto(2, v) || v < 1 || v > 31) return std::nullopt; f.day = int(v); break;
      case 'H': if (!r.upto(2, v) || v > 23) return std::nullopt; f.hour = int(v); break;
      case 'M': if (!r.upto(2, v) || v > 59) return std::nullopt; f.minute = int(v); break;
      case 'S': if (!r.upto(2, v) || v > 59) return std::nullopt; f.second = int(v); break;
      case 'F': { Fields d; if (!read_date(r, d)) return std::nullopt; f.year = d.year; f.month = d.month; f.day = d.day; break; }
      case 'T': { Fields t; if (!read_time(r, t)) return std::nullopt; f.hour = t.hour; f.minute = t.minute; f.second = t.second; f.micros = t.micros; break; }
      case 's': { int64_t s; bool neg = r.eat('-'); if (!r.upto(12, s)) return std::nullopt; return civil_from_micros((neg ? -s : s) * 1000000); }
      case 'Z': if (r.s.substr(r.i, 3) != "UTC") return std::nullopt; r.i += 3; break;
      case 'z': if (!(r.eat('+') || r.eat('-')) || !r.digits(4, v) || v != 0) return std::nullopt; break;
      case 'E': {  // %E*S or %E<n>S: seconds with a fraction
        if (i + 2 >= fmt.size() || fmt[i + 2] != 'S') return std::nullopt;
        i += 2;
        if (!r.upto(2, v) || v > 59) return std::nullopt;
        f.second = int(v);
        if (r.eat('.')) {
          int n = 0;
          int64_t fr = 0;
          while (!r.done() && std::isdigit(static_cast<unsigned char>(r.s[r.i]))) {
            if (n < 6) fr = fr * 10 + (r.s[r.i] - '0'), ++n;
            ++r.i;
          }
          while (n++ < 6) fr *= 10;
          f.micros = fr;
        }
        break;
      }
      case '%': if (!r.eat('%')) return std::nullopt; break;
      default: return std::nullopt;
    }
  }
  if (!r.done() || f.day > days_in_month(f.year, f.month)) return std::nullopt;
  return f;
}

}  // namespace gcpsim::services::bigquery::civil
