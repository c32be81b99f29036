// Jobs: query jobs (SELECT into a result table, DML, DDL, destination tables with their
// dispositions, dry runs), the job records, listing, cancelling, and result pages.
#include <sqlite3.h>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/errors.h"
#include "services/bigquery/query_pool.h"

namespace gcpsim::services::bigquery {

std::string result_table(const std::string& project, const std::string& job_id) {
  return quote_ident("bqr:" + project + "." + job_id);
}

core::Status query_error(const core::Status& st) {
  // The store's message for a failed statement becomes BigQuery's "Query error".
  if (errors::reason_of(st) == "" || st.code() == core::Code::kInternal || st.code() == core::Code::kUnknown)
    return errors::invalid_query("Query error: " + st.message());
  return st;
}

namespace {

core::StatusOr<Field> param_type(const Json& t, const std::string& name) {
  if (!t.is_object()) return errors::invalid("Query parameter '" + name + "' has no parameterType");
  std::string type = upper(t.value("type", ""));
  if (type == "ARRAY") {
    ASSIGN_OR_RETURN(Field el, param_type(t.value("arrayType", Json()), name));
    return el.array_of();
  }
  if (type == "STRUCT" || type == "RECORD") {
    Field f = scalar(Kind::kStruct);
    for (const auto& st : t.value("structTypes", Json::array())) {
      ASSIGN_OR_RETURN(Field sub, param_type(st.value("type", Json()), name));
      sub.name = st.value("name", "");
      f.fields.push_back(sub);
    }
    return f;
  }
  auto k = kind_of(type);
  if (!k || *k == Kind::kInterval) return errors::invalid("Invalid query parameter type " + type + " for parameter " + name);
  return scalar(*k);
}

// parameterValue → the plain JSON stored_json reads.
Json param_plain(const Field& f, const Json& v) {
  if (!v.is_object()) return Json();
  if (f.repeated()) {
    Json arr = Json::array();
    for (const auto& e : v.value("arrayValues", Json::array())) arr.push_back(param_plain(f.element(), e));
    return arr;
  }
  if (f.is_struct()) {
    Json obj = Json::object();
    const Json sv = v.value("structValues", Json::object());
    for (const auto& sub : f.fields) obj[sub.name] = sv.contains(sub.name) ? param_plain(sub, sv[sub.name]) : Json();
    return obj;
  }
  return v.contains("value") ? v["value"] : Json();
}

const char* statement_type(Compiled::Kind k, bool as_select) {
  switch (k) {
    case Compiled::Kind::kSelect: return "SELECT";
    case Compiled::Kind::kInsert: return "INSERT";
    case Compiled::Kind::kUpdate: return "UPDATE";
    case Compiled::Kind::kDelete: return "DELETE";
    case Compiled::Kind::kMerge: return "MERGE";
    case Compiled::Kind::kCreateTable: return as_select ? "CREATE_TABLE_AS_SELECT" : "CREATE_TABLE";
    case Compiled::Kind::kCreateView: return "CREATE_VIEW";
    case Compiled::Kind::kDropTable: return "DROP_TABLE";
    case Compiled::Kind::kDropView: return "DROP_VIEW";
  }
  return "SELECT";
}

}  // namespace

core::StatusOr<std::vector<Parameter>> parameters_of(const Json& qp) {
  std::vector<Parameter> out;
  if (qp.is_null()) return out;
  if (!qp.is_array()) return errors::invalid("queryParameters must be a list");
  for (const auto& p : qp) {
    Parameter param;
    param.name = p.value("name", "");
    ASSIGN_OR_RETURN(param.type, param_type(p.value("parameterType", Json()), param.name));
    ASSIGN_OR_RETURN(param.value, stored_json(param.type, param_plain(param.type, p.value("parameterValue", Json())), false,
                                              param.name.empty() ? "parameter " + std::to_string(out.size() + 1) : param.name));
    out.push_back(std::move(param));
  }
  return out;
}

core::Status Warehouse::save_job(const std::string& project, const std::string& job_id, const Json& job, const std::string& result,
                                 const Schema& schema) {
  auto st = env_.store.prepare("INSERT OR REPLACE INTO bigquery_jobs (project, job_id, seq, resource, result, schema) VALUES (?, ?, ?, ?, ?, ?)");
  int64_t seq = int64_t(env_.ids.next_numeric("bigquery.job.seq"));
  return st.bind_all(project, job_id, seq, job.dump(), result, schema_json(schema).dump()).run();
}

core::StatusOr<Json> Warehouse::insert_job(const std::string& project, const Json& body, const std::string* upload, bool async) {
  if (!body.is_object()) return errors::invalid("Invalid job resource: expected an object");
  Json job = Json::object();
  const Json ref = body.value("jobReference", Json::object());
  std::string job_id = ref.value("jobId", "");
  if (job_id.empty()) job_id = "job_" + env_.ids.token("bigquery.job", 21);
  for (char c : job_id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      return errors::invalid("Invalid job ID \"" + job_id + "\". Job IDs must be alphanumeric (plus underscores and dashes) and must be at most 1024 characters long.");
  if (get_job(project, job_id).ok()) return errors::duplicate("Job " + project + ":US." + job_id);
  const Json config = body.value("configuration", Json::object());
  job["kind"] = "bigquery#job";
  job["etag"] = env_.ids.token("bigquery.etag", 16);
  job["id"] = project + ":US." + job_id;
  job["selfLink"] = "https://bigquery.googleapis.com/bigquery/v2/projects/" + project + "/jobs/" + job_id + "?location=US";
  job["user_email"] = "gcpsim@" + project + ".iam.gserviceaccount.com";
  job["jobReference"] = {{"projectId", project}, {"jobId", job_id}, {"location", ref.value("location", "US")}};
  job["configuration"] = config;
  job["statistics"] = {{"creationTime", std::to_string(now_ms())}, {"startTime", std::to_string(now_ms())}};
  env_.events.record("bigquery.job", "bigquery", {{"job", job_id}});
  if (config.contains("query")) {
    job["configuration"]["jobType"] = "QUERY";
    return run_query_job(project, job, async);
  }
  if (config.contains("load")) {
    job["configuration"]["jobType"] = "LOAD";
    return run_load_job(project, job, upload);
  }
  if (config.contains("extract")) {
    job["configuration"]["jobType"] = "EXTRACT";
    return run_extract_job(project, job);
  }
  if (config.contains("copy")) {
    job["configuration"]["jobType"] = "COPY";
    return run_copy_job(project, job);
  }
  return errors::invalid("Job configuration must contain one of query, load, extract or copy");
}

core::StatusOr<Json> Warehouse::run_query(const std::string& project, const Json& query_config) {
  return insert_job(project, Json{{"configuration", {{"query", query_config}}}}, nullptr, false);
}

core::Status Warehouse::write_destination(const TableRef& dest, const Schema& schema, const std::string& select_sql,
                                          const std::string& write, const std::string& create, const Json* options) {
  RETURN_IF_ERROR(dataset_row(dest.project, dest.dataset).status());
  auto info = table(dest);
  if (info && info->type == "VIEW") return errors::invalid("Cannot write query results to view " + dest.str());
  if (!info) {
    if (create == "CREATE_NEVER") return errors::table_not_found(dest.project, dest.dataset, dest.table);
    Json body = options ? *options : Json::object();
    body["tableReference"] = {{"projectId", dest.project}, {"datasetId", dest.dataset}, {"tableId", dest.table}};
    body["schema"] = schema_json(schema);
    RETURN_IF_ERROR(insert_table(dest.project, dest.dataset, body).status());
    info = table(dest);
  } else if (write == "WRITE_EMPTY") {
    auto n = env_.store.prepare("SELECT count(*) FROM " + data_table(dest));
    if (n.step() && n.column_int(0) > 0) return errors::duplicate("Table " + dest.str() + " already exists and is not empty");
  } else if (write == "WRITE_TRUNCATE") {
    Json r = *table_row(dest);
    r["schema"] = schema_json(schema);
    RETURN_IF_ERROR(drop_data_table(dest));
    RETURN_IF_ERROR(create_data_table(dest, schema, info->ingestion_time));
    auto st = env_.store.prepare("UPDATE bigquery_tables SET resource = ? WHERE project = ? AND dataset = ? AND table_id = ?");
    RETURN_IF_ERROR(st.bind_all(r.dump(), dest.project, dest.dataset, dest.table).run());
    info = table(dest);
  } else if (info->schema.size() != schema.size()) {
    return errors::invalid("Invalid schema update. Cannot add fields (field: " + (schema.size() > info->schema.size() ? schema.back().name : info->schema.back().name) + ")");
  } else {
    for (size_t i = 0; i < schema.size(); ++i)
      if (!same_type(schema[i], info->schema[i]))
        return errors::invalid("Invalid schema update. Field " + info->schema[i].name + " has changed type from " +
                               legacy_name(info->schema[i].kind) + " to " + legacy_name(schema[i].kind));
  }
  std::string cols, src;
  for (size_t i = 0; i < info->schema.size(); ++i) {
    cols += (i ? ", " : "") + quote_ident(info->schema[i].name);
    src += (i ? ", " : "") + quote_ident(schema[i].name);
  }
  if (info->ingestion_time) {
    cols += ", \"_PARTITIONTIME\"";
    src += ", bq_trunc_time(bq_now(), 'DAY', 'TIMESTAMP')";
  }
  return env_.store.exec("INSERT INTO " + data_table(dest) + " (" + cols + ") SELECT " + src + " FROM (" + select_sql + ")");
}

void set_bytes(Json& job, Json& qstats, int64_t bytes, bool dry) {
  qstats["totalBytesProcessed"] = std::to_string(bytes);
  qstats["totalBytesBilled"] = std::to_string(dry ? 0 : bytes);
  job["statistics"]["totalBytesProcessed"] = std::to_string(bytes);
}

Json Warehouse::failed_job(Json job, const core::Status& st) const {
  auto e = errors::proto_of(st);
  Json err = {{"reason", e.reason}, {"message", e.message}};
  if (!e.location.empty()) err["location"] = e.location;
  job["status"] = {{"state", "DONE"}, {"errorResult", err}, {"errors", Json::array({err})}};
  job["statistics"]["endTime"] = std::to_string(now_ms());
  return job;
}

core::StatusOr<Json> Warehouse::run_query_job(const std::string& project, Json job, bool async) {
  const Json q = job["configuration"]["query"];
  std::string job_id = job["jobReference"]["jobId"];
  bool dry = job["configuration"].value("dryRun", false);
  auto fail = [&](const core::Status& st) -> core::StatusOr<Json> {
    if (dry) return st;
    job = failed_job(std::move(job), st);
    RETURN_IF_ERROR(save_job(project, job_id, job, "", {}));
    return job;
  };
  if (q.value("useLegacySql", false)) return fail(errors::invalid_query("Legacy SQL is not supported by gcpsim: set useLegacySql to false"));
  std::string text = q.value("query", "");
  if (text.empty()) return fail(errors::invalid("Missing required field: configuration.query.query"));
  CompileOptions opt;
  opt.project = project;
  if (q.contains("defaultDataset")) opt.default_dataset = q["defaultDataset"].value("datasetId", "");
  auto params = parameters_of(q.value("queryParameters", Json()));
  if (!params.ok()) return fail(params.status());
  opt.params = *params;
  opt.named_params = upper(q.value("parameterMode", "NAMED")) != "POSITIONAL";
  if (!opt.params.empty() && !q.contains("parameterMode")) opt.named_params = !opt.params[0].name.empty();
  auto compiled = compile(text, *this, opt);
  if (!compiled.ok()) return fail(compiled.status());
  Compiled& c = *compiled;
  bool as_select = c.kind == Compiled::Kind::kCreateTable && !c.view_query.empty();
  Json qstats = {{"totalBytesProcessed", "0"}, {"totalBytesBilled", "0"}, {"cacheHit", false}, {"statementType", statement_type(c.kind, as_select)}, {"totalPartitionsProcessed", "0"}};
  if (c.kind == Compiled::Kind::kSelect) qstats["schema"] = schema_json(c.schema);
  // A plain SELECT only reads: it may run on a query worker while the engine goes on (the
  // worker also counts the bytes it reads, which takes a scan of each table).
  if (async && !dry && c.kind == Compiled::Kind::kSelect && !q.contains("destinationTable") && start_async(project, job, c, qstats))
    return job;
  int64_t bytes = 0;
  for (const auto& r : c.referenced) {
    auto t = get_table(r);
    if (t.ok()) bytes += std::atoll(t->value("numBytes", "0").c_str());
  }
  set_bytes(job, qstats, bytes, dry);
  if (dry) {
    job["statistics"]["query"] = qstats;
    job["status"] = {{"state", "DONE"}};
    job["jobReference"].erase("jobId");
    return job;
  }
  std::optional<core::Store::Transaction> tx;
  tx.emplace(env_.store);
  std::string result;
  Schema schema;
  int64_t affected = -1;
  core::Status st;
  switch (c.kind) {
    case Compiled::Kind::kSelect: {
      result = result_table(project, job_id);
      st = env_.store.exec("CREATE TABLE " + result + " AS " + c.sql[0]);
      schema = c.schema;
      if (st.is_ok() && q.contains("destinationTable")) {
        const Json d = q["destinationTable"];
        TableRef dest{d.value("projectId", project), d.value("datasetId", ""), d.value("tableId", "")};
        st = write_destination(dest, schema, "SELECT * FROM " + result, q.value("writeDisposition", "WRITE_EMPTY"),
                               q.value("createDisposition", "CREATE_IF_NEEDED"), nullptr);
      }
      break;
    }
    case Compiled::Kind::kInsert: case Compiled::Kind::kUpdate: case Compiled::Kind::kDelete: case Compiled::Kind::kMerge:
      affected = 0;
      for (const auto& s : c.sql) {
        st = env_.store.exec(s);
        if (!st.is_ok()) break;
        if (s.rfind("CREATE TEMP", 0) != 0 && s.rfind("DROP", 0) != 0) affected += env_.store.changes();
      }
      break;
    case Compiled::Kind::kCreateTable: case Compiled::Kind::kCreateView: {
      bool exists = table(c.target).has_value();
      if (exists && c.if_not_exists) break;
      if (exists && c.or_replace) st = delete_table(c.target);
      else if (exists) { st = errors::duplicate("Table " + c.target.str()); break; }
      if (!st.is_ok()) break;
      Json body = {{"tableReference", {{"projectId", c.target.project}, {"datasetId", c.target.dataset}, {"tableId", c.target.table}}}};
      if (c.kind == Compiled::Kind::kCreateView) body["view"] = {{"query", c.view_query}, {"useLegacySql", false}};
      else body["schema"] = schema_json(c.schema);
      st = insert_table(c.target.project, c.target.dataset, body).status();
      if (st.is_ok() && as_select) st = write_destination(c.target, c.schema, c.view_query, "WRITE_APPEND", "CREATE_NEVER", nullptr);
      break;
    }
    case Compiled::Kind::kDropTable: case Compiled::Kind::kDropView: {
      auto info = table(c.target);
      if (!info) {
        if (!c.if_exists) st = errors::table_not_found(c.target.project, c.target.dataset, c.target.table);
        break;
      }
      if ((info->type == "VIEW") != (c.kind == Compiled::Kind::kDropView))
        st = errors::invalid_query(c.target.str() + " is a " + (info->type == "VIEW" ? "view" : "table") + ", not a " +
                                   (c.kind == Compiled::Kind::kDropView ? "view" : "table"));
      else
        st = delete_table(c.target);
      break;
    }
  }
  if (!st.is_ok()) {
    tx.reset();  // rolled back: the failed job is recorded outside it
    return fail(query_error(st));
  }
  RETURN_IF_ERROR(tx->commit());
  if (affected >= 0) qstats["numDmlAffectedRows"] = std::to_string(affected);
  if (c.kind != Compiled::Kind::kSelect && c.kind != Compiled::Kind::kInsert && c.kind != Compiled::Kind::kUpdate &&
      c.kind != Compiled::Kind::kDelete && c.kind != Compiled::Kind::kMerge)
    qstats["ddlTargetTable"] = {{"projectId", c.target.project}, {"datasetId", c.target.dataset}, {"tableId", c.target.table}};
  job["statistics"]["query"] = qstats;
  job["statistics"]["endTime"] = std::to_string(now_ms());
  job["status"] = {{"state", "DONE"}};
  if (c.kind == Compiled::Kind::kSelect && !q.contains("destinationTable"))
    job["configuration"]["query"]["destinationTable"] = {{"projectId", project}, {"datasetId", "_gcpsim_results"}, {"tableId", "anon" + job_id}};
  RETURN_IF_ERROR(save_job(project, job_id, job, result, schema));
  return job;
}

core::StatusOr<Json> Warehouse::get_job(const std::string& project, const std::string& job_id) const {
  auto st = env_.store.prepare("SELECT resource FROM bigquery_jobs WHERE project = ? AND job_id = ?");
  st.bind_all(project, job_id);
  if (!st.step()) return errors::job_not_found(project, "US." + job_id);
  return Json::parse(st.column_text(0));
}

core::StatusOr<Page> Warehouse::list_jobs(const std::string& project, size_t max, const std::string& token, const std::string& state) const {
  auto st = env_.store.prepare("SELECT seq, resource FROM bigquery_jobs WHERE project = ? AND seq < ? ORDER BY seq DESC");
  st.bind_all(project, token.empty() ? INT64_MAX : std::atoll(token.c_str()));
  Page page;
  int64_t last = 0;
  while (st.step()) {
    Json j = Json::parse(st.column_text(1));
    if (!state.empty() && !iequals(j["status"].value("state", ""), state)) continue;
    if (page.items.size() == max) {
      page.next_token = std::to_string(last);
      break;
    }
    last = st.column_int(0);
    Json item = {{"kind", "bigquery#job"}, {"id", j["id"]}, {"jobReference", j["jobReference"]}, {"state", j["status"]["state"]},
                 {"status", j["status"]}, {"configuration", j["configuration"]}, {"statistics", j["statistics"]}, {"user_email", j["user_email"]}};
    if (j["status"].contains("errorResult")) item["errorResult"] = j["status"]["errorResult"];
    page.items.push_back(item);
  }
  return page;
}

// A running query stops at its worker's next progress check and ends DONE with a "stopped"
// error; cancelling a done job changes nothing. Either way the answer is the job as it is now.
core::StatusOr<Json> Warehouse::cancel_job(const std::string& project, const std::string& job_id) {
  ASSIGN_OR_RETURN(Json job, get_job(project, job_id));
  if (auto it = running_.find(project + "/" + job_id); it != running_.end()) it->second.ticket->cancelled = true;
  return Json{{"kind", "bigquery#jobCancelResponse"}, {"job", job}};
}

core::Status Warehouse::delete_job(const std::string& project, const std::string& job_id) {
  if (running_.count(project + "/" + job_id))
    return errors::invalid("Job " + project + ":US." + job_id + " is still running; cancel it or wait for it to finish before deleting it");
  auto st = env_.store.prepare("SELECT result FROM bigquery_jobs WHERE project = ? AND job_id = ?");
  st.bind_all(project, job_id);
  if (!st.step()) return errors::job_not_found(project, "US." + job_id);
  std::string result = st.column_text(0);
  if (!result.empty()) RETURN_IF_ERROR(env_.store.exec("DROP TABLE IF EXISTS " + result));
  auto del = env_.store.prepare("DELETE FROM bigquery_jobs WHERE project = ? AND job_id = ?");
  return del.bind_all(project, job_id).run();
}

core::StatusOr<RowsPage> Warehouse::job_rows(const std::string& project, const std::string& job_id, int64_t start, size_t max,
                                             const std::string& token) const {
  auto st = env_.store.prepare("SELECT resource, result, schema FROM bigquery_jobs WHERE project = ? AND job_id = ?");
  st.bind_all(project, job_id);
  if (!st.step()) return errors::job_not_found(project, "US." + job_id);
  Json job = Json::parse(st.column_text(0));
  if (job["status"].contains("errorResult")) {
    const Json& e = job["status"]["errorResult"];
    core::Code code = e.value("reason", "") == "notFound" ? core::Code::kNotFound : core::Code::kInvalidArgument;
    return errors::make(code, e.value("reason", "invalid"), e.value("message", ""));
  }
  RowsPage page;
  std::string result = st.column_text(1);
  ASSIGN_OR_RETURN(page.schema, schema_of(Json::parse(st.column_text(2))));
  if (result.empty()) return page;
  if (!token.empty()) start = std::atoll(token.c_str());
  auto count = env_.store.prepare("SELECT count(*) FROM " + result);
  page.total = count.step() ? count.column_int(0) : 0;
  if (page.schema.empty()) return page;
  ASSIGN_OR_RETURN(page.rows, read_rows(env_.store, "SELECT * FROM " + result + " ORDER BY rowid LIMIT " +
                                                       std::to_string(max) + " OFFSET " + std::to_string(std::max<int64_t>(start, 0)),
                                          page.schema));
  if (start + int64_t(page.rows.size()) < page.total && !page.rows.empty()) page.next_token = std::to_string(start + int64_t(page.rows.size()));
  return page;
}

}  // namespace gcpsim::services::bigquery
