// RFC 5545 recurrence as Calendar accepts it: RRULE with FREQ DAILY/WEEKLY/MONTHLY/YEARLY,
// INTERVAL, COUNT, UNTIL, BYDAY (with ordinals for MONTHLY), BYMONTHDAY, plus EXDATE and
// RDATE lines, expanded into occurrence start times.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "services/calendar/times.h"

namespace gcpsim::services::calendar {

struct ByDay {
  int ordinal = 0;  // 0: every such weekday; 1 first, -1 last, …
  unsigned weekday = 0;  // 0 = Sunday … 6 = Saturday (std::chrono::weekday encoding)
};

struct RRule {
  enum class Freq { kDaily, kWeekly, kMonthly, kYearly };
  Freq freq = Freq::kDaily;
  int interval = 1;
  std::optional<int> count;
  std::optional<core::Time> until;  // inclusive
  std::vector<ByDay> by_day;
  std::vector<int> by_month_day;
};

struct Recurrence {
  std::optional<RRule> rule;
  std::vector<std::string> exdates;  // basic stamps: "20260105T090000Z" or "20260105"
  std::vector<core::Time> rdates;
};

core::StatusOr<Recurrence> parse_recurrence(const std::vector<std::string>& lines);

// Start times of the series that begins at `first`, in order: those starting before `to`
// and ending after `from` (occurrences last `length`), at most `limit` of them. COUNT
// counts from the first occurrence whether or not it is in the window.
std::vector<core::Time> expand(const Recurrence& r, const EventTime& first, core::Duration length, core::Time from,
                               core::Time to, size_t limit);

}  // namespace gcpsim::services::calendar
