// Parsing and expansion of RRULE/EXDATE/RDATE lines.
#include "services/calendar/rrule.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "services/calendar/errors.h"

namespace gcpsim::services::calendar {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

constexpr int64_t kMaxPeriods = 200000;  // guards rules that never produce a day

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

// "20260105T090000Z" (UTC), "20260105T090000" (read as UTC) or "20260105" (a date).
std::optional<core::Time> parse_basic(const std::string& v, bool& is_date) {
  is_date = v.size() == 8;
  if (!is_date && v.size() != 15 && v.size() != 16) return std::nullopt;
  std::string iso = v.substr(0, 4) + "-" + v.substr(4, 2) + "-" + v.substr(6, 2);
  if (is_date) {
    auto d = parse_date(iso);
    if (!d) return std::nullopt;
    return core::Time(*d);
  }
  if (v[8] != 'T') return std::nullopt;
  return core::parse_rfc3339(iso + "T" + v.substr(9, 2) + ":" + v.substr(11, 2) + ":" + v.substr(13, 2) + "Z");
}

std::optional<ByDay> parse_by_day(const std::string& s) {
  static const std::map<std::string, unsigned> kDays = {{"SU", 0}, {"MO", 1}, {"TU", 2}, {"WE", 3},
                                                        {"TH", 4}, {"FR", 5}, {"SA", 6}};
  if (s.size() < 2) return std::nullopt;
  auto it = kDays.find(s.substr(s.size() - 2));
  if (it == kDays.end()) return std::nullopt;
  ByDay b{0, it->second};
  std::string ord = s.substr(0, s.size() - 2);
  if (!ord.empty()) {
    try {
      b.ordinal = std::stoi(ord);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (b.ordinal == 0 || b.ordinal < -53 || b.ordinal > 53) return std::nullopt;  // RFC 5545 ordwk
  }
  return b;
}

core::Status apply_part(const std::string& key, const std::string& value, RRule& r) {
  static const std::map<std::string, RRule::Freq> kFreqs = {{"DAILY", RRule::Freq::kDaily}, {"WEEKLY", RRule::Freq::kWeekly},
                                                            {"MONTHLY", RRule::Freq::kMonthly}, {"YEARLY", RRule::Freq::kYearly}};
  try {
    if (key == "FREQ") {
      auto it = kFreqs.find(value);
      if (it == kFreqs.end()) return invalid("Invalid recurrence rule.");
      r.freq = it->second;
    } else if (key == "INTERVAL") {
      r.interval = std::stoi(value);
    } else if (key == "COUNT") {
      r.count = std::stoi(value);
    } else if (key == "UNTIL") {
      bool is_date = false;
      auto t = parse_basic(value, is_date);
      if (!t) return invalid("Invalid recurrence rule.");
      r.until = is_date ? *t + days(1) - std::chrono::seconds(1) : *t;
    } else if (key == "BYDAY") {
      for (const auto& d : split(value, ',')) {
        auto b = parse_by_day(d);
        if (!b) return invalid("Invalid recurrence rule.");
        r.by_day.push_back(*b);
      }
    } else if (key == "BYMONTHDAY") {
      for (const auto& d : split(value, ',')) {
        int day = std::stoi(d);
        // RFC 5545 ordmoday; outside it `last + day + 1` could overflow.
        if (day == 0 || day < -31 || day > 31) return invalid("Invalid recurrence rule.");
        r.by_month_day.push_back(day);
      }
    }
  } catch (const std::exception&) {
    return invalid("Invalid recurrence rule.");
  }
  return core::Status::ok();
}

core::StatusOr<RRule> parse_rrule(const std::string& body) {
  RRule r;
  bool has_freq = false;
  for (const auto& part : split(body, ';')) {
    size_t eq = part.find('=');
    if (eq == std::string::npos) return invalid("Invalid recurrence rule.");
    std::string key = part.substr(0, eq);
    has_freq |= key == "FREQ";
    RETURN_IF_ERROR(apply_part(key, part.substr(eq + 1), r));
  }
  if (!has_freq || r.interval < 1 || (r.count && *r.count < 1)) return invalid("Invalid recurrence rule.");
  return r;
}

sys_days nth_weekday(std::chrono::year_month ym, ByDay b, bool& ok) {
  std::chrono::weekday wd{b.weekday};
  std::chrono::year_month_day ymd = b.ordinal >= 0
      ? std::chrono::year_month_day{sys_days{ym / std::chrono::weekday_indexed(wd, static_cast<unsigned>(b.ordinal))}}
      : std::chrono::year_month_day{sys_days{ym / std::chrono::weekday_last(wd)} - days(7 * (-b.ordinal - 1))};
  ok = ymd.ok() && ymd.year() == ym.year() && ymd.month() == ym.month();
  return sys_days(ymd);
}

std::vector<sys_days> month_days(const RRule& r, std::chrono::year_month ym, sys_days start) {
  std::vector<sys_days> out;
  auto last = static_cast<int>(static_cast<unsigned>((ym / std::chrono::last).day()));
  if (!r.by_month_day.empty()) {
    for (int d : r.by_month_day) {
      int day = d > 0 ? d : last + d + 1;
      if (day >= 1 && day <= last) out.push_back(sys_days(ym / std::chrono::day(static_cast<unsigned>(day))));
    }
  } else if (!r.by_day.empty()) {
    for (const auto& b : r.by_day) {
      if (b.ordinal != 0) {
        bool ok = false;
        sys_days d = nth_weekday(ym, b, ok);
        if (ok) out.push_back(d);
        continue;
      }
      for (unsigned n = 1; n <= 5; ++n) {
        bool ok = false;
        sys_days d = nth_weekday(ym, ByDay{static_cast<int>(n), b.weekday}, ok);
        if (ok) out.push_back(d);
      }
    }
  } else {
    auto day = std::chrono::year_month_day{start}.day();
    if (static_cast<int>(static_cast<unsigned>(day)) <= last) out.push_back(sys_days(ym / day));
  }
  return out;
}

bool weekday_allowed(const RRule& r, sys_days d) {
  if (r.by_day.empty()) return true;
  unsigned wd = std::chrono::weekday{d}.c_encoding();
  return std::any_of(r.by_day.begin(), r.by_day.end(), [wd](const ByDay& b) { return b.weekday == wd; });
}

// The candidate days of the k-th period (k intervals after the first), sorted.
std::vector<sys_days> period_days(const RRule& r, sys_days start, int64_t k) {
  std::vector<sys_days> out;
  int64_t step = k * r.interval;
  switch (r.freq) {
    case RRule::Freq::kDaily: {
      sys_days d = start + days(step);
      if (weekday_allowed(r, d)) out.push_back(d);
      break;
    }
    case RRule::Freq::kWeekly: {
      unsigned from_monday = (std::chrono::weekday{start}.c_encoding() + 6) % 7;
      sys_days week = start - days(from_monday) + days(7 * step);
      if (r.by_day.empty()) out.push_back(week + days(from_monday));
      for (const auto& b : r.by_day) out.push_back(week + days((b.weekday + 6) % 7));
      break;
    }
    case RRule::Freq::kMonthly: {
      std::chrono::year_month_day ymd{start};
      auto ym = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months(step);
      out = month_days(r, ym, start);
      break;
    }
    case RRule::Freq::kYearly: {
      std::chrono::year_month_day ymd{start};
      std::chrono::year_month_day next{ymd.year() + std::chrono::years(step), ymd.month(), ymd.day()};
      if (next.ok()) out.push_back(sys_days(next));
      break;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The first day a period could hold, to stop an unbounded rule past the window.
sys_days period_floor(const RRule& r, sys_days start, int64_t k) {
  int64_t step = k * r.interval;
  switch (r.freq) {
    case RRule::Freq::kDaily: return start + days(step);
    case RRule::Freq::kWeekly: return start - days(7) + days(7 * step);
    case RRule::Freq::kMonthly: return start - days(31) + days(28 * step);
    case RRule::Freq::kYearly: return start - days(1) + days(365 * step);
  }
  return start;
}

}  // namespace

core::StatusOr<Recurrence> parse_recurrence(const std::vector<std::string>& lines) {
  Recurrence rec;
  for (const auto& line : lines) {
    size_t colon = line.rfind(':');
    if (colon == std::string::npos) return invalid("Invalid recurrence rule.");
    std::string head = line.substr(0, colon), value = line.substr(colon + 1);
    std::string name = head.substr(0, head.find(';'));
    if (name == "RRULE") {
      if (rec.rule) return invalid("Only one RRULE is supported per recurrence.");
      ASSIGN_OR_RETURN(rec.rule, parse_rrule(value));
    } else if (name == "EXDATE" || name == "RDATE") {
      for (const auto& v : split(value, ',')) {
        bool is_date = false;
        auto t = parse_basic(v, is_date);
        if (!t) return invalid("Invalid recurrence rule.");
        if (name == "EXDATE") rec.exdates.push_back(v.size() == 15 ? v + "Z" : v);
        else rec.rdates.push_back(*t);
      }
    } else if (name != "EXRULE") {
      return invalid("Invalid recurrence rule.");
    }
  }
  return rec;
}

std::vector<core::Time> expand(const Recurrence& r, const EventTime& first, core::Duration length, core::Time from,
                               core::Time to, size_t limit) {
  std::vector<core::Time> out;
  auto keep = [&](core::Time t) {
    bool excluded = std::find(r.exdates.begin(), r.exdates.end(), basic_stamp(first.at(t))) != r.exdates.end();
    if (!excluded && t < to && t + length > from) out.push_back(t);
  };
  if (!r.rule) {
    keep(first.instant);
  } else {
    const RRule& rule = *r.rule;
    sys_days start = first.local_day();
    core::Duration shift = first.local_time_of_day() - std::chrono::minutes(first.offset_minutes);
    int produced = 0;
    bool done = false;
    for (int64_t k = 0; k < kMaxPeriods && !done && out.size() < limit; ++k) {
      if (core::Time(period_floor(rule, start, k)) + shift > to) break;
      for (sys_days d : period_days(rule, start, k)) {
        if (d < start) continue;
        core::Time t = core::Time(d) + shift;
        if ((rule.until && t > *rule.until) || (rule.count && produced >= *rule.count) || t >= to) {
          done = true;
          break;
        }
        ++produced;
        keep(t);
        if (out.size() >= limit) break;
      }
    }
  }
  for (core::Time t : r.rdates) keep(t);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace gcpsim::services::calendar
