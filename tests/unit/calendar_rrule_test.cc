// Specification of recurrence expansion: DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT,
// UNTIL, BYDAY (ordinals for MONTHLY), BYMONTHDAY, EXDATE and RDATE.
#include <catch2/catch.hpp>

#include "services/calendar/rrule.h"

namespace calendar_rrule_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::calendar;
using namespace std::chrono_literals;

namespace {

core::Time at(const std::string& s) { return *core::parse_rfc3339(s); }

EventTime timed(const std::string& s, int offset_minutes = 0) {
  EventTime t;
  t.instant = at(s);
  t.offset_minutes = offset_minutes;
  t.time_zone = "UTC";
  return t;
}

std::vector<std::string> starts(const std::vector<std::string>& lines, const EventTime& first, const std::string& from = "2000-01-01T00:00:00Z",
                                 const std::string& to = "2100-01-01T00:00:00Z", size_t limit = 1000) {
  auto rec = parse_recurrence(lines);
  INFO(rec.status().to_string());
  REQUIRE(rec.ok());
  std::vector<std::string> out;
  for (auto t : expand(*rec, first, 30min, at(from), at(to), limit)) out.push_back(core::format_rfc3339(t));
  return out;
}

}  // namespace

TEST_CASE("DAILY with COUNT and INTERVAL") {
  REQUIRE(starts({"RRULE:FREQ=DAILY;COUNT=3;INTERVAL=2"}, timed("2026-01-05T09:00:00Z")) ==
          std::vector<std::string>{"2026-01-05T09:00:00Z", "2026-01-07T09:00:00Z", "2026-01-09T09:00:00Z"});
}

TEST_CASE("WEEKLY on several days until a date, in the event's own offset") {
  // 09:00 at +02:00 is 07:00Z; Monday/Wednesday/Friday are the local days.
  auto got = starts({"RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20260112T235959Z"}, timed("2026-01-05T07:00:00Z", 120));
  REQUIRE(got == std::vector<std::string>{"2026-01-05T07:00:00Z", "2026-01-07T07:00:00Z", "2026-01-09T07:00:00Z",
                                          "2026-01-12T07:00:00Z"});
}

TEST_CASE("WEEKLY without BYDAY repeats on the start's weekday, the window and limit bound unbounded rules") {
  auto got = starts({"RRULE:FREQ=WEEKLY"}, timed("2026-01-01T10:00:00Z"), "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
  REQUIRE(got == std::vector<std::string>{"2026-02-05T10:00:00Z", "2026-02-12T10:00:00Z", "2026-02-19T10:00:00Z",
                                          "2026-02-26T10:00:00Z"});
  REQUIRE(starts({"RRULE:FREQ=DAILY"}, timed("2026-01-01T10:00:00Z"), "2026-01-01T00:00:00Z", "2100-01-01T00:00:00Z", 5).size() == 5);
}

TEST_CASE("MONTHLY by month day skips short months, by ordinal weekday, last Friday") {
  REQUIRE(starts({"RRULE:FREQ=MONTHLY;COUNT=3"}, timed("2026-01-31T12:00:00Z")) ==
          std::vector<std::string>{"2026-01-31T12:00:00Z", "2026-03-31T12:00:00Z", "2026-05-31T12:00:00Z"});
  REQUIRE(starts({"RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=2"}, timed("2026-01-13T12:00:00Z")) ==
          std::vector<std::string>{"2026-01-13T12:00:00Z", "2026-02-10T12:00:00Z"});
  REQUIRE(starts({"RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=2"}, timed("2026-01-30T12:00:00Z")) ==
          std::vector<std::string>{"2026-01-30T12:00:00Z", "2026-02-27T12:00:00Z"});
  REQUIRE(starts({"RRULE:FREQ=MONTHLY;BYMONTHDAY=1,-1;COUNT=3"}, timed("2026-01-01T08:00:00Z")) ==
          std::vector<std::string>{"2026-01-01T08:00:00Z", "2026-01-31T08:00:00Z", "2026-02-01T08:00:00Z"});
}

TEST_CASE("YEARLY, all-day events and UNTIL as a date") {
  EventTime day;
  day.all_day = true;
  day.instant = at("2026-03-01T00:00:00Z");
  REQUIRE(starts({"RRULE:FREQ=YEARLY;UNTIL=20280301"}, day) ==
          std::vector<std::string>{"2026-03-01T00:00:00Z", "2027-03-01T00:00:00Z", "2028-03-01T00:00:00Z"});
}

TEST_CASE("EXDATE removes occurrences (COUNT still counts them), RDATE adds") {
  auto got = starts({"RRULE:FREQ=DAILY;COUNT=4", "EXDATE:20260106T090000Z,20260107T090000Z", "RDATE:20260120T090000Z"},
                    timed("2026-01-05T09:00:00Z"));
  REQUIRE(got == std::vector<std::string>{"2026-01-05T09:00:00Z", "2026-01-08T09:00:00Z", "2026-01-20T09:00:00Z"});
}

TEST_CASE("occurrences overlapping the window's start are included") {
  auto got = starts({"RRULE:FREQ=DAILY;COUNT=3"}, timed("2026-01-05T09:00:00Z"), "2026-01-06T09:15:00Z", "2026-01-06T12:00:00Z");
  REQUIRE(got == std::vector<std::string>{"2026-01-06T09:00:00Z"});
}

TEST_CASE("malformed rules are refused") {
  for (const char* bad : {"RRULE:FREQ=HOURLY", "RRULE:COUNT=3", "RRULE:FREQ=DAILY;COUNT=x", "RRULE:FREQ=WEEKLY;BYDAY=XX", "NOPE:1"}) {
    INFO(bad);
    REQUIRE(parse_recurrence({bad}).status().code() == core::Code::kInvalidArgument);
  }
}

}  // namespace calendar_rrule_test
