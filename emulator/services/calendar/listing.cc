// Reading events: list with time windows, recurring-series expansion, text search,
// ordering, pages and incremental sync; instances; free/busy.
#include <algorithm>
#include <cctype>
#include <set>

#include "core/clock.h"
#include "core/env.h"
#include "core/text.h"
#include "services/calendar/domain.h"
#include "services/calendar/errors.h"
#include "services/calendar/tokens.h"

namespace gcpsim::services::calendar {
namespace {

constexpr size_t kMaxInstancesPerSeries = 730;  // two years of a daily series
constexpr int kMaxPageSize = 2500;
const core::Time kBeginning = core::from_seconds(0);
const core::Time kEnd = core::from_seconds(7258118400);  // 2200-01-01: nanosecond Time ends in 2262

struct Span {
  EventTime start, end;
  core::Duration length() const { return end.instant - start.instant; }
};

std::optional<Span> span_of(const Json& e) {
  auto s = e.find("start"), t = e.find("end");
  if (s == e.end() || t == e.end()) return std::nullopt;
  auto a = parse_event_time(*s, "start"), b = parse_event_time(*t, "end");
  if (!a.ok() || !b.ok()) return std::nullopt;
  return Span{*a, *b};
}

Recurrence recurrence_of(const Json& e) {
  std::vector<std::string> lines;
  if (auto r = e.find("recurrence"); r != e.end() && r->is_array()) {
    for (const auto& l : *r) lines.push_back(l.get<std::string>());
  }
  auto rec = parse_recurrence(lines);
  return rec.ok() ? *rec : Recurrence{};
}

bool is_series(const Json& e) { return e.contains("recurrence") && !e["recurrence"].empty(); }

using core::lower;

// The event itself when it overlaps the window, or its instances (minus exceptions).
std::vector<Json> occurrences(const Json& e, const std::set<std::string>& stored_ids, core::Time from, core::Time to,
                              bool expand_series) {
  auto span = span_of(e);
  if (!span) return {};
  if (!is_series(e)) {
    if (span->start.instant < to && (span->end.instant > from || span->length() == core::Duration::zero())) return {e};
    return {};
  }
  auto starts = expand(recurrence_of(e), span->start, span->length(), from, to, expand_series ? kMaxInstancesPerSeries : 1);
  if (!expand_series) return starts.empty() ? std::vector<Json>{} : std::vector<Json>{e};
  std::vector<Json> out;
  for (core::Time t : starts) {
    Json inst = make_instance(e, t);
    if (!stored_ids.count(inst["id"].get<std::string>())) out.push_back(std::move(inst));
  }
  return out;
}

core::Time start_of(const Json& e) {
  auto span = span_of(e);
  return span ? span->start.instant : kBeginning;
}

void sort_items(std::vector<Json>& items, const std::string& order_by) {
  std::stable_sort(items.begin(), items.end(), [&order_by](const Json& a, const Json& b) {
    if (order_by == "updated") return a.value("updated", "") < b.value("updated", "");
    auto sa = start_of(a), sb = start_of(b);
    if (sa != sb) return sa < sb;
    return a.value("id", "") < b.value("id", "");
  });
}

core::Status check_query(const ListQuery& q) {
  if (q.time_min && q.time_max && *q.time_max <= *q.time_min) return time_range_empty();
  if (q.order_by == "startTime" && !q.single_events) {
    return invalid("The requested ordering is not available for the particular query.");
  }
  if (!q.order_by.empty() && q.order_by != "startTime" && q.order_by != "updated") return invalid("Invalid value for: orderBy");
  if (q.max_results < 1) return invalid("Invalid value for: maxResults");
  if (!q.sync_token.empty()) {
    const char* clash = q.time_min ? "timeMin" : q.time_max ? "timeMax" : q.updated_min ? "updatedMin"
                      : !q.q.empty() ? "q" : !q.order_by.empty() ? "orderBy" : !q.i_cal_uid.empty() ? "iCalUID" : nullptr;
    if (clash) return invalid(std::string("The parameter ") + clash + " cannot be used together with syncToken.");
  }
  return core::Status::ok();
}

}  // namespace

Json make_instance(const Json& series, core::Time start) {
  auto span = span_of(series);
  Json inst = series;
  inst.erase("recurrence");
  EventTime s = span->start.at(start), e = span->end.at(start + span->length());
  inst["id"] = series.value("id", "") + "_" + basic_stamp(s);
  inst["start"] = event_time_json(s);
  inst["end"] = event_time_json(e);
  inst["recurringEventId"] = series.value("id", "");
  inst["originalStartTime"] = event_time_json(s);
  return canonical_order(inst);
}

bool matches_text(const Json& event, const std::string& q) {
  std::string needle = lower(q);
  auto has = [&needle](const Json& j, const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() && lower(it->get<std::string>()).find(needle) != std::string::npos;
  };
  if (has(event, "summary") || has(event, "description") || has(event, "location")) return true;
  if (auto a = event.find("attendees"); a != event.end() && a->is_array()) {
    for (const auto& p : *a) {
      if (has(p, "email") || has(p, "displayName")) return true;
    }
  }
  return false;
}

std::optional<Json> CalendarStore::instance_of(const std::string& calendar_id, const std::string& instance_id) {
  size_t cut = instance_id.rfind('_');
  if (cut == std::string::npos) return std::nullopt;
  auto series = load(calendar_id, instance_id.substr(0, cut));
  if (!series || series->cancelled() || !is_series(series->resource)) return std::nullopt;
  for (const auto& inst : occurrences(series->resource, {}, kBeginning, kEnd, true)) {
    if (inst["id"] == instance_id) return inst;
  }
  return std::nullopt;
}

core::StatusOr<EventPage> CalendarStore::list_events(const std::string& user, const std::string& calendar_id, const ListQuery& q) {
  ASSIGN_OR_RETURN(std::string cal, resolve(user, calendar_id));
  RETURN_IF_ERROR(check_query(q));
  std::optional<int64_t> since;
  if (!q.sync_token.empty()) {
    since = read_sync_token(q.sync_token, cal);
    if (!since || *since > current_seq()) return full_sync_required();
  }
  auto rows = load_all(cal);
  std::set<std::string> stored_ids;
  for (const auto& r : rows) stored_ids.insert(r.id);
  std::vector<Json> items;
  for (const auto& r : rows) {
    if (since ? r.seq <= *since : (r.cancelled() && !q.show_deleted)) continue;
    if (!q.i_cal_uid.empty() && r.resource.value("iCalUID", "") != q.i_cal_uid) continue;
    if (!q.q.empty() && !matches_text(r.resource, q.q)) continue;
    if (q.updated_min && core::parse_rfc3339(r.resource.value("updated", "")).value_or(kBeginning) < *q.updated_min) continue;
    core::Time from = q.time_min.value_or(kBeginning), to = q.time_max.value_or(kEnd);
    if (r.cancelled()) {
      if (since || !occurrences(r.resource, stored_ids, from, to, false).empty()) items.push_back(r.resource);
      continue;
    }
    for (auto& e : occurrences(r.resource, stored_ids, from, to, q.single_events)) items.push_back(std::move(e));
  }
  sort_items(items, q.order_by);

  PagePosition pos{0, current_seq()};
  if (!q.page_token.empty()) {
    auto p = read_page_token(q.page_token);
    if (!p) return invalid("Invalid page token value.");
    pos = *p;
  }
  EventPage page;
  page.calendar = load_calendar(cal)->resource;
  size_t size = static_cast<size_t>(std::min(q.max_results, kMaxPageSize));
  size_t from = std::min(items.size(), static_cast<size_t>(pos.offset));
  for (size_t i = from; i < items.size() && i < from + size; ++i) page.items.push_back(std::move(items[i]));
  if (from + size < items.size()) page.next_page_token = page_token(static_cast<int64_t>(from + size), pos.seq);
  else page.next_sync_token = sync_token(cal, pos.seq);
  return page;
}

core::StatusOr<EventPage> CalendarStore::instances(const std::string& user, const std::string& calendar_id,
                                                   const std::string& id, const ListQuery& q) {
  ASSIGN_OR_RETURN(std::string cal, resolve(user, calendar_id));
  RETURN_IF_ERROR(check_query(q));
  auto series = load(cal, id);
  if (!series || series->cancelled()) return not_found();
  std::set<std::string> stored_ids;
  std::vector<Json> items;
  for (const auto& r : load_all(cal)) {
    if (r.resource.value("recurringEventId", "") != id) continue;
    stored_ids.insert(r.id);
    if (!r.cancelled() || q.show_deleted) items.push_back(r.resource);
  }
  core::Time from = q.time_min.value_or(kBeginning), to = q.time_max.value_or(kEnd);
  for (auto& e : occurrences(series->resource, stored_ids, from, to, true)) items.push_back(std::move(e));
  sort_items(items, "startTime");
  size_t offset = 0;
  if (!q.page_token.empty()) {
    auto p = read_page_token(q.page_token);
    if (!p) return invalid("Invalid page token value.");
    offset = static_cast<size_t>(p->offset);
  }
  EventPage page;
  page.calendar = load_calendar(cal)->resource;
  size_t size = static_cast<size_t>(std::min(q.max_results, kMaxPageSize));
  for (size_t i = offset; i < items.size() && i < offset + size; ++i) page.items.push_back(std::move(items[i]));
  if (offset + size < items.size()) page.next_page_token = page_token(static_cast<int64_t>(offset + size), current_seq());
  return page;
}

std::vector<std::pair<std::string, std::optional<Busy>>> CalendarStore::free_busy(const std::string& user,
                                                                                 const FreeBusyQuery& q) {
  std::vector<std::pair<std::string, std::optional<Busy>>> out;
  for (const auto& id : q.ids) {
    auto cal = resolve(user, id);
    if (!cal.ok()) {
      out.emplace_back(id, std::nullopt);
      continue;
    }
    Busy busy;
    auto rows = load_all(*cal);
    std::set<std::string> stored_ids;
    for (const auto& r : rows) stored_ids.insert(r.id);
    for (const auto& r : rows) {
      if (r.cancelled() || r.resource.value("transparency", "") == "transparent") continue;
      for (const auto& e : occurrences(r.resource, stored_ids, q.time_min, q.time_max, true)) {
        auto span = span_of(e);
        busy.emplace_back(std::max(span->start.instant, q.time_min), std::min(span->end.instant, q.time_max));
      }
    }
    std::sort(busy.begin(), busy.end());
    Busy merged;
    for (const auto& b : busy) {
      if (b.second <= b.first) continue;
      if (!merged.empty() && b.first <= merged.back().second) merged.back().second = std::max(merged.back().second, b.second);
      else merged.push_back(b);
    }
    out.emplace_back(id, std::move(merged));
  }
  return out;
}

}  // namespace gcpsim::services::calendar
