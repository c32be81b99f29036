// RFC 3339 timestamps and duration strings in the forms Google's APIs and our YAML use.
#include "core/time.h"

#include <cstdio>
#include <limits>

namespace gcpsim::core {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Reads exactly `n` digits at `pos`; false on anything else.
bool read_digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Fractional digits as nanoseconds: 0–9 digits after the separator.
bool read_fraction(std::string_view s, size_t& pos, int64_t& nanos, int& digits) {
  nanos = 0;
  digits = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (digits == 9) return false;
    nanos = nanos * 10 + (s[pos] - '0');
    ++digits;
    ++pos;
  }
  for (int i = digits; i < 9; ++i) nanos *= 10;
  return true;
}

// The shortest of 0, 3, 6 or 9 digits that shows `nanos` exactly (protobuf's JSON rule).
std::string fraction(int64_t nanos) {
  if (nanos == 0) return "";
  std::string out = std::to_string(nanos);
  out.insert(0, 10 - out.size(), '0');
  out[0] = '.';
  out.resize(1 + (nanos % 1'000'000 == 0 ? 3 : nanos % 1'000 == 0 ? 6 : 9));
  return out;
}

std::optional<int64_t> unit_nanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "µs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return kNanosPerSecond;
  if (unit == "m") return 60 * kNanosPerSecond;
  if (unit == "h") return 3600 * kNanosPerSecond;
  if (unit == "d") return 86400 * kNanosPerSecond;
  return std::nullopt;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<Time> parse_rfc3339(std::string_view s) {
  size_t pos = 0;
  int y, mo, d, h, mi, sec;
  if (!read_digits(s, pos, 4, y) || !expect(s, pos, '-') || !read_digits(s, pos, 2, mo) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, d)) {
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't')) return std::nullopt;
  ++pos;
  if (!read_digits(s, pos, 2, h) || !expect(s, pos, ':') || !read_digits(s, pos, 2, mi) ||
      !expect(s, pos, ':') || !read_digits(s, pos, 2, sec)) {
    return std::nullopt;
  }
  // Leap seconds are rejected, as protobuf's Timestamp does.
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits;
    if (!read_fraction(s, pos, nanos, digits) || digits == 0) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  std::chrono::minutes offset{0};
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!read_digits(s, pos, 2, oh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = std::chrono::minutes{sign * (oh * 60 + om)};
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  // In seconds first: years 0000 to 9999 fit, where nanoseconds overflow before 1677.
  std::chrono::sys_seconds secs = std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
                                  std::chrono::seconds{sec} - offset;
  constexpr std::chrono::sys_seconds kEarliest = std::chrono::sys_days{std::chrono::year{1700} / 1 / 1};
  constexpr std::chrono::sys_seconds kLatest = std::chrono::sys_days{std::chrono::year{2200} / 1 / 1};
  if (secs < kEarliest) return Time{kEarliest};
  if (secs > kLatest) return Time{kLatest};
  return Time{secs} + std::chrono::nanoseconds{nanos};
}

std::string format_rfc3339(Time t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day};
  auto since_midnight = t - day;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_midnight);
  int64_t nanos = (since_midnight - secs).count();
  int64_t s = secs.count();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60));
  return buf + fraction(nanos) + "Z";
}

// One or more <number><unit> parts ("90s", "1.5s", "1h30m"); the number may carry a
// fraction of up to 9 digits. Signs are rejected: no setting here means a negative span.
std::optional<Duration> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  __int128 total = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    if (!is_digit(s[pos])) return std::nullopt;
    __int128 whole = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      whole = whole * 10 + (s[pos] - '0');
      if (whole > std::numeric_limits<int64_t>::max()) return std::nullopt;
      ++pos;
    }
    int64_t frac = 0;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int digits;
      if (!read_fraction(s, pos, frac, digits) || digits == 0) return std::nullopt;
    }
    size_t unit_start = pos;
    while (pos < s.size() && !is_digit(s[pos])) ++pos;
    auto unit = unit_nanos(s.substr(unit_start, pos - unit_start));
    if (!unit) return std::nullopt;
    total += whole * *unit + static_cast<__int128>(frac) * *unit / kNanosPerSecond;
    if (total > std::numeric_limits<int64_t>::max()) return std::nullopt;
  }
  return Duration{static_cast<int64_t>(total)};
}

std::string format_duration(Duration d) {
  int64_t n = d.count();
  bool negative = n < 0;
  // Unsigned arithmetic keeps the most negative value representable.
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string out = negative ? "-" : "";
  out += std::to_string(mag / kNanosPerSecond);
  out += fraction(static_cast<int64_t>(mag % kNanosPerSecond));
  out += "s";
  return out;
}

}  // namespace gcpsim::core
