// The Calendar tables: calendars, event resources and the change sequence.
#include "core/env.h"
#include "core/store.h"
#include "services/calendar/domain.h"

namespace gcpsim::services::calendar {

core::StatusOr<std::unique_ptr<CalendarStore>> CalendarStore::open(core::Env& env) {
  RETURN_IF_ERROR(env.store.migrate(
      "calendar",
      {"CREATE TABLE calendar_calendars (id TEXT PRIMARY KEY, owner TEXT NOT NULL, resource TEXT NOT NULL)",
       "CREATE TABLE calendar_events (calendar_id TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,"
       " resource TEXT NOT NULL, PRIMARY KEY (calendar_id, id))",
       "CREATE TABLE calendar_sequence (only INTEGER PRIMARY KEY CHECK (only = 1), seq INTEGER NOT NULL);"
       " INSERT INTO calendar_sequence VALUES (1, 0)"}));
  return std::unique_ptr<CalendarStore>(new CalendarStore(env));
}

int64_t CalendarStore::current_seq() {
  auto st = env_.store.prepare("SELECT seq FROM calendar_sequence WHERE only = 1");
  return st.step() ? st.column_int(0) : 0;
}

int64_t CalendarStore::next_seq() {
  (void)env_.store.prepare("UPDATE calendar_sequence SET seq = seq + 1 WHERE only = 1").run();
  return current_seq();
}

std::optional<EventRow> CalendarStore::load(const std::string& calendar_id, const std::string& id) {
  auto st = env_.store.prepare("SELECT seq, resource FROM calendar_events WHERE calendar_id = ? AND id = ?");
  st.bind_all(calendar_id, id);
  if (!st.step()) return std::nullopt;
  return EventRow{calendar_id, id, st.column_int(0), Json::parse(st.column_text(1))};
}

std::vector<EventRow> CalendarStore::load_all(const std::string& calendar_id) {
  auto st = env_.store.prepare("SELECT id, seq, resource FROM calendar_events WHERE calendar_id = ? ORDER BY seq");
  st.bind_all(calendar_id);
  std::vector<EventRow> rows;
  while (st.step()) rows.push_back(EventRow{calendar_id, st.column_text(0), st.column_int(1), Json::parse(st.column_text(2))});
  return rows;
}

core::Status CalendarStore::save(const std::string& calendar_id, Json resource, int64_t seq) {
  auto st = env_.store.prepare(
      "INSERT INTO calendar_events (calendar_id, id, seq, resource) VALUES (?, ?, ?, ?)"
      " ON CONFLICT (calendar_id, id) DO UPDATE SET seq = excluded.seq, resource = excluded.resource");
  st.bind_all(calendar_id, resource.value("id", ""), seq, canonical_order(resource).dump());
  return st.run();
}

std::optional<CalendarRow> CalendarStore::load_calendar(const std::string& calendar_id) {
  auto st = env_.store.prepare("SELECT owner, resource FROM calendar_calendars WHERE id = ?");
  st.bind_all(calendar_id);
  if (!st.step()) return std::nullopt;
  return CalendarRow{st.column_text(0), Json::parse(st.column_text(1))};
}

core::Status CalendarStore::save_calendar(const std::string& calendar_id, const CalendarRow& row) {
  auto st = env_.store.prepare(
      "INSERT INTO calendar_calendars (id, owner, resource) VALUES (?, ?, ?)"
      " ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, resource = excluded.resource");
  st.bind_all(calendar_id, row.owner, row.resource.dump());
  return st.run();
}

}  // namespace gcpsim::services::calendar
