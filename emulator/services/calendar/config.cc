// Reads the `calendar` section: users by email, each with events (dates or timestamps).
#include "services/calendar/config.h"

#include <regex>

#include "core/stack_yaml.h"

namespace gcpsim::services::calendar {
namespace {

using namespace core::stackfile;

// Calendar takes a date ("2026-01-05") for all-day events and a timestamp otherwise.
core::Time event_time(const Field& f, bool& is_date) {
  std::string s = text(f);
  static const std::regex kDate("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  is_date = std::regex_match(s, kDate);
  auto t = core::parse_rfc3339(is_date ? s + "T00:00:00Z" : s);
  if (!t) {
    fail(f, "expected a date like '2026-01-05' or a timestamp like '2026-01-05T09:00:00Z', got '" + s + "'");
  }
  return *t;
}

CalendarEvent read_event(const Field& f) {
  Map m(f, {"summary", "start", "end", "description", "recurrence"});
  CalendarEvent e;
  if (auto s = m.get("summary")) e.summary = text(*s);
  if (auto d = m.get("description")) e.description = text(*d);
  bool start_is_date = false, end_is_date = false;
  Field end = m.require("end");
  e.start = event_time(m.require("start"), start_is_date);
  e.end = event_time(end, end_is_date);
  if (start_is_date != end_is_date) fail(end, "start and end must both be dates or both be timestamps");
  if (e.end <= e.start) fail(end, "must be after start");
  e.all_day = start_is_date;
  if (auto r = m.get("recurrence")) e.recurrence = strings(*r);
  return e;
}

}  // namespace

core::StackSection stack_section() {
  return {"calendar", [](const Field& section, core::SectionContext&) -> std::any {
            Map m(section, {"users"});
            CalendarConfig cfg;
            if (auto f = m.get("users")) {
              for (auto& [email, uf] : entries(*f)) {
                auto at = email.find('@');
                if (at == std::string::npos || at == 0 || at + 1 == email.size()) {
                  fail_under(uf, "'" + email + "' is not an email address");
                }
                Map um(uf, {"events"});
                CalendarUser user;
                if (auto e = um.get("events")) {
                  for (auto& ef : items(*e)) user.events.push_back(read_event(ef));
                }
                cfg.users[email] = std::move(user);
              }
            }
            return cfg;
          }};
}

}  // namespace gcpsim::services::calendar
