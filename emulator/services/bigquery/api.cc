// The REST v2 handlers: request parameters and bodies in, resources out.
#include "services/bigquery/api.h"

#include "core/clock.h"
#include "core/env.h"
#include "services/bigquery/errors.h"
#include "services/bigquery/limits.h"
#include "services/storage/multipart.h"

namespace gcpsim::services::bigquery {
namespace {

core::StatusOr<Json> body_of(const HttpRequest& req) {
  if (!req.body_file.empty()) return errors::invalid("Request body too large");
  if (req.body.empty()) return Json::object();
  auto j = Json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return errors::invalid("Invalid JSON payload received.");
  return j;
}

Answer ok(const Json& body, int status = 200) { return HttpResponse::json(status, body.dump()); }

size_t max_results(const HttpRequest& req, size_t dflt, size_t cap) {
  auto v = req.query_param("maxResults");
  if (!v || v->empty()) return dflt;
  long long n = std::atoll(v->c_str());
  if (n <= 0) return dflt;
  return std::min<size_t>(size_t(n), cap);
}

bool flag(const HttpRequest& req, const char* name) {
  auto v = req.query_param(name);
  return v && (*v == "true" || *v == "1");
}

TsFormat ts_format(const HttpRequest& req) {
  if (flag(req, "formatOptions.useInt64Timestamp")) return TsFormat::kInt64Micros;
  auto f = req.query_param("formatOptions.timestampOutputFormat");
  if (f && *f == "INT64") return TsFormat::kInt64Micros;
  if (f && *f == "ISO8601_STRING") return TsFormat::kIso;
  return TsFormat::kFloatSeconds;
}

TsFormat ts_format(const Json& format_options) {
  if (!format_options.is_object()) return TsFormat::kFloatSeconds;
  if (format_options.value("useInt64Timestamp", false)) return TsFormat::kInt64Micros;
  std::string f = format_options.value("timestampOutputFormat", "");
  if (f == "INT64") return TsFormat::kInt64Micros;
  if (f == "ISO8601_STRING") return TsFormat::kIso;
  return TsFormat::kFloatSeconds;
}

Json rows_json(const RowsPage& page, TsFormat ts) {
  Json rows = Json::array();
  for (const auto& row : page.rows) {
    Json cells = Json::array();
    for (size_t i = 0; i < page.schema.size(); ++i) cells.push_back(Json{{"v", encode(page.schema[i], row[i], ts)}});
    rows.push_back(Json{{"f", cells}});
  }
  return rows;
}

TableRef table_ref(const HttpRequest& req) { return {req.param("project"), req.param("dataset"), req.param("table")}; }

}  // namespace

HttpResponse error_answer(const core::Status& s) {
  return HttpResponse::json(core::http_status(s.code()), errors::error_body(s));
}

Answer Api::list_projects(HttpRequest&) {
  const core::Env& e = w_.env();
  return ok({{"kind", "bigquery#projectList"}, {"totalItems", 1},
             {"projects", Json::array({{{"kind", "bigquery#project"}, {"id", e.project}, {"numericId", e.project_number},
                                        {"projectReference", {{"projectId", e.project}}}, {"friendlyName", e.project}}})}});
}

Answer Api::list_datasets(HttpRequest& req) {
  ASSIGN_OR_RETURN(Page page, w_.list_datasets(req.param("project"), max_results(req, limits::kDefaultListResults, limits::kMaxListResults),
                                                req.query_param("pageToken").value_or(""), req.query_param("filter").value_or("")));
  Json out = {{"kind", "bigquery#datasetList"}, {"etag", "\"gcpsim\""}};
  if (!page.items.empty()) out["datasets"] = page.items;
  if (!page.next_token.empty()) out["nextPageToken"] = page.next_token;
  return ok(out);
}
Answer Api::insert_dataset(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json body, body_of(req));
  ASSIGN_OR_RETURN(Json r, w_.insert_dataset(req.param("project"), body));
  return ok(r);
}
Answer Api::get_dataset(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json r, w_.get_dataset(req.param("project"), req.param("dataset")));
  return ok(r);
}
Answer Api::patch_dataset(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json body, body_of(req));
  ASSIGN_OR_RETURN(Json r, w_.update_dataset(req.param("project"), req.param("dataset"), body, true));
  return ok(r);
}
Answer Api::update_dataset(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json body, body_of(req));
  ASSIGN_OR_RETURN(Json r, w_.update_dataset(req.param("project"), req.param("dataset"), body, false));
  return ok(r);
}
Answer Api::delete_dataset(HttpRequest& req) {
  RETURN_IF_ERROR(w_.delete_dataset(req.param("project"), req.param("dataset"), flag(req, "deleteContents")));
  return HttpResponse::text(204, "", "application/json");
}

