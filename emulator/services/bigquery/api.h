// BigQuery REST v2 as handlers: one function per method, translating the HTTP request into
// Warehouse calls and the result into the REST shape. Dispatch (faults, events) and the error
// envelope are applied once, by the route table (routes.cc).
#pragma once
#include <functional>

#include "core/status.h"
#include "net/http.h"
#include "services/bigquery/domain.h"

namespace gcpsim::services::bigquery {

using net::HttpRequest;
using net::HttpResponse;
using Answer = core::StatusOr<HttpResponse>;
// How an asynchronous handler answers (once, on the engine thread): jobs that run a query on
// a worker answer when it has finished.
using Respond = std::function<void(Answer)>;

class Api {
 public:
  explicit Api(Warehouse& w) : w_(w) {}
  core::Env& env() { return w_.env(); }

  Answer list_projects(HttpRequest& req);
  Answer list_datasets(HttpRequest& req);
  Answer insert_dataset(HttpRequest& req);
  Answer get_dataset(HttpRequest& req);
  Answer patch_dataset(HttpRequest& req);
  Answer update_dataset(HttpRequest& req);
  Answer delete_dataset(HttpRequest& req);

  Answer list_tables(HttpRequest& req);
  Answer insert_table(HttpRequest& req);
  Answer get_table(HttpRequest& req);
  Answer patch_table(HttpRequest& req);
  Answer update_table(HttpRequest& req);
  Answer delete_table(HttpRequest& req);
  Answer insert_all(HttpRequest& req);
  Answer list_data(HttpRequest& req);

  Answer insert_job(HttpRequest& req);
  Answer upload_job(HttpRequest& req);  // /upload/bigquery/v2/projects/{p}/jobs
  Answer list_jobs(HttpRequest& req);
  Answer get_job(HttpRequest& req);
  Answer cancel_job(HttpRequest& req);
  Answer delete_job(HttpRequest& req);
  void query(HttpRequest& req, Respond respond);
  void get_query_results(HttpRequest& req, Respond respond);

 private:
  Json query_response(const Json& job, const RowsPage& page, TsFormat ts, const char* kind);
  Answer query_answer(const std::string& project, const std::string& job_id, const Json& body);
  Answer query_results_answer(HttpRequest& req);
  void await_job(const std::string& project, const std::string& id, core::Duration timeout, std::function<Answer()> done,
                 Json pending, Respond respond);
  Warehouse& w_;
};

HttpResponse error_answer(const core::Status& s);
void add_routes(Api& api, net::Router& router);

}  // namespace gcpsim::services::bigquery
