// Calendar v3's state machine: calendars owned by users, events stored as their JSON
// resources in SQLite, a change sequence behind etags and sync tokens, recurring series
// expanded on read with exceptions as their own rows (as Calendar models them).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "services/calendar/rrule.h"
#include "services/calendar/times.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::services::calendar {

struct ListQuery {
  std::optional<core::Time> time_min, time_max, updated_min;
  bool single_events = false;
  bool show_deleted = false;
  std::string order_by;    // "", "startTime", "updated"
  std::string q;
  std::string page_token;
  std::string sync_token;
  int max_results = 250;
  std::string i_cal_uid;
};

struct EventPage {
  std::vector<Json> items;
  std::string next_page_token, next_sync_token;
  Json calendar;           // the calendar's resource (summary, timeZone)
};

struct FreeBusyQuery {
  core::Time time_min{}, time_max{};
  std::vector<std::string> ids;
};

using Busy = std::vector<std::pair<core::Time, core::Time>>;  // merged [start, end) intervals

// One stored event row.
struct EventRow {
  std::string calendar_id, id;
  int64_t seq = 0;
  Json resource;
  bool cancelled() const { return resource.value("status", "") == "cancelled"; }
};

struct CalendarRow {
  std::string owner;  // the user's email
  Json resource;      // calendars.get's answer
};

class CalendarStore {
 public:
  static core::StatusOr<std::unique_ptr<CalendarStore>> open(core::Env& env);

  // ---- calendars (calendars.cc) ----
  bool exists(const std::string& calendar_id) { return load_calendar(calendar_id).has_value(); }
  // The user's primary calendar, created on first use.
  core::StatusOr<Json> primary(const std::string& user);
  // "primary" → the user's id; NOT_FOUND unless the user owns the calendar.
  core::StatusOr<std::string> resolve(const std::string& user, const std::string& calendar_id);
  core::StatusOr<Json> get_calendar(const std::string& user, const std::string& calendar_id);
  core::StatusOr<Json> insert_calendar(const std::string& user, const Json& body);
  core::StatusOr<Json> patch_calendar(const std::string& user, const std::string& calendar_id, const Json& body);
  core::Status delete_calendar(const std::string& user, const std::string& calendar_id);
  std::vector<Json> calendar_list(const std::string& user);

  // ---- events (events.cc) ----
  core::StatusOr<Json> insert_event(const std::string& user, const std::string& calendar_id, const Json& body);
  core::StatusOr<Json> get_event(const std::string& user, const std::string& calendar_id, const std::string& id);
  core::StatusOr<Json> patch_event(const std::string& user, const std::string& calendar_id, const std::string& id,
                                   const Json& body);
  core::StatusOr<Json> update_event(const std::string& user, const std::string& calendar_id, const std::string& id,
                                    const Json& body);
  core::Status delete_event(const std::string& user, const std::string& calendar_id, const std::string& id);
  core::StatusOr<Json> move_event(const std::string& user, const std::string& calendar_id, const std::string& id,
                                  const std::string& destination);
  core::StatusOr<Json> quick_add(const std::string& user, const std::string& calendar_id, const std::string& text);

  // ---- reading (listing.cc) ----
  core::StatusOr<EventPage> list_events(const std::string& user, const std::string& calendar_id, const ListQuery& q);
  core::StatusOr<EventPage> instances(const std::string& user, const std::string& calendar_id, const std::string& id,
                                      const ListQuery& q);
  // calendars → busy intervals; inaccessible calendars map to nullopt.
  std::vector<std::pair<std::string, std::optional<Busy>>> free_busy(const std::string& user, const FreeBusyQuery& q);

 private:
  explicit CalendarStore(core::Env& env) : env_(env) {}

  // rows.cc: storage and the change sequence.
  int64_t next_seq();
  int64_t current_seq();
  std::optional<EventRow> load(const std::string& calendar_id, const std::string& id);
  std::vector<EventRow> load_all(const std::string& calendar_id);
  core::Status save(const std::string& calendar_id, Json resource, int64_t seq);
  std::optional<CalendarRow> load_calendar(const std::string& calendar_id);
  core::Status save_calendar(const std::string& calendar_id, const CalendarRow& row);

  // events.cc helpers.
  core::StatusOr<Json> build_event(const Json& body, Json base);
  core::StatusOr<Json> store_event(const std::string& calendar_id, Json resource);
  core::StatusOr<Json> write_instance(const std::string& calendar_id, const std::string& id, const Json& changes, bool cancel);
  Json stamp(Json resource, int64_t seq, bool created);

  // listing.cc: a generated instance of a stored series ("<series>_<stamp>").
  std::optional<Json> instance_of(const std::string& calendar_id, const std::string& instance_id);

  core::Env& env_;
};

// Pure helpers shared with tests.
// The instance of a series that starts at `start`: id "<series>_<stamp>", recurringEventId,
// originalStartTime, shifted start and end, no recurrence.
Json make_instance(const Json& series, core::Time start);
bool matches_text(const Json& event, const std::string& q);
// The resource with Calendar's field order (kind, etag, id, status, …), other keys after.
Json canonical_order(const Json& event);

}  // namespace gcpsim::services::calendar