Answer Api::list_tables(HttpRequest& req) {
  ASSIGN_OR_RETURN(Page page, w_.list_tables(req.param("project"), req.param("dataset"),
                                              max_results(req, limits::kDefaultListResults, limits::kMaxListResults),
                                              req.query_param("pageToken").value_or("")));
  Json out = {{"kind", "bigquery#tableList"}, {"etag", "\"gcpsim\""}, {"totalItems", page.items.size()}};
  if (!page.items.empty()) out["tables"] = page.items;
  if (!page.next_token.empty()) out["nextPageToken"] = page.next_token;
  return ok(out);
}
Answer Api::insert_table(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json body, body_of(req));
  ASSIGN_OR_RETURN(Json r, w_.insert_table(req.param("project"), req.param("dataset"), body));
  return ok(r);
}
Answer Api::get_table(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json r, w_.get_table(table_ref(req)));
  return ok(r);
}
Answer Api::patch_table(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json body, body_of(req));
  ASSIGN_OR_RETURN(Json r, w_.update_table(table_ref(req), body, true));
  return ok(r);
}
Answer Api::update_table(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json body, body_of(req));
  ASSIGN_OR_RETURN(Json r, w_.update_table(table_ref(req), body, false));
  return ok(r);
}
Answer Api::delete_table(HttpRequest& req) {
  RETURN_IF_ERROR(w_.delete_table(table_ref(req)));
  return HttpResponse::text(204, "", "application/json");
}

