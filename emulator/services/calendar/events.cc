// Event writes: insert, patch, update, delete, move; instance exceptions of recurring
// series; validation in Calendar's words.
#include <algorithm>
#include <cstdio>
#include <set>

#include "core/clock.h"
#include "core/env.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/calendar/domain.h"
#include "services/calendar/errors.h"
#include "services/calendar/quickadd.h"
#include "services/calendar/tokens.h"

namespace gcpsim::services::calendar {
namespace {

constexpr size_t kMinIdLength = 5, kMaxIdLength = 1024, kGeneratedIdLength = 26;

const std::vector<std::string>& field_order() {
  static const std::vector<std::string> order = {
      "kind", "etag", "id", "status", "htmlLink", "created", "updated", "summary", "description", "location",
      "colorId", "creator", "organizer", "start", "end", "endTimeUnspecified", "recurrence", "recurringEventId",
      "originalStartTime", "transparency", "visibility", "iCalUID", "sequence", "attendees", "extendedProperties",
      "hangoutLink", "conferenceData", "reminders", "eventType"};
  return order;
}

// Set by the service, never by a client (id only on insert).
bool read_only(const std::string& key) {
  static const std::set<std::string> keys = {"kind", "etag", "id", "htmlLink", "created", "updated", "creator",
                                             "organizer", "iCalUID", "recurringEventId", "originalStartTime"};
  return keys.count(key) > 0;
}

// Calendar ids use base32hex: lowercase a-v and digits.
bool valid_id(const std::string& id) {
  return id.size() >= kMinIdLength && id.size() <= kMaxIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'v'); });
}

std::string new_id(core::Ids& ids) {
  static const char* kBase32Hex = "0123456789abcdefghijklmnopqrstuv";
  std::string id;
  auto& rng = ids.rng("calendar.event");
  for (size_t i = 0; i < kGeneratedIdLength; ++i) id += kBase32Hex[rng.below(32)];
  return id;
}

std::string html_link(const std::string& id, const std::string& calendar_id) {
  std::string eid = base64(id + " " + calendar_id);
  while (!eid.empty() && eid.back() == '=') eid.pop_back();
  return "https://www.google.com/calendar/event?eid=" + eid;
}

// Calendar prints milliseconds always: "2026-01-05T09:00:00.000Z".
std::string updated_stamp(core::Time now) {
  auto secs = std::chrono::floor<std::chrono::seconds>(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
  std::string whole = core::format_rfc3339(secs);
  char frac[32];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(millis));
  return whole.substr(0, whole.size() - 1) + frac + "Z";
}

Json organizer(const std::string& calendar_id, const std::string& user, const std::string& summary) {
  Json o = {{"email", calendar_id}};
  if (calendar_id != user) o["displayName"] = summary;
  o["self"] = true;
  return o;
}

core::Status validate(const Json& e) {
  auto start_it = e.find("start"), end_it = e.find("end");
  if (start_it == e.end()) return required_field("Missing start time.");
  if (end_it == e.end()) return required_field("Missing end time.");
  ASSIGN_OR_RETURN(EventTime start, parse_event_time(*start_it, "start"));
  ASSIGN_OR_RETURN(EventTime end, parse_event_time(*end_it, "end"));
  if (start.all_day != end.all_day) return invalid("Start and end times must either both be date or both be dateTime.");
  if (end.instant < start.instant || (start.all_day && end.instant == start.instant)) return time_range_empty();
  if (auto r = e.find("recurrence"); r != e.end() && !r->is_null()) {
    if (!r->is_array()) return invalid("Invalid value for: recurrence");
    std::vector<std::string> lines;
    for (const auto& l : *r) {
      if (!l.is_string()) return invalid("Invalid value for: recurrence");
      lines.push_back(l.get<std::string>());
    }
    ASSIGN_OR_RETURN(auto rec, parse_recurrence(lines));
    if (rec.rule && !start.all_day && start.time_zone.empty()) return required_field("Missing time zone definition for start time.");
    if (e.contains("recurringEventId")) return invalid("Invalid value for: recurrence");
  }
  for (const char* k : {"summary", "description", "location", "colorId", "transparency", "visibility", "eventType"}) {
    if (auto it = e.find(k); it != e.end() && !it->is_string()) return invalid(std::string("Invalid value for: ") + k);
  }
  if (auto it = e.find("sequence"); it != e.end() && !it->is_number_integer()) return invalid("Invalid value for: sequence");
  if (auto it = e.find("attendees"); it != e.end() && !it->is_array()) return invalid("Invalid value for: attendees");
  static const std::set<std::string> kStatuses = {"confirmed", "tentative", "cancelled"};
  if (auto s = e.find("status"); s != e.end() && (!s->is_string() || !kStatuses.count(s->get<std::string>()))) {
    return invalid("Invalid value for: status");
  }
  return core::Status::ok();
}

