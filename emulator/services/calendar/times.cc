// Parsing and formatting of Calendar dates, dateTimes and offsets.
#include "services/calendar/times.h"

#include <cstdio>

#include "services/calendar/errors.h"

namespace gcpsim::services::calendar {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

bool ends_with_offset(std::string_view s) {
  if (s.empty()) return false;
  if (s.back() == 'Z' || s.back() == 'z') return true;
  return s.size() > 6 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-') && s[s.size() - 3] == ':';
}

int offset_of(std::string_view s) {
  if (s.back() == 'Z' || s.back() == 'z') return 0;
  int sign = s[s.size() - 6] == '-' ? -1 : 1;
  int h = std::stoi(std::string(s.substr(s.size() - 5, 2)));
  int m = std::stoi(std::string(s.substr(s.size() - 2, 2)));
  return sign * (h * 60 + m);
}

}  // namespace

sys_days EventTime::local_day() const {
  return std::chrono::floor<days>(instant + std::chrono::minutes(offset_minutes));
}

core::Duration EventTime::local_time_of_day() const {
  auto local = instant + std::chrono::minutes(offset_minutes);
  return local - std::chrono::floor<days>(local);
}

EventTime EventTime::at(core::Time t) const {
  EventTime e = *this;
  e.instant = t;
  return e;
}

std::optional<sys_days> parse_date(std::string_view s) {
  unsigned y = 0, m = 0, d = 0;
  if (s.size() != 10 || std::sscanf(std::string(s).c_str(), "%4u-%2u-%2u", &y, &m, &d) != 3) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(y)), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd);
}

std::string format_date(sys_days d) {
  std::chrono::year_month_day ymd{d};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string format_at_offset(core::Time t, int offset_minutes) {
  if (offset_minutes == 0) return core::format_rfc3339(t);
  std::string local = core::format_rfc3339(t + std::chrono::minutes(offset_minutes));
  local.pop_back();  // the 'Z'
  int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  return local + buf;
}

std::optional<core::Time> parse_query_time(std::string_view s) {
  if (!ends_with_offset(s)) return std::nullopt;
  return core::parse_rfc3339(s);
}

core::StatusOr<EventTime> parse_event_time(const Json& j, const std::string& which) {
  EventTime t;
  if (!j.is_object()) return invalid("Invalid value for: " + which);
  auto str = [&j](const char* k) { auto it = j.find(k); return it != j.end() && it->is_string() ? it->get<std::string>() : std::string(); };
  t.time_zone = str("timeZone");
  if (std::string date = str("date"); !date.empty()) {
    auto d = parse_date(date);
    if (!d) return invalid("Invalid value for: " + which + ".date");
    t.all_day = true;
    t.instant = core::Time(*d);
    return t;
  }
  std::string dt = str("dateTime");
  if (dt.empty()) return required_field("Missing " + which + " time.");
  // A dateTime without an offset is local to timeZone; gcpsim has no zone database and
  // reads it as UTC.
  bool has_offset = ends_with_offset(dt);
  auto parsed = core::parse_rfc3339(has_offset ? dt : dt + "Z");
  if (!parsed) return invalid("Invalid value for: " + which + ".dateTime");
  t.instant = *parsed;
  t.offset_minutes = has_offset ? offset_of(dt) : 0;
  return t;
}

Json event_time_json(const EventTime& t) {
  Json j = Json::object();
  if (t.all_day) {
    j["date"] = format_date(std::chrono::floor<days>(t.instant));
  } else {
    j["dateTime"] = format_at_offset(t.instant, t.offset_minutes);
  }
  if (!t.time_zone.empty()) j["timeZone"] = t.time_zone;
  return j;
}

std::string basic_stamp(const EventTime& t) {
  std::string iso = t.all_day ? format_date(std::chrono::floor<days>(t.instant)) : core::format_rfc3339(std::chrono::floor<std::chrono::seconds>(t.instant));
  std::string out;
  for (char c : iso) {
    if (c != '-' && c != ':') out += c;
  }
  return out;
}

}  // namespace gcpsim::services::calendar
