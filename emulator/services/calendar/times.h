// Calendar's time values: an event's start/end as date or dateTime (with the offset it was
// written in, kept for output), RFC 3339 query timestamps, and the date arithmetic that
// recurrence and quickAdd share.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"

namespace gcpsim::services::calendar {

using Json = nlohmann::ordered_json;

struct EventTime {
  bool all_day = false;
  core::Time instant{};       // the dateTime, or midnight UTC of the date
  int offset_minutes = 0;     // local time = instant + offset (dateTime's own offset)
  std::string time_zone;      // "timeZone" as given; empty when absent

  std::chrono::sys_days local_day() const;
  core::Duration local_time_of_day() const;
  // Same form and offset, another instant.
  EventTime at(core::Time t) const;
};

// {"dateTime": "...", "timeZone": "..."} or {"date": "2026-01-05"}. `which` ("start",
// "end") names the field in errors.
core::StatusOr<EventTime> parse_event_time(const Json& j, const std::string& which);
Json event_time_json(const EventTime& t);

// "2026-01-05T09:00:00+01:00": RFC 3339 rendered at an offset ("Z" for zero).
std::string format_at_offset(core::Time t, int offset_minutes);
// "2026-01-05".
std::string format_date(std::chrono::sys_days d);
std::optional<std::chrono::sys_days> parse_date(std::string_view s);
// Query parameters (timeMin, timeMax, updatedMin): RFC 3339 with a mandatory offset.
std::optional<core::Time> parse_query_time(std::string_view s);
// Recurrence ids and EXDATE values: "20260105T090000Z" or "20260105".
std::string basic_stamp(const EventTime& t);

}  // namespace gcpsim::services::calendar
