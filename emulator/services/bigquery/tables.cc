// Tables and views: metadata rows, the SQLite table holding each table's rows, schema
// evolution by patch (new NULLABLE/REPEATED columns, REQUIRED relaxed), expiration on the clock.
#include <cctype>

#include "core/clock.h"
#include "core/env.h"
#include "core/ids.h"
#include "core/events.h"
#include "core/store.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/errors.h"
#include "services/bigquery/limits.h"

namespace gcpsim::services::bigquery {
namespace {

const char* column_decl(const Field& f) {
  if (f.repeated() || f.is_struct()) return "TEXT";
  switch (f.kind) {
    case Kind::kInt64: case Kind::kBool: case Kind::kTimestamp: return "INTEGER";
    case Kind::kFloat64: return "REAL";
    case Kind::kNumeric: case Kind::kBigNumeric: return "NUMERIC";
    default: return "TEXT";
  }
}

bool valid_table_id(const std::string& id) {
  if (id.empty() || id.size() > limits::kMaxIdBytes) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$' || static_cast<unsigned char>(c) >= 0x80)) return false;
  return true;
}

int64_t ms_of(const Json& v) {
  if (v.is_string()) return std::atoll(v.get<std::string>().c_str());
  if (v.is_number()) return v.get<int64_t>();
  return 0;
}

// The new schema may add columns and relax REQUIRED, never drop or retype one.
core::Status check_evolution(const TableRef& t, const Schema& old, const Schema& now, const std::string& prefix = "") {
  for (const auto& o : old) {
    const Field* n = nullptr;
    for (const auto& f : now)
      if (iequals(f.name, o.name)) n = &f;
    std::string name = prefix + o.name;
    if (!n) return errors::invalid("Provided Schema does not match Table " + t.str() + ". Field " + name + " is missing in new schema");
    if (n->kind != o.kind)
      return errors::invalid("Provided Schema does not match Table " + t.str() + ". Field " + name + " has changed type from " +
                             legacy_name(o.kind) + " to " + legacy_name(n->kind));
    if (o.mode != n->mode && !(o.mode == "REQUIRED" && n->mode == "NULLABLE"))
      return errors::invalid("Provided Schema does not match Table " + t.str() + ". Field " + name + " has changed mode from " +
                             o.mode + " to " + n->mode);
    if (o.is_struct()) RETURN_IF_ERROR(check_evolution(t, o.fields, n->fields, name + "."));
  }
  if (prefix.empty() || true)
    for (const auto& n : now) {
      bool existed = false;
      for (const auto& o : old) existed = existed || iequals(o.name, n.name);
      if (!existed && n.mode == "REQUIRED")
        return errors::invalid("Provided Schema does not match Table " + t.str() + ". Cannot add required field " + prefix + n.name);
    }
  return core::Status::ok();
}

}  // namespace

std::optional<Json> Warehouse::table_row(const TableRef& t) const {
  auto st = env_.store.prepare("SELECT resource FROM bigquery_tables WHERE project = ? AND dataset = ? AND table_id = ?");
  st.bind_all(t.project, t.dataset, t.table);
  if (!st.step()) return std::nullopt;
  Json r = Json::parse(st.column_text(0));
  if (r.contains("expirationTime") && ms_of(r["expirationTime"]) <= now_ms()) {
    // Expired: gone as BigQuery deletes it, the next time anyone looks.
    const_cast<Warehouse*>(this)->delete_table(t);
    env_.events.record("bigquery.table.expired", "bigquery", {{"table", table_key(t)}});
    return std::nullopt;
  }
  return r;
}

core::Status Warehouse::create_data_table(const TableRef& t, const Schema& schema, bool ingestion_time) {
  std::string cols;
  for (const auto& f : schema) cols += (cols.empty() ? "" : ", ") + quote_ident(f.name) + " " + column_decl(f);
  if (ingestion_time) cols += std::string(cols.empty() ? "" : ", ") + "\"_PARTITIONTIME\" INTEGER";
  if (cols.empty()) cols = "\"_empty\" INTEGER";
  return env_.store.exec("CREATE TABLE " + data_table(t) + " (" + cols + ")");
}

core::Status Warehouse::drop_data_table(const TableRef& t) { return env_.store.exec("DROP TABLE IF EXISTS " + data_table(t)); }

core::StatusOr<Json> Warehouse::create_table_resource(const TableRef& ref, const Json& body) {
  Json r = Json::object();
  r["kind"] = "bigquery#table";
  r["etag"] = env_.ids.token("bigquery.etag", 16);
  r["id"] = table_key(ref);
  r["selfLink"] = "https://bigquery.googleapis.com/bigquery/v2/projects/" + ref.project + "/datasets/" + ref.dataset + "/tables/" + ref.table;
  r["tableReference"] = {{"projectId", ref.project}, {"datasetId", ref.dataset}, {"tableId", ref.table}};
  for (const char* k : {"friendlyName", "description", "labels", "expirationTime", "timePartitioning", "rangePartitioning", "clustering",
                        "requirePartitionFilter"})
    if (body.contains(k) && !body[k].is_null()) r[k] = body[k];
  ASSIGN_OR_RETURN(Schema schema, schema_of(body.value("schema", Json())));
  bool view = body.contains("view") && body["view"].is_object();
  if (view) {
    std::string q = body["view"].value("query", "");
    if (q.empty()) return errors::invalid("View " + ref.str() + " has no query");
    if (body["view"].value("useLegacySql", false)) return errors::invalid("Legacy SQL views are not supported by gcpsim");
    CompileOptions opt;
    opt.project = ref.project;
    opt.default_dataset = ref.dataset;
    ASSIGN_OR_RETURN(Compiled c, compile(q, *this, opt));
    if (c.kind != Compiled::Kind::kSelect) return errors::invalid("A view's query must be a SELECT");
    schema = c.schema;
    r["view"] = {{"query", q}, {"useLegacySql", false}};
    r["type"] = "VIEW";
  } else {
    r["type"] = "TABLE";
  }
  if (r.contains("timePartitioning")) {
    const Json& tp = r["timePartitioning"];
    std::string type = tp.value("type", "DAY");
    if (type != "DAY" && type != "HOUR" && type != "MONTH" && type != "YEAR")
      return errors::invalid("Invalid value for timePartitioning.type: " + type);
    if (tp.contains("field")) {
      const Field* f = nullptr;
      for (const auto& c : schema)
        if (iequals(c.name, tp["field"].get<std::string>())) f = &c;
      if (!f) return errors::invalid("The field specified for time partitioning can only be found in the schema: " + tp["field"].get<std::string>());
      if (f->kind != Kind::kTimestamp && f->kind != Kind::kDate && f->kind != Kind::kDatetime)
        return errors::invalid("Partitioning field " + f->name + " must be TIMESTAMP, DATE or DATETIME");
    }
    r["timePartitioning"]["type"] = type;
  }
  if (r.contains("clustering")) {
    const Json fields = r["clustering"].value("fields", Json::array());
    if (!fields.is_array() || fields.size() > 4) return errors::invalid("Clustering: at most 4 fields");
    for (const auto& cf : fields) {
      bool found = false;
      for (const auto& c : schema) found = found || (cf.is_string() && iequals(c.name, cf.get<std::string>()));
      if (!found) return errors::invalid("The field specified for clustering cannot be found in the schema: " + cf.dump());
    }
  }
  if (!schema.empty() || !view) r["schema"] = schema_json(schema);
  r["creationTime"] = std::to_string(now_ms());
  r["lastModifiedTime"] = std::to_string(now_ms());
  r["location"] = "US";
  if (!r.contains("expirationTime")) {
    ASSIGN_OR_RETURN(Json ds, dataset_row(ref.project, ref.dataset));
    if (ds.contains("defaultTableExpirationMs"))
      r["expirationTime"] = std::to_string(now_ms() + ms_of(ds["defaultTableExpirationMs"]));
  } else {
    r["expirationTime"] = std::to_string(ms_of(r["expirationTime"]));
  }
  return r;
}

core::StatusOr<Json> Warehouse::insert_table(const std::string& project, const std::string& dataset, const Json& body) {
  if (!body.is_object()) return errors::invalid("Invalid table resource: expected an object");
  const Json ref = body.value("tableReference", Json::object());
  TableRef t{ref.value("projectId", project), ref.value("datasetId", dataset), ref.value("tableId", "")};
  if (t.table.empty()) return errors::required("Missing required field: tableReference.tableId");
  if (!valid_table_id(t.table)) return errors::invalid("Invalid table ID \"" + t.table + "\".");
  RETURN_IF_ERROR(dataset_row(t.project, t.dataset).status());
  if (table_row(t)) return errors::duplicate("Table " + t.str());
  ASSIGN_OR_RETURN(Json r, create_table_resource(t, body));
  auto tx = env_.store.begin();
  if (r["type"] == "TABLE") {
    ASSIGN_OR_RETURN(Schema schema, schema_of(r.value("schema", Json())));
    bool ingestion = r.contains("timePartitioning") && !r["timePartitioning"].contains("field");
    RETURN_IF_ERROR(create_data_table(t, schema, ingestion));
  }
  auto st = env_.store.prepare("INSERT INTO bigquery_tables (project, dataset, table_id, resource) VALUES (?, ?, ?, ?)");
  RETURN_IF_ERROR(st.bind_all(t.project, t.dataset, t.table, r.dump()).run());
  RETURN_IF_ERROR(tx.commit());
  return table_stats(t, r);
}

Json Warehouse::table_stats(const TableRef& t, Json r) const {
  if (r.value("type", "TABLE") != "TABLE") return r;
  auto st = env_.store.prepare("SELECT count(*) FROM " + data_table(t));
  int64_t n = st.step() ? st.column_int(0) : 0;
  r["numRows"] = std::to_string(n);
  size_t cols = r.contains("schema") ? r["schema"].value("fields", Json::array()).size() : 0;
  r["numBytes"] = std::to_string(n * int64_t(cols) * 8);  // an estimate: 8 bytes a value
  r["numLongTermBytes"] = "0";
  return r;
}

core::StatusOr<Json> Warehouse::get_table(const TableRef& t) const {
  RETURN_IF_ERROR(dataset_row(t.project, t.dataset).status());
  auto r = table_row(t);
  if (!r) return errors::table_not_found(t.project, t.dataset, t.table);
  return table_stats(t, *r);
}

core::StatusOr<Page> Warehouse::list_tables(const std::string& project, const std::string& dataset, size_t max,
                                            const std::string& token) const {
  RETURN_IF_ERROR(dataset_row(project, dataset).status());
  auto st = env_.store.prepare("SELECT table_id FROM bigquery_tables WHERE project = ? AND dataset = ? AND table_id > ? ORDER BY table_id");
  st.bind_all(project, dataset, token);
  std::vector<std::string> ids;
  while (st.step()) ids.push_back(st.column_text(0));
  Page page;
  for (const auto& id : ids) {
    auto r = table_row({project, dataset, id});
    if (!r) continue;
    if (page.items.size() == max) {
      page.next_token = page.items.back()["tableReference"]["tableId"].get<std::string>();
      break;
    }
    Json item = {{"kind", "bigquery#table"}, {"id", (*r)["id"]}, {"tableReference", (*r)["tableReference"]}, {"type", (*r)["type"]},
                 {"creationTime", (*r)["creationTime"]}};
    for (const char* k : {"labels", "timePartitioning", "clustering", "expirationTime", "friendlyName"})
      if (r->contains(k)) item[k] = (*r)[k];
    if (r->contains("view")) item["view"] = {{"useLegacySql", false}};
    page.items.push_back(item);
  }
  return page;
}

core::StatusOr<Json> Warehouse::update_table(const TableRef& t, const Json& body, bool patch) {
  ASSIGN_OR_RETURN(Json r, get_table(t));
  if (!body.is_object()) return errors::invalid("Invalid table resource: expected an object");
  for (const char* k : {"friendlyName", "description", "labels", "expirationTime", "clustering", "requirePartitionFilter"}) {
    if (body.contains(k)) {
      if (body[k].is_null()) r.erase(k);
      else r[k] = body[k];
    } else if (!patch && std::string(k) != "clustering") {
      r.erase(k);
    }
  }
  if (r.contains("expirationTime")) r["expirationTime"] = std::to_string(ms_of(r["expirationTime"]));
  auto tx = env_.store.begin();
  if (body.contains("view") && r.contains("view")) {
    ASSIGN_OR_RETURN(Json fresh, create_table_resource(t, Json{{"view", body["view"]}}));
    r["view"] = fresh["view"];
    r["schema"] = fresh["schema"];
  } else if (body.contains("schema") && r["type"] == "TABLE") {
    ASSIGN_OR_RETURN(Schema now, schema_of(body["schema"]));
    ASSIGN_OR_RETURN(Schema old, schema_of(r.value("schema", Json())));
    RETURN_IF_ERROR(check_evolution(t, old, now));
    for (const auto& n : now) {
      bool existed = false;
      for (const auto& o : old) existed = existed || iequals(o.name, n.name);
      if (!existed) RETURN_IF_ERROR(env_.store.exec("ALTER TABLE " + data_table(t) + " ADD COLUMN " + quote_ident(n.name) + " " + column_decl(n)));
    }
    r["schema"] = schema_json(now);
  }
  r["lastModifiedTime"] = std::to_string(now_ms());
  r["etag"] = env_.ids.token("bigquery.etag", 16);
  for (const char* k : {"numRows", "numBytes", "numLongTermBytes"}) r.erase(k);
  auto st = env_.store.prepare("UPDATE bigquery_tables SET resource = ? WHERE project = ? AND dataset = ? AND table_id = ?");
  RETURN_IF_ERROR(st.bind_all(r.dump(), t.project, t.dataset, t.table).run());
  RETURN_IF_ERROR(tx.commit());
  return table_stats(t, r);
}

core::Status Warehouse::delete_table(const TableRef& t) {
  auto tx = env_.store.begin();
  auto st = env_.store.prepare("DELETE FROM bigquery_tables WHERE project = ? AND dataset = ? AND table_id = ?");
  RETURN_IF_ERROR(st.bind_all(t.project, t.dataset, t.table).run());
  if (env_.store.changes() == 0) {
    RETURN_IF_ERROR(dataset_row(t.project, t.dataset).status());
    return errors::table_not_found(t.project, t.dataset, t.table);
  }
  RETURN_IF_ERROR(drop_data_table(t));
  insert_ids_.erase(table_key(t));
  return tx.commit();
}

std::optional<TableInfo> Warehouse::table(const TableRef& t) const {
  auto r = table_row(t);
  if (!r) return std::nullopt;
  TableInfo info;
  info.ref = t;
  info.type = r->value("type", "TABLE");
  auto schema = schema_of(r->value("schema", Json()));
  if (schema.ok()) info.schema = *schema;
  if (r->contains("view")) info.view_query = (*r)["view"].value("query", "");
  info.ingestion_time = r->contains("timePartitioning") && !(*r)["timePartitioning"].contains("field");
  return info;
}

std::vector<TableInfo> Warehouse::tables(const std::string& project, const std::string& dataset) const {
  auto st = env_.store.prepare("SELECT table_id FROM bigquery_tables WHERE project = ? AND dataset = ? ORDER BY table_id");
  st.bind_all(project, dataset);
  std::vector<std::string> ids;
  while (st.step()) ids.push_back(st.column_text(0));
  std::vector<TableInfo> out;
  for (const auto& id : ids)
    if (auto info = table({project, dataset, id})) out.push_back(*info);
  return out;
}

}  // namespace gcpsim::services::bigquery
