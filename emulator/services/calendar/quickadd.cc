// Parses quickAdd text into an event body.
#include "services/calendar/quickadd.h"

#include <cctype>
#include <optional>
#include <regex>
#include <vector>

#include "core/text.h"

namespace gcpsim::services::calendar {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

struct Found {
  std::optional<sys_days> day;
  std::optional<core::Duration> time;
};

using core::lower;

// Removes the first match of re from text, returning its groups ("" when unmatched).
std::optional<std::vector<std::string>> take(std::string& text, const std::regex& re) {
  std::smatch m;
  if (!std::regex_search(text, m, re)) return std::nullopt;
  std::vector<std::string> groups;
  for (const auto& g : m) groups.push_back(g.matched ? g.str() : "");
  text = m.prefix().str() + " " + m.suffix().str();
  return groups;
}

std::optional<core::Duration> take_time(std::string& text) {
  static const std::regex kNamed(R"(\b(?:at\s+)?(noon|midnight)\b)", std::regex::icase);
  static const std::regex kClock(R"(\b(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b|\b(?:at\s+)?(\d{1,2}):(\d{2})\b)", std::regex::icase);
  if (auto m = take(text, kNamed)) return lower((*m)[1]) == "noon" ? core::Duration(std::chrono::hours(12)) : core::Duration(0);
  auto m = take(text, kClock);
  if (!m) return std::nullopt;
  int hour = 0, minute = 0;
  const auto& g = *m;
  if (!g[1].empty()) {
    hour = std::stoi(g[1]) % 12;
    minute = g[2].empty() ? 0 : std::stoi(g[2]);
    if (lower(g[3]) == "pm") hour += 12;
  } else {
    hour = std::stoi(g[4]);
    minute = std::stoi(g[5]);
  }
  if (hour > 23 || minute > 59) return std::nullopt;
  return std::chrono::hours(hour) + std::chrono::minutes(minute);
}

std::optional<sys_days> take_day(std::string& text, sys_days today) {
  static const std::regex kRelative(R"(\b(?:on\s+)?(today|tomorrow)\b)", std::regex::icase);
  static const std::regex kIso(R"(\b(?:on\s+)?(\d{4}-\d{2}-\d{2})\b)", std::regex::icase);
  static const std::regex kWeekday(R"(\b(?:on\s+|next\s+)?(sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b)", std::regex::icase);
  static const std::regex kMonthDay(R"(\b(?:on\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b)", std::regex::icase);
  static const char* kWeekdays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  static const std::string kMonths = "janfebmaraprmayjunjulaugsepoctnovdec";
  if (auto m = take(text, kRelative)) return lower((*m)[1]) == "today" ? today : today + days(1);
  if (auto m = take(text, kIso)) return parse_date((*m)[1]);
  if (auto m = take(text, kWeekday)) {
    unsigned target = 0;
    while (lower((*m)[1]) != kWeekdays[target]) ++target;
    unsigned now = std::chrono::weekday{today}.c_encoding();
    return today + days((target + 7 - now) % 7 == 0 ? 7 : (target + 7 - now) % 7);
  }
  if (auto m = take(text, kMonthDay)) {
    unsigned month = static_cast<unsigned>(kMonths.find(lower((*m)[1]).substr(0, 3)) / 3 + 1);
    std::chrono::year_month_day t{today};
    std::chrono::year_month_day d{t.year(), std::chrono::month(month), std::chrono::day(static_cast<unsigned>(std::stoi((*m)[2])))};
    if (!d.ok()) return std::nullopt;
    if (sys_days(d) < today) d = std::chrono::year_month_day{t.year() + std::chrono::years(1), d.month(), d.day()};
    return sys_days(d);
  }
  return std::nullopt;
}

std::string tidy(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

Json quick_add_body(const std::string& text, core::Time now) {
  std::string rest = text;
  sys_days today = std::chrono::floor<days>(now);
  auto time = take_time(rest);
  auto day = take_day(rest, today);
  Json body = {{"summary", tidy(rest).empty() ? text : tidy(rest)}};
  if (day && !time) {
    body["start"] = {{"date", format_date(*day)}};
    body["end"] = {{"date", format_date(*day + days(1))}};
    return body;
  }
  core::Time start = time ? core::Time(day.value_or(today)) + *time
                          : std::chrono::ceil<std::chrono::hours>(now + std::chrono::seconds(1));
  if (time && !day && start < now) start += days(1);
  body["start"] = {{"dateTime", core::format_rfc3339(start)}};
  body["end"] = {{"dateTime", core::format_rfc3339(start + std::chrono::hours(1))}};
  return body;
}

}  // namespace gcpsim::services::calendar