Answer Api::insert_all(HttpRequest& req) {
  if (req.body_size > limits::kMaxInsertAllBytes)
    return errors::make(core::Code::kInvalidArgument, "invalid", "Request payload size exceeds the limit: 10485760 bytes.");
  ASSIGN_OR_RETURN(Json body, body_of(req));
  InsertOptions opt;
  opt.skip_invalid = body.value("skipInvalidRows", false);
  opt.ignore_unknown = body.value("ignoreUnknownValues", false);
  std::vector<InsertRow> rows;
  for (const auto& r : body.value("rows", Json::array())) {
    InsertRow row;
    if (r.is_object()) {
      row.insert_id = r.value("insertId", "");
      row.json = r.value("json", Json());
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return errors::invalid("No rows present in the request.");
  ASSIGN_OR_RETURN(Json errs, w_.insert_all(table_ref(req), rows, opt));
  Json out = {{"kind", "bigquery#tableDataInsertAllResponse"}};
  if (!errs.empty()) out["insertErrors"] = errs;
  return ok(out);
}

Answer Api::list_data(HttpRequest& req) {
  std::vector<std::string> selected;
  if (auto s = req.query_param("selectedFields"); s && !s->empty()) {
    size_t b = 0;
    while (b <= s->size()) {
      size_t e = s->find(',', b);
      std::string f = s->substr(b, e == std::string::npos ? std::string::npos : e - b);
      if (!f.empty()) selected.push_back(f);
      if (e == std::string::npos) break;
      b = e + 1;
    }
  }
  int64_t start = std::atoll(req.query_param("startIndex").value_or("0").c_str());
  ASSIGN_OR_RETURN(RowsPage page, w_.list_rows(table_ref(req), start, max_results(req, limits::kDefaultRowsPerPage, limits::kDefaultRowsPerPage),
                                               req.query_param("pageToken").value_or(""), selected));
  Json out = {{"kind", "bigquery#tableDataList"}, {"etag", "\"gcpsim\""}, {"totalRows", std::to_string(page.total)}};
  if (!page.rows.empty()) out["rows"] = rows_json(page, ts_format(req));
  if (!page.next_token.empty()) out["pageToken"] = page.next_token;
  return ok(out);
}

namespace {
Answer restarting() { return core::Status::unavailable("gcpsim is restarting"); }

// timeoutMs of jobs.query (body) and getQueryResults (query string): how long the call waits
// for the job, on the clock, before answering jobComplete: false. BigQuery's default is 10 s.
core::StatusOr<core::Duration> wait_timeout(const Json* v) {
  if (!v || v->is_null()) return core::Duration(std::chrono::milliseconds(limits::kDefaultQueryTimeoutMs));
  int64_t ms = -1;
  if (v->is_number_integer()) {
    ms = v->get<int64_t>();
  } else if (v->is_string()) {  // proto3 JSON writes integers as strings too; 10 digits hold a uint32
    const auto& s = v->get_ref<const std::string&>();
    if (!s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos) ms = std::stoll(s);
  }
  if (ms < 0 || ms > limits::kMaxQueryTimeoutMs)
    return errors::invalid("Invalid value for timeoutMs: " + v->dump() + ": expected milliseconds from 0 to " +
                           std::to_string(limits::kMaxQueryTimeoutMs));
  return core::Duration(std::chrono::milliseconds(ms));
}

// The answer of a call whose job is still running when its timeoutMs has passed.
Json still_running(const Json& job_ref, const char* kind) {
  return {{"kind", kind}, {"etag", "\"gcpsim\""}, {"jobReference", job_ref}, {"jobComplete", false}};
}
}  // namespace

// Waits for a job until it ends (then `done` answers) or until `timeout` passes on the clock
// (then the job keeps running and `pending` answers), whichever comes first.
void Api::await_job(const std::string& project, const std::string& id, core::Duration timeout,
                    std::function<Answer()> done, Json pending, Respond respond) {
  struct Wait {
    bool answered = false;
    std::optional<core::Clock::TimerId> timer;
  };
  auto wait = std::make_shared<Wait>();
  core::Clock& clock = w_.env().clock;
  w_.when_done(project, id, [wait, &clock, done = std::move(done), respond](bool alive) {
    if (wait->answered) return;
    wait->answered = true;
    if (wait->timer) clock.cancel(*wait->timer);
    respond(alive ? done() : restarting());
  });
  if (wait->answered) return;
  wait->timer = clock.schedule_in(timeout, [wait, pending = std::move(pending), respond] {
    if (wait->answered) return;
    wait->answered = true;
    respond(ok(pending));
  });
}

// A SELECT comes back RUNNING while a query worker runs it, as BigQuery's jobs.insert does;
// clients poll jobs.get or wait in getQueryResults.
Answer Api::insert_job(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json body, body_of(req));
  ASSIGN_OR_RETURN(Json job, w_.insert_job(req.param("project"), body, nullptr, true));
  return ok(job);
}

// Load jobs with their data in the request: multipart/related (metadata, then the data).
Answer Api::upload_job(HttpRequest& req) {
  std::string type = req.query_param("uploadType").value_or("");
  if (type != "multipart") return errors::invalid("gcpsim takes BigQuery uploads as uploadType=multipart (got \"" + type + "\")");
  ASSIGN_OR_RETURN(auto mp, storage::parse_multipart(req.header("content-type").value_or(""), req.body, req.body_file, req.body_size));
  if (!req.body_file.empty()) return errors::invalid("Upload too large for gcpsim (more than 32 MiB)");
  auto meta = Json::parse(mp.metadata, nullptr, false);
  if (meta.is_discarded() || !meta.is_object()) return errors::invalid("Invalid JSON payload received in the upload's metadata part.");
  std::string data = mp.media_decoded ? *mp.media_decoded : req.body.substr(size_t(mp.media_offset), size_t(mp.media_length));
  ASSIGN_OR_RETURN(Json job, w_.insert_job(req.param("project"), meta, &data));
  return ok(job);
}

Answer Api::list_jobs(HttpRequest& req) {
  ASSIGN_OR_RETURN(Page page, w_.list_jobs(req.param("project"), max_results(req, limits::kDefaultListResults, limits::kMaxListResults),
                                            req.query_param("pageToken").value_or(""), req.query_param("stateFilter").value_or("")));
  Json out = {{"kind", "bigquery#jobList"}, {"etag", "\"gcpsim\""}, {"jobs", page.items}};
  if (!page.next_token.empty()) out["nextPageToken"] = page.next_token;
  return ok(out);
}
Answer Api::get_job(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json job, w_.get_job(req.param("project"), req.param("job")));
  return ok(job);
}
Answer Api::cancel_job(HttpRequest& req) {
  ASSIGN_OR_RETURN(Json r, w_.cancel_job(req.param("project"), req.param("job")));
  return ok(r);
}
Answer Api::delete_job(HttpRequest& req) {
  RETURN_IF_ERROR(w_.delete_job(req.param("project"), req.param("job")));
  return HttpResponse::text(204, "", "application/json");
}

Json Api::query_response(const Json& job, const RowsPage& page, TsFormat ts, const char* kind) {
  Json out = {{"kind", kind}, {"etag", "\"gcpsim\""}, {"jobReference", job["jobReference"]}, {"jobComplete", true}, {"cacheHit", false}};
  const Json q = job["statistics"].value("query", Json::object());
  out["totalBytesProcessed"] = q.value("totalBytesProcessed", "0");
  if (q.contains("numDmlAffectedRows")) out["numDmlAffectedRows"] = q["numDmlAffectedRows"];
  if (!page.schema.empty()) {
    out["schema"] = schema_json(page.schema);
    out["totalRows"] = std::to_string(page.total);
    out["rows"] = rows_json(page, ts);
  } else {
    out["totalRows"] = "0";
  }
  if (!page.next_token.empty()) out["pageToken"] = page.next_token;
  return out;
}

