// Rows of tables: streaming inserts with per-row errors and insertId de-duplication on the
// clock, appends from jobs, and paged reads.
#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "core/clock.h"
#include "core/env.h"
#include "core/store.h"
#include "services/bigquery/civil.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/errors.h"
#include "services/bigquery/limits.h"

namespace gcpsim::services::bigquery {
namespace {

void bind_cell(core::Statement& st, int i, const Cell& c) {
  if (auto* v = std::get_if<int64_t>(&c.v)) st.bind(i, *v);
  else if (auto* d = std::get_if<double>(&c.v)) st.bind(i, *d);
  else if (auto* s = std::get_if<std::string>(&c.v)) st.bind(i, std::string_view(*s));
  else st.bind_null(i);
}

Cell column_cell(sqlite3_stmt* st, int col) {
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER: return {int64_t(sqlite3_column_int64(st, col))};
    case SQLITE_FLOAT: return {sqlite3_column_double(st, col)};
    case SQLITE_NULL: return {};
    default: {
      const char* t = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
      return {std::string(t ? t : "", size_t(sqlite3_column_bytes(st, col)))};
    }
  }
}

}  // namespace

// Reads `sql`'s rows as stored values (used for tables and job results alike).
core::StatusOr<std::vector<std::vector<Json>>> read_rows(core::Store& store, const std::string& sql, const Schema& schema) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(store.handle(), sql.c_str(), int(sql.size()), &st, nullptr) != SQLITE_OK)
    return errors::invalid_query(std::string("Query error: ") + sqlite3_errmsg(store.handle()));
  std::vector<std::vector<Json>> rows;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    std::vector<Json> row;
    for (size_t i = 0; i < schema.size(); ++i) row.push_back(json_of_cell(schema[i], column_cell(st, int(i))));
    rows.push_back(std::move(row));
  }
  std::string err = rc == SQLITE_DONE ? "" : sqlite3_errmsg(store.handle());
  sqlite3_finalize(st);
  if (!err.empty()) return errors::invalid_query("Query error: " + err);
  return rows;
}

core::Status Warehouse::append(const TableRef& t, const Schema& schema, const std::vector<std::vector<Json>>& rows) {
  auto info = table(t);
  if (!info) return errors::table_not_found(t.project, t.dataset, t.table);
  std::string cols, marks;
  for (size_t i = 0; i < schema.size(); ++i) {
    cols += (i ? ", " : "") + quote_ident(schema[i].name);
    marks += i ? ", ?" : "?";
  }
  if (info->ingestion_time) {
    cols += std::string(cols.empty() ? "" : ", ") + "\"_PARTITIONTIME\"";
    marks += marks.empty() ? "?" : ", ?";
  }
  if (cols.empty()) return core::Status::ok();
  int64_t day = civil::micros_from_civil(*civil::truncate(civil::civil_from_micros(core::to_micros(env_.clock.now())), "DAY"));
  auto tx = env_.store.begin();
  auto st = env_.store.prepare("INSERT INTO " + data_table(t) + " (" + cols + ") VALUES (" + marks + ")");
  for (const auto& row : rows) {
    st.reset();
    for (size_t i = 0; i < schema.size(); ++i) bind_cell(st, int(i + 1), cell_of(schema[i], i < row.size() ? row[i] : Json()));
    if (info->ingestion_time) st.bind(int(schema.size() + 1), day);
    RETURN_IF_ERROR(st.run());
  }
  return tx.commit();
}