// Patch semantics: objects merge, arrays and start/end are replaced, null removes.
void apply_patch(Json& e, const Json& body) {
  for (const auto& [k, v] : body.items()) {
    if (read_only(k)) continue;
    if (v.is_null()) e.erase(k);
    else if (v.is_object() && e.contains(k) && e[k].is_object() && k != "start" && k != "end") e[k].merge_patch(v);
    else e[k] = v;
  }
}

bool timing_changed(const Json& a, const Json& b) {
  auto get = [](const Json& j, const char* k) { auto it = j.find(k); return it == j.end() ? Json() : *it; };
  for (const char* k : {"start", "end", "recurrence"}) {
    if (get(a, k) != get(b, k)) return true;
  }
  return false;
}

}  // namespace

Json canonical_order(const Json& event) {
  Json out = Json::object();
  for (const auto& k : field_order()) {
    if (auto it = event.find(k); it != event.end()) out[k] = *it;
  }
  for (const auto& [k, v] : event.items()) {
    if (!out.contains(k)) out[k] = v;
  }
  return out;
}

Json CalendarStore::stamp(Json resource, int64_t seq, bool created) {
  core::Time now = env_.clock.now();
  resource["etag"] = "\"" + std::to_string(core::to_micros(now) * 1000 + seq % 1000) + "\"";
  resource["updated"] = updated_stamp(now);
  if (created) resource["created"] = updated_stamp(now);
  return resource;
}

core::StatusOr<Json> CalendarStore::store_event(const std::string& calendar_id, Json resource) {
  int64_t seq = next_seq();
  bool created = !resource.contains("created");
  Json stamped = canonical_order(stamp(std::move(resource), seq, created));
  RETURN_IF_ERROR(save(calendar_id, stamped, seq));
  return stamped;
}

core::StatusOr<Json> CalendarStore::build_event(const Json& body, Json base) {
  if (!body.is_object()) return bad_request();
  apply_patch(base, body);
  RETURN_IF_ERROR(validate(base));
  return base;
}

core::StatusOr<Json> CalendarStore::insert_event(const std::string& user, const std::string& calendar_id, const Json& body) {
  ASSIGN_OR_RETURN(std::string cal, resolve(user, calendar_id));
  std::string id;
  if (auto it = body.find("id"); it != body.end()) {
    if (!it->is_string() || !valid_id(it->get<std::string>())) return invalid("Invalid resource id value.");
    id = it->get<std::string>();
    if (load(cal, id)) return duplicate();
  } else {
    id = new_id(env_.ids);
  }
  std::string summary = load_calendar(cal)->resource.value("summary", cal);
  Json base = {{"kind", "calendar#event"}, {"id", id}, {"status", "confirmed"}, {"htmlLink", html_link(id, cal)},
               {"creator", {{"email", user}, {"self", true}}}, {"organizer", organizer(cal, user, summary)},
               {"iCalUID", id + "@google.com"}, {"sequence", 0}, {"reminders", {{"useDefault", true}}},
               {"eventType", "default"}};
  ASSIGN_OR_RETURN(Json e, build_event(body, std::move(base)));
  return store_event(cal, std::move(e));
}

core::StatusOr<Json> CalendarStore::get_event(const std::string& user, const std::string& calendar_id, const std::string& id) {
  ASSIGN_OR_RETURN(std::string cal, resolve(user, calendar_id));
  if (auto row = load(cal, id)) return row->resource;
  if (auto inst = instance_of(cal, id)) return *inst;
  return not_found();
}

