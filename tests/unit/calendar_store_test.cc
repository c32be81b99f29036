// Specification of the Calendar store: per-user calendars, event writes with Calendar's
// validation, listing with windows and recurrence, pages, and incremental sync.
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/calendar/domain.h"
#include "services/calendar/quickadd.h"

namespace calendar_store_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::calendar;
using core::Code;
using namespace std::chrono_literals;

namespace {

const std::string kAlice = "alice@example.com", kBob = "bob@example.com";

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-01T00:00:00Z")};
  core::Ids ids{7};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> db = core::Store::open("").value();
  core::Env env{clock, ids, events, faults, *db, "demo-project", "123456789012", "us-central1", ""};
  std::unique_ptr<CalendarStore> store = CalendarStore::open(env).value();

  Json insert(const std::string& body, const std::string& user = kAlice, const std::string& cal = "primary") {
    auto e = store->insert_event(user, cal, Json::parse(body));
    INFO(e.status().to_string());
    REQUIRE(e.ok());
    return *e;
  }

  EventPage list(ListQuery q, const std::string& user = kAlice) {
    auto p = store->list_events(user, "primary", q);
    INFO(p.status().to_string());
    REQUIRE(p.ok());
    return *p;
  }

  static std::vector<std::string> summaries(const EventPage& p) {
    std::vector<std::string> out;
    for (const auto& e : p.items) out.push_back(e.value("summary", "") + (e.value("status", "") == "cancelled" ? " (cancelled)" : ""));
    return out;
  }
};

std::string timed(const std::string& summary, const std::string& start, const std::string& end, const std::string& extra = "") {
  return R"({"summary":")" + summary + R"(","start":{"dateTime":")" + start + R"("},"end":{"dateTime":")" + end + R"("})" + extra + "}";
}

core::Time at(const std::string& s) { return *core::parse_rfc3339(s); }

}  // namespace

TEST_CASE("an inserted event is a full Calendar resource and reads back") {
  Fixture f;
  auto e = f.insert(timed("Standup", "2026-01-05T09:00:00+01:00", "2026-01-05T09:15:00+01:00"));
  REQUIRE(e["kind"] == "calendar#event");
  REQUIRE(e["status"] == "confirmed");
  REQUIRE(e["id"].get<std::string>().size() == 26);
  REQUIRE(e["start"]["dateTime"] == "2026-01-05T09:00:00+01:00");
  REQUIRE(e["organizer"]["email"] == kAlice);
  REQUIRE(e["created"] == "2026-01-01T00:00:00.000Z");
  REQUIRE(e["iCalUID"] == e["id"].get<std::string>() + "@google.com");
  REQUIRE(f.store->get_event(kAlice, "primary", e["id"]).value() == e);
  REQUIRE(f.store->get_event(kAlice, kAlice, e["id"]).value() == e);
}