void Api::query(HttpRequest& req, Respond respond) {
  auto parsed = body_of(req);
  if (!parsed.ok()) return respond(parsed.status());
  const Json& body = *parsed;
  Json config = Json::object();
  for (const char* k : {"query", "useLegacySql", "defaultDataset", "queryParameters", "parameterMode", "labels", "maximumBytesBilled"})
    if (body.contains(k)) config[k] = body[k];
  Json request = {{"configuration", {{"query", config}}}};
  if (body.value("dryRun", false)) request["configuration"]["dryRun"] = true;
  if (body.contains("location")) request["jobReference"] = {{"location", body["location"]}};
  auto timeout = wait_timeout(body.contains("timeoutMs") ? &body["timeoutMs"] : nullptr);
  if (!timeout.ok()) return respond(timeout.status());
  std::string project = req.param("project");
  auto job = w_.insert_job(project, request, nullptr, true);
  if (!job.ok()) return respond(job.status());
  if (body.value("dryRun", false)) {
    Json out = {{"kind", "bigquery#queryResponse"}, {"jobComplete", true}, {"totalBytesProcessed", (*job)["statistics"]["totalBytesProcessed"]},
                {"cacheHit", false}};
    if ((*job)["statistics"]["query"].contains("schema")) out["schema"] = (*job)["statistics"]["query"]["schema"];
    if (job->contains("jobReference")) out["jobReference"] = (*job)["jobReference"];
    return respond(ok(out));
  }
  std::string id = (*job)["jobReference"]["jobId"];
  // The request waits for the job (a worker may run it meanwhile; the engine goes on).
  await_job(project, id, *timeout, [this, project, id, body] { return query_answer(project, id, body); },
            still_running((*job)["jobReference"], "bigquery#queryResponse"), respond);
}

Answer Api::query_answer(const std::string& project, const std::string& id, const Json& body) {
  ASSIGN_OR_RETURN(Json job, w_.get_job(project, id));
  if (job["status"].contains("errorResult")) {
    const Json& e = job["status"]["errorResult"];
    core::Code code = e.value("reason", "") == "notFound" ? core::Code::kNotFound
                      : e.value("reason", "") == "duplicate" ? core::Code::kAlreadyExists : core::Code::kInvalidArgument;
    return errors::make(code, e.value("reason", "invalid"), e.value("message", ""));
  }
  size_t max = body.contains("maxResults") && body["maxResults"].is_number() && body["maxResults"].get<int64_t>() > 0
                   ? size_t(body["maxResults"].get<int64_t>()) : limits::kDefaultRowsPerPage;
  ASSIGN_OR_RETURN(RowsPage page, w_.job_rows(project, id, 0, max, ""));
  return ok(query_response(job, page, ts_format(body.value("formatOptions", Json())), "bigquery#queryResponse"));
}

// getQueryResults waits for a running job, as the real method waits (up to its timeoutMs).
void Api::get_query_results(HttpRequest& req, Respond respond) {
  auto raw = req.query_param("timeoutMs");
  Json given = raw ? Json(*raw) : Json();
  auto timeout = wait_timeout(raw ? &given : nullptr);
  if (!timeout.ok()) return respond(timeout.status());
  std::string project = req.param("project"), id = req.param("job");
  auto job = w_.get_job(project, id);
  if (!job.ok()) return respond(job.status());
  await_job(project, id, *timeout, [this, &req] { return query_results_answer(req); },
            still_running((*job)["jobReference"], "bigquery#getQueryResultsResponse"), respond);
}

Answer Api::query_results_answer(HttpRequest& req) {
  std::string project = req.param("project"), id = req.param("job");
  ASSIGN_OR_RETURN(Json job, w_.get_job(project, id));
  int64_t start = std::atoll(req.query_param("startIndex").value_or("0").c_str());
  ASSIGN_OR_RETURN(RowsPage page, w_.job_rows(project, id, start, max_results(req, limits::kDefaultRowsPerPage, limits::kDefaultRowsPerPage),
                                              req.query_param("pageToken").value_or("")));
  return ok(query_response(job, page, ts_format(req), "bigquery#getQueryResultsResponse"));
}

}  // namespace gcpsim::services::bigquery
