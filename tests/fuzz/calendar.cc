// Calendar recurrence and times: the first line is an event start ({"dateTime":…} or
// {"date":…} JSON), the next is a query window "timeMin timeMax" (RFC 3339), the rest are
// RRULE/EXDATE/RDATE lines expanded over the window.
#include <string>
#include <vector>

#include "fuzz.h"
#include "services/calendar/rrule.h"
#include "services/calendar/times.h"

using namespace gcpsim;
using namespace gcpsim::services::calendar;

namespace {
std::vector<std::string> lines_of(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto nl = s.find('\n');
    out.emplace_back(s.substr(0, nl));
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return out;
}
}  // namespace

GCPSIM_FUZZ_TARGET(calendar) {
  auto lines = lines_of(input);
  if (lines.size() < 2) return;
  auto j = Json::parse(lines[0], nullptr, false);
  if (j.is_discarded()) return;
  auto start = parse_event_time(j, "start");
  (void)parse_date(lines[1]);
  auto sp = lines[1].find(' ');
  auto from = parse_query_time(std::string_view(lines[1]).substr(0, sp));
  auto to = sp == std::string::npos ? std::nullopt : parse_query_time(std::string_view(lines[1]).substr(sp + 1));
  std::vector<std::string> rules(lines.begin() + 2, lines.end());
  auto rec = parse_recurrence(rules);
  if (!start.ok()) return;
  (void)event_time_json(*start);
  (void)basic_stamp(*start);
  if (!rec.ok() || !from || !to) return;
  auto got = expand(*rec, *start, std::chrono::hours(1), *from, *to, 500);
  for (auto t : got) (void)format_at_offset(t, start->offset_minutes);
}