TEST_CASE("calendars belong to their user: others get 404") {
  Fixture f;
  auto e = f.insert(timed("Private", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"));
  REQUIRE(f.store->get_event(kBob, kAlice, e["id"]).status().code() == Code::kNotFound);
  REQUIRE(f.store->list_events(kBob, "primary", {})->items.empty());
}

TEST_CASE("insert validation uses Calendar's messages") {
  Fixture f;
  auto err = [&](const std::string& body) { return f.store->insert_event(kAlice, "primary", Json::parse(body)).status(); };
  REQUIRE(err(R"({"summary":"x","end":{"dateTime":"2026-01-05T09:00:00Z"}})").message() == "Missing start time.");
  REQUIRE(err(timed("x", "2026-01-05T10:00:00Z", "2026-01-05T09:00:00Z")).message() == "The specified time range is empty.");
  REQUIRE(err(R"({"start":{"date":"2026-01-05"},"end":{"dateTime":"2026-01-05T09:00:00Z"}})").message() ==
          "Start and end times must either both be date or both be dateTime.");
  REQUIRE(err(timed("x", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", R"(,"recurrence":["RRULE:FREQ=DAILY"])")).message() ==
          "Missing time zone definition for start time.");
  REQUIRE(err(timed("x", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", R"(,"id":"BAD!")")).message() == "Invalid resource id value.");
  f.insert(timed("x", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", R"(,"id":"meeting01")"));
  REQUIRE(err(timed("x", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", R"(,"id":"meeting01")")).code() == Code::kAlreadyExists);
}

TEST_CASE("list filters by time window and text, and orders by start time") {
  Fixture f;
  f.insert(timed("Late review", "2026-01-07T15:00:00Z", "2026-01-07T16:00:00Z"));
  f.insert(timed("Early standup", "2026-01-06T09:00:00Z", "2026-01-06T09:15:00Z"));
  f.insert(timed("Next month", "2026-02-06T09:00:00Z", "2026-02-06T09:15:00Z"));
  ListQuery q;
  q.time_min = at("2026-01-01T00:00:00Z");
  q.time_max = at("2026-02-01T00:00:00Z");
  q.single_events = true;
  q.order_by = "startTime";
  REQUIRE(Fixture::summaries(f.list(q)) == std::vector<std::string>{"Early standup", "Late review"});
  q.q = "REVIEW";
  REQUIRE(Fixture::summaries(f.list(q)) == std::vector<std::string>{"Late review"});
}

TEST_CASE("bad list queries: empty range, startTime order without singleEvents, syncToken with a window") {
  Fixture f;
  ListQuery q;
  q.time_min = at("2026-01-02T00:00:00Z");
  q.time_max = at("2026-01-01T00:00:00Z");
  REQUIRE(f.store->list_events(kAlice, "primary", q).status().message() == "The specified time range is empty.");
  ListQuery order;
  order.order_by = "startTime";
  REQUIRE(f.store->list_events(kAlice, "primary", order).status().code() == Code::kInvalidArgument);
  ListQuery sync;
  sync.sync_token = f.list({}).next_sync_token;
  sync.time_min = at("2026-01-01T00:00:00Z");
  REQUIRE(f.store->list_events(kAlice, "primary", sync).status().code() == Code::kInvalidArgument);
}

TEST_CASE("singleEvents expands a weekly series into instances with recurringEventId") {
  Fixture f;
  auto series = f.insert(R"({"summary":"Weekly","start":{"dateTime":"2026-01-05T09:00:00Z","timeZone":"UTC"},
      "end":{"dateTime":"2026-01-05T09:30:00Z","timeZone":"UTC"},"recurrence":["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4"]})");
  ListQuery q;
  q.time_min = at("2026-01-10T00:00:00Z");
  q.single_events = true;
  q.order_by = "startTime";
  auto page = f.list(q);
  REQUIRE(page.items.size() == 3);
  REQUIRE(page.items[0]["id"] == series["id"].get<std::string>() + "_20260112T090000Z");
  REQUIRE(page.items[0]["recurringEventId"] == series["id"]);
  REQUIRE(page.items[0]["originalStartTime"]["dateTime"] == "2026-01-12T09:00:00Z");
  REQUIRE_FALSE(page.items[0].contains("recurrence"));
  ListQuery masters;
  masters.time_min = at("2026-01-10T00:00:00Z");
  REQUIRE(f.list(masters).items.size() == 1);  // the series itself
}

TEST_CASE("an instance can be read, changed and cancelled on its own") {
  Fixture f;
  auto series = f.insert(R"({"summary":"Daily","start":{"dateTime":"2026-01-05T09:00:00Z","timeZone":"UTC"},
      "end":{"dateTime":"2026-01-05T09:30:00Z","timeZone":"UTC"},"recurrence":["RRULE:FREQ=DAILY;COUNT=3"]})");
  std::string id = series["id"];
  REQUIRE(f.store->get_event(kAlice, "primary", id + "_20260106T090000Z")->value("summary", "") == "Daily");
  REQUIRE(f.store->patch_event(kAlice, "primary", id + "_20260106T090000Z", Json{{"summary", "Moved"}}).ok());
  REQUIRE(f.store->delete_event(kAlice, "primary", id + "_20260107T090000Z").is_ok());
  ListQuery q;
  q.single_events = true;
  q.order_by = "startTime";
  REQUIRE(Fixture::summaries(f.list(q)) == std::vector<std::string>{"Daily", "Moved"});
  REQUIRE(f.store->get_event(kAlice, "primary", id + "_20260108T090000Z").status().code() == Code::kNotFound);
}

TEST_CASE("sync tokens return only what changed, deletions included, a bad token is 410-worthy") {
  Fixture f;
  auto a = f.insert(timed("A", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"));
  auto first = f.list({});
  REQUIRE(first.next_page_token.empty());
  REQUIRE_FALSE(first.next_sync_token.empty());

  f.clock.advance(1min);
  auto b = f.insert(timed("B", "2026-01-06T09:00:00Z", "2026-01-06T10:00:00Z"));
  REQUIRE(f.store->delete_event(kAlice, "primary", a["id"]).is_ok());
  ListQuery q;
  q.sync_token = first.next_sync_token;
  auto delta = f.list(q);
  REQUIRE(Fixture::summaries(delta) == std::vector<std::string>{"A (cancelled)", "B"});

  q.sync_token = delta.next_sync_token;
  REQUIRE(f.list(q).items.empty());
  q.sync_token = "garbage";
  auto gone = f.store->list_events(kAlice, "primary", q).status();
  REQUIRE(gone.message() == "Sync token is no longer valid, a full sync is required.");
  REQUIRE(std::get<core::ErrorInfo>(gone.details().at(0)).reason == "fullSyncRequired");
}

TEST_CASE("deleted events: hidden unless showDeleted, a second delete is 'deleted'") {
  Fixture f;
  auto a = f.insert(timed("A", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"));
  REQUIRE(f.store->delete_event(kAlice, "primary", a["id"]).is_ok());
  REQUIRE(f.list({}).items.empty());
  ListQuery q;
  q.show_deleted = true;
  REQUIRE(Fixture::summaries(f.list(q)) == std::vector<std::string>{"A (cancelled)"});
  REQUIRE(std::get<core::ErrorInfo>(f.store->delete_event(kAlice, "primary", a["id"]).details().at(0)).reason == "deleted");
}

TEST_CASE("pages follow maxResults and the last page carries the sync token") {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    f.insert(timed("E" + std::to_string(i), "2026-01-0" + std::to_string(i + 1) + "T09:00:00Z", "2026-01-0" + std::to_string(i + 1) + "T10:00:00Z"));
  }
  ListQuery q;
  q.max_results = 2;
  std::vector<std::string> all;
  int pages = 0;
  EventPage p;
  do {
    p = f.list(q);
    for (auto& s : Fixture::summaries(p)) all.push_back(s);
    q.page_token = p.next_page_token;
    ++pages;
    REQUIRE(p.next_sync_token.empty() == !p.next_page_token.empty());
  } while (!p.next_page_token.empty());
  REQUIRE(pages == 3);
  REQUIRE(all == std::vector<std::string>{"E0", "E1", "E2", "E3", "E4"});
}

TEST_CASE("patch merges, update replaces, both bump sequence when the time moves") {
  Fixture f;
  auto e = f.insert(timed("A", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z", R"(,"location":"Room 1")"));
  auto p = f.store->patch_event(kAlice, "primary", e["id"], Json{{"summary", "B"}});
  REQUIRE(p->value("location", "") == "Room 1");
  REQUIRE(p->value("sequence", -1) == 0);
  auto u = f.store->update_event(kAlice, "primary", e["id"], Json::parse(timed("C", "2026-01-05T11:00:00Z", "2026-01-05T12:00:00Z")));
  REQUIRE_FALSE(u->contains("location"));
  REQUIRE(u->value("sequence", -1) == 1);
  REQUIRE((*u)["created"] == e["created"]);
}

TEST_CASE("move takes an event to another calendar of the same user") {
  Fixture f;
  auto cal = f.store->insert_calendar(kAlice, Json{{"summary", "Team"}}).value();
  auto e = f.insert(timed("A", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"));
  auto moved = f.store->move_event(kAlice, "primary", e["id"], cal["id"]);
  REQUIRE(moved.ok());
  REQUIRE((*moved)["organizer"]["email"] == cal["id"]);
  REQUIRE(f.list({}).items.empty());
  REQUIRE(f.store->list_events(kAlice, cal["id"], {})->items.size() == 1);
  REQUIRE(f.store->calendar_list(kAlice).size() == 2);
}

TEST_CASE("free/busy merges overlapping events and expands series within the window") {
  Fixture f;
  f.insert(timed("A", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"));
  f.insert(timed("B", "2026-01-05T09:30:00Z", "2026-01-05T11:00:00Z"));
  f.insert(timed("Free", "2026-01-05T13:00:00Z", "2026-01-05T14:00:00Z", R"(,"transparency":"transparent")"));
  f.insert(R"({"summary":"D","start":{"dateTime":"2026-01-04T15:00:00Z","timeZone":"UTC"},"end":{"dateTime":"2026-01-04T16:00:00Z","timeZone":"UTC"},"recurrence":["RRULE:FREQ=DAILY"]})");
  auto busy = f.store->free_busy(kAlice, FreeBusyQuery{at("2026-01-05T00:00:00Z"), at("2026-01-06T00:00:00Z"), {kAlice, kBob}});
  REQUIRE(busy.size() == 2);
  REQUIRE(busy[0].second->size() == 2);
  REQUIRE(busy[0].second->at(0) == std::make_pair(at("2026-01-05T09:00:00Z"), at("2026-01-05T11:00:00Z")));
  REQUIRE(busy[0].second->at(1) == std::make_pair(at("2026-01-05T15:00:00Z"), at("2026-01-05T16:00:00Z")));
  REQUIRE_FALSE(busy[1].second.has_value());
}

TEST_CASE("quickAdd reads dates and times out of the text") {
  core::Time now = at("2026-01-05T10:00:00Z");  // a Monday
  auto lunch = quick_add_body("Lunch with Bob tomorrow at 12:30pm", now);
  REQUIRE(lunch["summary"] == "Lunch with Bob");
  REQUIRE(lunch["start"]["dateTime"] == "2026-01-06T12:30:00Z");
  REQUIRE(lunch["end"]["dateTime"] == "2026-01-06T13:30:00Z");
  auto party = quick_add_body("Party on Friday", now);
  REQUIRE(party["start"]["date"] == "2026-01-09");
  REQUIRE(party["end"]["date"] == "2026-01-10");
  REQUIRE(quick_add_body("Review Jan 20 15:00", now)["start"]["dateTime"] == "2026-01-20T15:00:00Z");
  REQUIRE(quick_add_body("Think", now)["start"]["dateTime"] == "2026-01-05T11:00:00Z");
}

}  // namespace calendar_store_test
