// Reads the `bigquery` stack-file section. Schemas and rows are written as YAML in the REST
// API's own shape (fields with name/type/mode) and checked by the same code tables.insert uses.
#include "services/bigquery/section.h"

#include "core/stack_yaml.h"

namespace gcpsim::services::bigquery {
namespace {

namespace sf = core::stackfile;
using namespace std::chrono_literals;

Json json_of(const sf::Field& f) {
  auto j = Json::parse(sf::json_text(f.node), nullptr, false);
  if (j.is_discarded()) sf::fail(f, "cannot read " + f.path + " as JSON");
  return j;
}

TableConfig read_table(const sf::Field& f) {
  sf::Map m(f, {"schema", "time_partitioning", "clustering", "view", "rows", "description", "labels", "expiration"});
  TableConfig t;
  t.resource = Json::object();
  if (auto s = m.get("schema")) {
    Json fields = json_of(*s);
    if (!fields.is_array()) sf::fail(*s, s->path + " must be a list of fields ({name, type, mode, fields})");
    auto schema = schema_of(Json{{"fields", fields}});
    if (!schema.ok()) sf::fail(*s, s->path + ": " + schema.status().message());
    t.resource["schema"] = {{"fields", fields}};
  }
  if (auto p = m.get("time_partitioning")) {
    sf::Map pm(*p, {"type", "field", "expiration"});
    Json tp = {{"type", pm.get("type") ? sf::one_of(*pm.get("type"), {"DAY", "HOUR", "MONTH", "YEAR"}) : "DAY"}};
    if (auto fld = pm.get("field")) tp["field"] = sf::text(*fld);
    if (auto e = pm.get("expiration"))
      tp["expirationMs"] = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(sf::duration(*e, core::Duration(1s), core::Duration(3650 * 24h))).count());
    t.resource["timePartitioning"] = tp;
  }
  if (auto c = m.get("clustering")) t.resource["clustering"] = {{"fields", sf::strings(*c)}};
  if (auto v = m.get("view")) t.resource["view"] = {{"query", sf::text(*v)}, {"useLegacySql", false}};
  if (auto d = m.get("description")) t.resource["description"] = sf::text(*d);
  if (auto e = m.get("expiration"))
    t.expiration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(sf::duration(*e, core::Duration(1s), core::Duration(36500 * 24h))).count();
  if (auto l = m.get("labels")) t.resource["labels"] = sf::string_map(*l);
  if (!m.has("schema") && !m.has("view")) sf::fail_under(f, f.path + " needs a schema or a view");
  if (auto r = m.get("rows")) {
    for (const auto& item : sf::items(*r)) {
      Json row = json_of(item);
      if (!row.is_object()) sf::fail(item, item.path + " must be a mapping of column values");
      t.rows.push_back(row);
    }
  }
  return t;
}

ScheduledQuery read_scheduled(const std::string& name, const sf::Field& f) {
  sf::Map m(f, {"query", "schedule", "destination", "write_disposition"});
  ScheduledQuery q;
  q.name = name;
  q.query = sf::text(m.require("query"));
  sf::Field sched = m.require("schedule");
  std::string s = sf::text(sched);
  // "every day 03:00" or "every 15 minutes" / "every 2 hours" (BigQuery's schedule syntax)
  int h = 0, mi = 0, n = 0;
  char unit[16] = {0};
  if (std::sscanf(s.c_str(), "every day %d:%d", &h, &mi) == 2 && h >= 0 && h < 24 && mi >= 0 && mi < 60) {
    q.daily_minute = h * 60 + mi;
  } else if (std::sscanf(s.c_str(), "every %d %15s", &n, unit) == 2 && n > 0) {
    std::string u = unit;
    if (u == "minutes" || u == "minute" || u == "mins") q.period = std::chrono::minutes(n);
    else if (u == "hours" || u == "hour") q.period = std::chrono::hours(n);
    else sf::fail(sched, sched.path + ": unknown unit '" + u + "' (minutes or hours)");
    if (q.period < std::chrono::minutes(5)) sf::fail(sched, sched.path + ": scheduled queries run at most every 5 minutes");
  } else {
    sf::fail(sched, sched.path + " must read \"every day HH:MM\" or \"every N minutes|hours\"");
  }
  if (auto d = m.get("destination")) {
    q.destination = sf::text(*d);
    if (q.destination->find('.') == std::string::npos) sf::fail(*d, d->path + " must be dataset.table");
  }
  if (auto w = m.get("write_disposition")) q.write_disposition = sf::one_of(*w, {"WRITE_APPEND", "WRITE_TRUNCATE"});
  return q;
}

BigQueryConfig read_section(const sf::Field& f) {
  sf::Map m(f, {"datasets", "scheduled_queries"});
  BigQueryConfig c;
  if (auto ds = m.get("datasets")) {
    for (const auto& [name, df] : sf::entries(*ds)) {
      sf::Map dm(df, {"labels", "description", "default_table_expiration", "tables"});
      DatasetConfig d;
      d.resource = {{"datasetReference", {{"datasetId", name}}}};
      if (auto l = dm.get("labels")) d.resource["labels"] = sf::string_map(*l);
      if (auto desc = dm.get("description")) d.resource["description"] = sf::text(*desc);
      if (auto e = dm.get("default_table_expiration"))
        d.resource["defaultTableExpirationMs"] = std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(sf::duration(*e, core::Duration(1h), core::Duration(36500 * 24h))).count());
      if (auto ts = dm.get("tables"))
        for (const auto& [tname, tf] : sf::entries(*ts)) d.tables.emplace_back(tname, read_table(tf));
      c.datasets.emplace_back(name, std::move(d));
    }
  }
  if (auto sq = m.get("scheduled_queries"))
    for (const auto& [name, qf] : sf::entries(*sq)) c.scheduled.push_back(read_scheduled(name, qf));
  return c;
}

}  // namespace

bool declares_table(const core::StackConfig& stack, const std::string& dataset, const std::string& table) {
  const auto* cfg = stack.section<BigQueryConfig>("bigquery");
  if (!cfg) return false;
  for (const auto& [name, d] : cfg->datasets) {
    if (name != dataset) continue;
    for (const auto& [tname, t] : d.tables)
      if (tname == table) return true;
  }
  return false;
}

core::StackSection stack_section() {
  return {"bigquery", [](const sf::Field& f, core::SectionContext&) -> std::any { return read_section(f); }};
}

}  // namespace gcpsim::services::bigquery
