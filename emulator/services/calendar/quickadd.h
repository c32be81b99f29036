// quickAdd's text parser: "Lunch with Bob tomorrow at 12:30pm" → an event body. Knows
// today/tomorrow, weekday names, ISO dates, "Jan 5", and times like 3pm, 15:00, noon.
#pragma once
#include <string>

#include "core/time.h"
#include "services/calendar/times.h"

namespace gcpsim::services::calendar {

// {summary, start, end}: an hour at the time named; all day when only a date is named;
// the next full hour when neither is.
Json quick_add_body(const std::string& text, core::Time now);

}  // namespace gcpsim::services::calendar
