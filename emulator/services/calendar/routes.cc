// Calendar v3's route table, one line per method, and Calendar's error envelope.
#include <memory>

#include "core/env.h"
#include "core/json_depth.h"
#include "net/http.h"
#include "net/route.h"
#include "services/calendar/errors.h"
#include "services/calendar/service.h"
#include "services/oauth/service.h"

namespace gcpsim::services::calendar {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;

using Handler = std::function<core::StatusOr<HttpResponse>(CalendarStore&, const std::string& user, const HttpRequest&)>;

std::string reason_for(const core::Status& s) {
  for (const auto& d : s.details()) {
    if (const auto* info = std::get_if<core::ErrorInfo>(&d)) return info->reason;
  }
  switch (s.code()) {
    case core::Code::kNotFound: return "notFound";
    case core::Code::kInvalidArgument: return "invalid";
    case core::Code::kUnauthenticated: return "authError";
    case core::Code::kPermissionDenied: return "forbidden";
    case core::Code::kResourceExhausted: return "rateLimitExceeded";
    case core::Code::kAlreadyExists: return "duplicate";
    case core::Code::kFailedPrecondition: return "conditionNotMet";
    default: return "backendError";
  }
}

// {"error":{"errors":[{"domain":"global","reason":…,"message":…}],"code":…,"message":…}}
HttpResponse calendar_failure(const core::Status& s) {
  std::string reason = reason_for(s);
  int http = reason == "fullSyncRequired" || reason == "deleted" ? 410 : core::http_status(s.code());
  Json item = {{"domain", "global"}, {"reason", reason}, {"message", s.message()}};
  if (s.code() == core::Code::kUnauthenticated) {
    item["locationType"] = "header";
    item["location"] = "Authorization";
  }
  Json body = {{"error", {{"errors", Json::array({item})}, {"code", http}, {"message", s.message()}}}};
  return HttpResponse::json(http, body.dump());
}

HttpResponse ok(const Json& j) { return HttpResponse::json(200, j.dump()); }

core::StatusOr<Json> body_of(const HttpRequest& req) {
  if (req.body.empty()) return Json::object();
  // Events are stored and listed by recursive dumps: refuse what nests past Google's limit.
  if (!core::json_depth_within(req.body)) return calendar_error(core::Code::kInvalidArgument, "parseError", "Parse Error");
  Json j = Json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return calendar_error(core::Code::kInvalidArgument, "parseError", "Parse Error");
  return j;
}

core::StatusOr<std::optional<core::Time>> time_param(const HttpRequest& req, const char* name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<core::Time>();
  auto t = parse_query_time(*v);
  if (!t) return bad_request();
  return std::optional<core::Time>(*t);
}

core::StatusOr<ListQuery> list_query(const HttpRequest& req) {
  ListQuery q;
  ASSIGN_OR_RETURN(q.time_min, time_param(req, "timeMin"));
  ASSIGN_OR_RETURN(q.time_max, time_param(req, "timeMax"));
  ASSIGN_OR_RETURN(q.updated_min, time_param(req, "updatedMin"));
  q.single_events = req.query_param("singleEvents").value_or("") == "true";
  q.show_deleted = req.query_param("showDeleted").value_or("") == "true";
  q.order_by = req.query_param("orderBy").value_or("");
  q.q = req.query_param("q").value_or("");
  q.page_token = req.query_param("pageToken").value_or("");
  q.sync_token = req.query_param("syncToken").value_or("");
  q.i_cal_uid = req.query_param("iCalUID").value_or("");
  if (auto m = req.query_param("maxResults")) {
    try {
      q.max_results = std::stoi(*m);
    } catch (const std::exception&) {
      return invalid("Invalid value for: maxResults");
    }
  }
  return q;
}

Json events_json(const EventPage& page) {
  std::string updated;
  for (const auto& e : page.items) updated = std::max(updated, e.value("updated", ""));
  Json j = {{"kind", "calendar#events"}, {"etag", page.calendar.value("etag", "\"0\"")}, {"summary", page.calendar.value("summary", "")}};
  if (page.calendar.contains("description")) j["description"] = page.calendar["description"];
  if (!updated.empty()) j["updated"] = updated;
  j["timeZone"] = page.calendar.value("timeZone", "UTC");
  j["accessRole"] = "owner";
  j["defaultReminders"] = Json::array({{{"method", "popup"}, {"minutes", 10}}});
  if (!page.next_page_token.empty()) j["nextPageToken"] = page.next_page_token;
  if (!page.next_sync_token.empty()) j["nextSyncToken"] = page.next_sync_token;
  j["items"] = page.items;
  return j;
}

core::StatusOr<HttpResponse> list_events(CalendarStore& s, const std::string& user, const HttpRequest& req) {
  ASSIGN_OR_RETURN(ListQuery q, list_query(req));
  ASSIGN_OR_RETURN(EventPage page, s.list_events(user, req.param("calendarId"), q));
  return ok(events_json(page));
}

core::StatusOr<HttpResponse> instances(CalendarStore& s, const std::string& user, const HttpRequest& req) {
  ASSIGN_OR_RETURN(ListQuery q, list_query(req));
  ASSIGN_OR_RETURN(EventPage page, s.instances(user, req.param("calendarId"), req.param("eventId"), q));
  return ok(events_json(page));
}

core::StatusOr<HttpResponse> free_busy(CalendarStore& s, const std::string& user, const HttpRequest& req) {
  ASSIGN_OR_RETURN(Json body, body_of(req));
  FreeBusyQuery q;
  for (const char* k : {"timeMin", "timeMax"}) {
    auto it = body.find(k);
    if (it == body.end() || !it->is_string()) return required_field(std::string("Missing ") + k + " parameter.");
    auto t = parse_query_time(it->get<std::string>());
    if (!t) return bad_request();
    (std::string(k) == "timeMin" ? q.time_min : q.time_max) = *t;
  }
  if (q.time_max <= q.time_min) return time_range_empty();
  if (auto items = body.find("items"); items != body.end() && items->is_array()) {
    for (const auto& i : *items) {
      if (i.is_object() && i.contains("id") && i["id"].is_string()) q.ids.push_back(i["id"].get<std::string>());
    }
  }
  Json calendars = Json::object();
  for (const auto& [id, busy] : s.free_busy(user, q)) {
    if (!busy) {
      calendars[id] = {{"errors", Json::array({{{"domain", "global"}, {"reason", "notFound"}}})}, {"busy", Json::array()}};
      continue;
    }
    Json list = Json::array();
    for (const auto& [a, b] : *busy) list.push_back({{"start", core::format_rfc3339(a)}, {"end", core::format_rfc3339(b)}});
    calendars[id] = {{"busy", list}};
  }
  return ok({{"kind", "calendar#freeBusy"}, {"timeMin", core::format_rfc3339(q.time_min)},
             {"timeMax", core::format_rfc3339(q.time_max)}, {"calendars", calendars}});
}

core::StatusOr<HttpResponse> calendar_list(CalendarStore& s, const std::string& user, const HttpRequest&) {
  auto items = s.calendar_list(user);
  return ok({{"kind", "calendar#calendarList"}, {"etag", items.empty() ? Json("\"0\"") : items.front()["etag"]},
             {"nextSyncToken", "gcpsim-calendar-list"}, {"items", items}});
}

core::StatusOr<HttpResponse> calendar_list_entry(CalendarStore& s, const std::string& user, const HttpRequest& req) {
  ASSIGN_OR_RETURN(std::string id, s.resolve(user, req.param("calendarId")));
  for (auto& e : s.calendar_list(user)) {
    if (e["id"] == id) return ok(e);
  }
  return not_found();
}

// Wraps a handler: the caller's identity, then the handler, under the route adapter. A field
// of a type the validator does not check throws: a bad request like any other.
void add(net::Router& router, core::Env& env, CalendarStore& store, const oauth::OAuthService& identity,
         const char* method, const std::string& path, std::string id, Handler fn) {
  net::RouteSpec spec{"calendar." + id, "calendar", [](const HttpRequest& req) { return req.param("calendarId"); },
                      net::RouteErrors{calendar_failure, bad_request()}};
  net::add_route(router, env, method, "/calendar/v3" + path, std::move(spec),
                 [&store, &identity, fn](HttpRequest& req) -> core::StatusOr<HttpResponse> {
                   ASSIGN_OR_RETURN(auto user, identity.user_for_request(req));
                   return fn(store, user, req);
                 });
}

}  // namespace