core::StatusOr<Json> CalendarStore::write_instance(const std::string& calendar_id, const std::string& id,
                                                   const Json& changes, bool cancel) {
  auto inst = instance_of(calendar_id, id);
  if (!inst) return not_found();
  Json e = *inst;
  if (cancel) {
    e["status"] = "cancelled";
  } else {
    ASSIGN_OR_RETURN(e, build_event(changes, std::move(e)));
  }
  return store_event(calendar_id, std::move(e));
}

core::StatusOr<Json> CalendarStore::patch_event(const std::string& user, const std::string& calendar_id,
                                                const std::string& id, const Json& body) {
  ASSIGN_OR_RETURN(std::string cal, resolve(user, calendar_id));
  auto row = load(cal, id);
  if (!row) return write_instance(cal, id, body, false);
  ASSIGN_OR_RETURN(Json e, build_event(body, row->resource));
  if (timing_changed(row->resource, e)) e["sequence"] = row->resource.value("sequence", 0) + 1;
  return store_event(cal, std::move(e));
}

core::StatusOr<Json> CalendarStore::update_event(const std::string& user, const std::string& calendar_id,
                                                 const std::string& id, const Json& body) {
  ASSIGN_OR_RETURN(std::string cal, resolve(user, calendar_id));
  auto row = load(cal, id);
  if (!row) return write_instance(cal, id, body, false);
  Json base = Json::object();
  for (const auto& [k, v] : row->resource.items()) {
    if (read_only(k) || k == "sequence" || k == "status" || k == "eventType") base[k] = v;
  }
  ASSIGN_OR_RETURN(Json e, build_event(body, std::move(base)));
  if (timing_changed(row->resource, e) && !body.contains("sequence")) e["sequence"] = row->resource.value("sequence", 0) + 1;
  return store_event(cal, std::move(e));
}

core::Status CalendarStore::delete_event(const std::string& user, const std::string& calendar_id, const std::string& id) {
  ASSIGN_OR_RETURN(std::string cal, resolve(user, calendar_id));
  auto row = load(cal, id);
  if (!row) return write_instance(cal, id, Json::object(), true).status();
  if (row->cancelled()) return deleted();
  auto tx = env_.store.begin();
  Json gone = row->resource;
  gone["status"] = "cancelled";
  RETURN_IF_ERROR(store_event(cal, std::move(gone)).status());
  // A series takes its exceptions with it.
  for (auto& other : load_all(cal)) {
    if (other.resource.value("recurringEventId", "") != id || other.cancelled()) continue;
    other.resource["status"] = "cancelled";
    RETURN_IF_ERROR(store_event(cal, std::move(other.resource)).status());
  }
  return tx.commit();
}

core::StatusOr<Json> CalendarStore::move_event(const std::string& user, const std::string& calendar_id,
                                               const std::string& id, const std::string& destination) {
  ASSIGN_OR_RETURN(std::string src, resolve(user, calendar_id));
  ASSIGN_OR_RETURN(std::string dst, resolve(user, destination));
  auto row = load(src, id);
  if (!row || row->cancelled()) return not_found();
  if (row->resource.contains("recurringEventId")) {
    return calendar_error(core::Code::kInvalidArgument, "cannotChangeOrganizerOfInstance",
                          "Cannot change the organizer of an instance.");
  }
  if (src == dst) return row->resource;
  if (auto there = load(dst, id); there && !there->cancelled()) return duplicate();
  auto tx = env_.store.begin();
  Json moved = row->resource;
  moved["organizer"] = organizer(dst, user, load_calendar(dst)->resource.value("summary", dst));
  Json gone = row->resource;
  gone["status"] = "cancelled";
  RETURN_IF_ERROR(store_event(src, std::move(gone)).status());
  ASSIGN_OR_RETURN(Json out, store_event(dst, std::move(moved)));
  RETURN_IF_ERROR(tx.commit());
  return out;
}

core::StatusOr<Json> CalendarStore::quick_add(const std::string& user, const std::string& calendar_id, const std::string& text) {
  if (text.empty()) return required_field("Missing text.");
  return insert_event(user, calendar_id, quick_add_body(text, env_.clock.now()));
}

}  // namespace gcpsim::services::calendar
