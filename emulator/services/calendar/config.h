// Calendar's stack-file section: users and the events seeded on their primary calendars
// (`calendar.users`).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/stack_section.h"
#include "core/time.h"

namespace gcpsim::services::calendar {

struct CalendarEvent {
  std::string summary;
  std::string description;
  core::Time start, end;
  bool all_day = false;                 // start/end were written as dates
  std::vector<std::string> recurrence;  // RFC 5545 lines: "RRULE:FREQ=WEEKLY;BYDAY=MO"
};

struct CalendarUser {
  std::vector<CalendarEvent> events;  // on the user's primary calendar
};

struct CalendarConfig {
  std::map<std::string, CalendarUser> users;  // by email
};

// The `calendar` section; its result is ctx.stack.section<CalendarConfig>("calendar").
core::StackSection stack_section();

}  // namespace gcpsim::services::calendar