core::StatusOr<Json> Warehouse::insert_all(const TableRef& t, const std::vector<InsertRow>& rows, const InsertOptions& opt) {
  RETURN_IF_ERROR(dataset_row(t.project, t.dataset).status());
  auto info = table(t);
  if (!info) return errors::table_not_found(t.project, t.dataset, t.table);
  if (info->type == "VIEW") return errors::invalid("Cannot add rows to view " + t.str());
  if (rows.size() > limits::kMaxInsertAllRows) return errors::invalid("too many rows present in the request, limit: 50000 row count: " + std::to_string(rows.size()));
  Json insert_errors = Json::array();
  std::vector<std::vector<Json>> good;
  std::vector<size_t> good_index;
  int64_t now = core::to_micros(env_.clock.now());
  auto& seen = insert_ids_[table_key(t)];
  for (auto it = seen.begin(); it != seen.end();)  // forget ids older than the window
    it = now - it->second > std::chrono::duration_cast<std::chrono::microseconds>(limits::kInsertIdWindow).count() ? seen.erase(it) : std::next(it);
  std::set<std::string> batch_ids;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& row = rows[i].json;
    const std::string& id = rows[i].insert_id;
    if (!id.empty() && (seen.count(id) || batch_ids.count(id))) continue;  // a retried row: already in
    Json errs = Json::array();
    std::vector<Json> values;
    if (!row.is_object()) {
      errs.push_back({{"reason", "invalid"}, {"location", ""}, {"debugInfo", ""}, {"message", "Row is not a JSON object"}});
    } else {
      for (const auto& f : info->schema) {
        auto v = row.find(f.name);
        auto stored = stored_json(f, v == row.end() ? Json() : *v, opt.ignore_unknown, f.name);
        if (!stored.ok()) {
          errs.push_back({{"reason", "invalid"}, {"location", f.name}, {"debugInfo", ""}, {"message", stored.status().message()}});
          continue;
        }
        values.push_back(*stored);
      }
      if (!opt.ignore_unknown)
        for (auto it = row.begin(); it != row.end(); ++it) {
          bool known = false;
          for (const auto& f : info->schema) known = known || f.name == it.key();
          if (!known) errs.push_back({{"reason", "invalid"}, {"location", it.key()}, {"debugInfo", ""}, {"message", "no such field: " + it.key() + "."}});
        }
    }
    if (!errs.empty()) {
      insert_errors.push_back({{"index", i}, {"errors", errs}});
      continue;
    }
    if (!id.empty()) batch_ids.insert(id);
    good.push_back(std::move(values));
    good_index.push_back(i);
  }
  if (!insert_errors.empty() && !opt.skip_invalid) {
    // Nothing goes in: the valid rows are reported as stopped.
    for (size_t i : good_index)
      insert_errors.push_back({{"index", i}, {"errors", Json::array({{{"reason", "stopped"}, {"location", ""}, {"debugInfo", ""}, {"message", ""}}})}});
    std::sort(insert_errors.begin(), insert_errors.end(), [](const Json& a, const Json& b) { return a["index"] < b["index"]; });
    return insert_errors;
  }
  RETURN_IF_ERROR(append(t, info->schema, good));
  for (const auto& id : batch_ids) seen[id] = now;
  return insert_errors;
}

core::StatusOr<RowsPage> Warehouse::list_rows(const TableRef& t, int64_t start, size_t max, const std::string& token,
                                              const std::vector<std::string>& selected) const {
  RETURN_IF_ERROR(dataset_row(t.project, t.dataset).status());
  auto info = table(t);
  if (!info) return errors::table_not_found(t.project, t.dataset, t.table);
  if (info->type == "VIEW") return errors::invalid("Cannot list a table of type VIEW.");
  RowsPage page;
  if (selected.empty()) {
    page.schema = info->schema;
  } else {
    for (const auto& f : info->schema)
      for (const auto& s : selected)
        if (iequals(f.name, s.substr(0, s.find('.')))) { page.schema.push_back(f); break; }
  }
  if (!token.empty()) start = std::atoll(token.c_str());
  auto count = env_.store.prepare("SELECT count(*) FROM " + data_table(t));
  page.total = count.step() ? count.column_int(0) : 0;
  std::string cols;
  for (const auto& f : page.schema) cols += (cols.empty() ? "" : ", ") + quote_ident(f.name);
  if (cols.empty()) cols = "NULL";
  ASSIGN_OR_RETURN(page.rows, read_rows(env_.store, "SELECT " + cols + " FROM " + data_table(t) + " ORDER BY rowid LIMIT " +
                                                       std::to_string(max) + " OFFSET " + std::to_string(std::max<int64_t>(start, 0)),
                                          page.schema));
  if (start + int64_t(page.rows.size()) < page.total && !page.rows.empty()) page.next_token = std::to_string(start + int64_t(page.rows.size()));
  return page;
}

}  // namespace gcpsim::services::bigquery
