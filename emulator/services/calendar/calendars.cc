// Calendars: each user's primary calendar (created on first use), secondary calendars,
// and the calendar list.
#include "core/clock.h"
#include "core/env.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/calendar/domain.h"
#include "services/calendar/errors.h"

namespace gcpsim::services::calendar {
namespace {

constexpr const char* kDefaultTimeZone = "UTC";

std::string etag_for(core::Time now) { return "\"" + std::to_string(core::to_micros(now)) + "\""; }

Json calendar_resource(const std::string& id, const std::string& summary, core::Time now) {
  return Json{{"kind", "calendar#calendar"},
              {"etag", etag_for(now)},
              {"id", id},
              {"summary", summary},
              {"timeZone", kDefaultTimeZone},
              {"conferenceProperties", {{"allowedConferenceSolutionTypes", {"hangoutsMeet"}}}}};
}

Json list_entry(const Json& cal, bool primary) {
  Json e = {{"kind", "calendar#calendarListEntry"}, {"etag", cal["etag"]}, {"id", cal["id"]}, {"summary", cal["summary"]}};
  if (cal.contains("description")) e["description"] = cal["description"];
  e["timeZone"] = cal["timeZone"];
  e["colorId"] = primary ? "14" : "9";
  e["backgroundColor"] = primary ? "#9fe1e7" : "#7bd148";
  e["foregroundColor"] = "#000000";
  e["selected"] = true;
  e["accessRole"] = "owner";
  e["defaultReminders"] = primary ? Json::array({{{"method", "popup"}, {"minutes", 10}}}) : Json::array();
  if (primary) {
    e["notificationSettings"] = {{"notifications", Json::array({{{"type", "eventCreation"}, {"method", "email"}},
                                                                  {{"type", "eventChange"}, {"method", "email"}},
                                                                  {{"type", "eventCancellation"}, {"method", "email"}},
                                                                  {{"type", "eventResponse"}, {"method", "email"}}})}};
    e["primary"] = true;
  }
  e["conferenceProperties"] = cal["conferenceProperties"];
  return e;
}

}  // namespace

core::StatusOr<Json> CalendarStore::primary(const std::string& user) {
  if (auto row = load_calendar(user)) return row->resource;
  Json cal = calendar_resource(user, user, env_.clock.now());
  RETURN_IF_ERROR(save_calendar(user, CalendarRow{user, cal}));
  return cal;
}

core::StatusOr<std::string> CalendarStore::resolve(const std::string& user, const std::string& calendar_id) {
  if (calendar_id == "primary" || calendar_id == user) {
    RETURN_IF_ERROR(primary(user).status());
    return user;
  }
  auto row = load_calendar(calendar_id);
  if (!row || row->owner != user) return not_found();
  return calendar_id;
}

core::StatusOr<Json> CalendarStore::get_calendar(const std::string& user, const std::string& calendar_id) {
  ASSIGN_OR_RETURN(std::string id, resolve(user, calendar_id));
  return load_calendar(id)->resource;
}

core::StatusOr<Json> CalendarStore::insert_calendar(const std::string& user, const Json& body) {
  auto summary = body.find("summary");
  if (summary == body.end() || !summary->is_string() || summary->get<std::string>().empty()) {
    return required_field("Missing summary.");
  }
  std::string id = "c_" + env_.ids.hex("calendar.calendar", 32) + "@group.calendar.google.com";
  Json cal = calendar_resource(id, summary->get<std::string>(), env_.clock.now());
  for (const char* k : {"description", "location", "timeZone"}) {
    if (auto it = body.find(k); it != body.end() && it->is_string()) cal[k] = *it;
  }
  RETURN_IF_ERROR(save_calendar(id, CalendarRow{user, cal}));
  return cal;
}

core::StatusOr<Json> CalendarStore::patch_calendar(const std::string& user, const std::string& calendar_id, const Json& body) {
  ASSIGN_OR_RETURN(std::string id, resolve(user, calendar_id));
  CalendarRow row = *load_calendar(id);
  for (const char* k : {"summary", "description", "location", "timeZone"}) {
    if (auto it = body.find(k); it != body.end() && it->is_string()) row.resource[k] = *it;
  }
  row.resource["etag"] = etag_for(env_.clock.now());
  RETURN_IF_ERROR(save_calendar(id, row));
  return row.resource;
}

core::Status CalendarStore::delete_calendar(const std::string& user, const std::string& calendar_id) {
  ASSIGN_OR_RETURN(std::string id, resolve(user, calendar_id));
  if (id == user) {
    return calendar_error(core::Code::kInvalidArgument, "cannotDeletePrimaryCalendar", "Cannot delete primary calendar.");
  }
  auto tx = env_.store.begin();
  auto events = env_.store.prepare("DELETE FROM calendar_events WHERE calendar_id = ?");
  RETURN_IF_ERROR(events.bind_all(id).run());
  auto cal = env_.store.prepare("DELETE FROM calendar_calendars WHERE id = ?");
  RETURN_IF_ERROR(cal.bind_all(id).run());
  return tx.commit();
}

std::vector<Json> CalendarStore::calendar_list(const std::string& user) {
  std::vector<Json> out;
  auto p = primary(user);
  if (p.ok()) out.push_back(list_entry(*p, true));
  auto st = env_.store.prepare("SELECT resource FROM calendar_calendars WHERE owner = ? AND id != ? ORDER BY id");
  st.bind_all(user, user);
  while (st.step()) out.push_back(list_entry(Json::parse(st.column_text(0)), false));
  return out;
}

}  // namespace gcpsim::services::calendar
