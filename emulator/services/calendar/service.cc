// Calendar's row in the services table: store, seed data, routes.
#include "services/calendar/service.h"

#include <stdexcept>

#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "services/oauth/service.h"

namespace gcpsim::services::calendar {

Json seed_body(const CalendarEvent& e) {
  Json body = {{"summary", e.summary}};
  if (!e.description.empty()) body["description"] = e.description;
  auto when = [&e](core::Time t) {
    if (e.all_day) return Json{{"date", format_date(std::chrono::floor<std::chrono::days>(t))}};
    // Recurring events need a zone; the stack file's times are UTC.
    return Json{{"dateTime", core::format_rfc3339(t)}, {"timeZone", "UTC"}};
  };
  body["start"] = when(e.start);
  body["end"] = when(e.end);
  if (!e.recurrence.empty()) body["recurrence"] = e.recurrence;
  return body;
}

CalendarService::CalendarService(Context& ctx) : env_(ctx.env) {
  auto opened = CalendarStore::open(env_);
  if (!opened.ok()) throw std::runtime_error("calendar: " + opened.status().to_string());
  store_ = std::move(opened).value();
  const auto* identity = ctx.registry.get<oauth::OAuthService>("oauth");
  if (!identity) throw std::runtime_error("calendar: the oauth service must come first in the services table");
  add_routes(ctx.router, env_, *store_, *identity);
  seed(ctx.stack);
}

// A user's events are created with their primary calendar, so a data directory that
// already holds it is left alone.
void CalendarService::seed(const core::StackConfig& stack) {
  const auto* calendar = stack.section<CalendarConfig>("calendar");
  if (!calendar) return;
  for (const auto& [email, user] : calendar->users) {
    if (store_->exists(email)) continue;
    for (const auto& e : user.events) {
      auto st = store_->insert_event(email, "primary", seed_body(e)).status();
      if (!st.is_ok()) {
        env_.events.record("calendar.error", "calendar", {{"user", email}, {"message", "seeding from the stack file: " + st.message()}});
      }
    }
  }
}

std::unique_ptr<Service> create(Context& ctx) { return std::make_unique<CalendarService>(ctx); }

}  // namespace gcpsim::services::calendar