void add_routes(net::Router& router, core::Env& env, CalendarStore& store, const oauth::OAuthService& identity) {
  auto r = [&](const char* method, const std::string& path, std::string id, Handler fn) {
    add(router, env, store, identity, method, path, std::move(id), std::move(fn));
  };
  auto with_body = [](auto fn) {
    return [fn](CalendarStore& s, const std::string& user, const HttpRequest& req) -> core::StatusOr<HttpResponse> {
      ASSIGN_OR_RETURN(Json body, body_of(req));
      ASSIGN_OR_RETURN(Json out, fn(s, user, req, body));
      return ok(out);
    };
  };
  const std::string cal = "/calendars/{calendarId}", event = cal + "/events/{eventId}";
  r("GET", "/users/me/calendarList", "calendarList.list", calendar_list);
  r("GET", "/users/me/calendarList/{calendarId}", "calendarList.get", calendar_list_entry);
  r("POST", "/calendars", "calendars.insert", with_body([](CalendarStore& s, const std::string& u, const HttpRequest&, const Json& b) { return s.insert_calendar(u, b); }));
  r("GET", cal, "calendars.get", [](CalendarStore& s, const std::string& u, const HttpRequest& req) -> core::StatusOr<HttpResponse> {
    ASSIGN_OR_RETURN(Json c, s.get_calendar(u, req.param("calendarId")));
    return ok(c);
  });
  auto patch_cal = with_body([](CalendarStore& s, const std::string& u, const HttpRequest& req, const Json& b) { return s.patch_calendar(u, req.param("calendarId"), b); });
  r("PATCH", cal, "calendars.patch", patch_cal);
  r("PUT", cal, "calendars.update", patch_cal);
  r("DELETE", cal, "calendars.delete", [](CalendarStore& s, const std::string& u, const HttpRequest& req) -> core::StatusOr<HttpResponse> {
    RETURN_IF_ERROR(s.delete_calendar(u, req.param("calendarId")));
    return HttpResponse::text(204, "");
  });
  r("GET", cal + "/events", "events.list", list_events);
  r("POST", cal + "/events", "events.insert", with_body([](CalendarStore& s, const std::string& u, const HttpRequest& req, const Json& b) { return s.insert_event(u, req.param("calendarId"), b); }));
  r("POST", cal + "/events/quickAdd", "events.quickAdd", [](CalendarStore& s, const std::string& u, const HttpRequest& req) -> core::StatusOr<HttpResponse> {
    ASSIGN_OR_RETURN(Json e, s.quick_add(u, req.param("calendarId"), req.query_param("text").value_or("")));
    return ok(e);
  });
  r("GET", event, "events.get", [](CalendarStore& s, const std::string& u, const HttpRequest& req) -> core::StatusOr<HttpResponse> {
    ASSIGN_OR_RETURN(Json e, s.get_event(u, req.param("calendarId"), req.param("eventId")));
    return ok(e);
  });
  r("GET", event + "/instances", "events.instances", instances);
  r("PATCH", event, "events.patch", with_body([](CalendarStore& s, const std::string& u, const HttpRequest& req, const Json& b) { return s.patch_event(u, req.param("calendarId"), req.param("eventId"), b); }));
  r("PUT", event, "events.update", with_body([](CalendarStore& s, const std::string& u, const HttpRequest& req, const Json& b) { return s.update_event(u, req.param("calendarId"), req.param("eventId"), b); }));
  r("DELETE", event, "events.delete", [](CalendarStore& s, const std::string& u, const HttpRequest& req) -> core::StatusOr<HttpResponse> {
    RETURN_IF_ERROR(s.delete_event(u, req.param("calendarId"), req.param("eventId")));
    return HttpResponse::text(204, "");
  });
  r("POST", event + "/move", "events.move", [](CalendarStore& s, const std::string& u, const HttpRequest& req) -> core::StatusOr<HttpResponse> {
    ASSIGN_OR_RETURN(Json e, s.move_event(u, req.param("calendarId"), req.param("eventId"), req.query_param("destination").value_or("")));
    return ok(e);
  });
  r("POST", "/freeBusy", "freebusy.query", free_busy);
}

}  // namespace gcpsim::services::calendar
