// The BigQuery route table, read top to bottom: one line per method and path. Every route is
// served under /bigquery/v2 and without it (BIGQUERY_EMULATOR_HOST clients use the variable
// as their base URL verbatim: {host}/projects/...). Each call passes core::dispatch (faults,
// the api.call event) under its method id.
#include <memory>
#include <optional>

#include "core/dispatch.h"
#include "services/bigquery/api.h"

namespace gcpsim::services::bigquery {
namespace {

using Handler = Answer (Api::*)(HttpRequest&);
using AsyncHandler = void (Api::*)(HttpRequest&, Respond);

struct Route {
  const char* method;
  const char* path;
  const char* id;
  Handler handler;
  AsyncHandler async = nullptr;  // instead of handler: answers later (query jobs on workers)
};

const Route kRoutes[] = {
    {"GET",    "/projects",                                                   "bigquery.projects.list",   &Api::list_projects},
    {"GET",    "/projects/{project}/datasets",                                "bigquery.datasets.list",   &Api::list_datasets},
    {"POST",   "/projects/{project}/datasets",                                "bigquery.datasets.insert", &Api::insert_dataset},
    {"GET",    "/projects/{project}/datasets/{dataset}",                      "bigquery.datasets.get",    &Api::get_dataset},
    {"PATCH",  "/projects/{project}/datasets/{dataset}",                      "bigquery.datasets.patch",  &Api::patch_dataset},
    {"PUT",    "/projects/{project}/datasets/{dataset}",                      "bigquery.datasets.update", &Api::update_dataset},
    {"DELETE", "/projects/{project}/datasets/{dataset}",                      "bigquery.datasets.delete", &Api::delete_dataset},
    {"GET",    "/projects/{project}/datasets/{dataset}/tables",               "bigquery.tables.list",     &Api::list_tables},
    {"POST",   "/projects/{project}/datasets/{dataset}/tables",               "bigquery.tables.insert",   &Api::insert_table},
    {"GET",    "/projects/{project}/datasets/{dataset}/tables/{table}",       "bigquery.tables.get",      &Api::get_table},
    {"PATCH",  "/projects/{project}/datasets/{dataset}/tables/{table}",       "bigquery.tables.patch",    &Api::patch_table},
    {"PUT",    "/projects/{project}/datasets/{dataset}/tables/{table}",       "bigquery.tables.update",   &Api::update_table},
    {"DELETE", "/projects/{project}/datasets/{dataset}/tables/{table}",       "bigquery.tables.delete",   &Api::delete_table},
    {"POST",   "/projects/{project}/datasets/{dataset}/tables/{table}/insertAll", "bigquery.tabledata.insertAll", &Api::insert_all},
    {"GET",    "/projects/{project}/datasets/{dataset}/tables/{table}/data",  "bigquery.tabledata.list",  &Api::list_data},
    {"POST",   "/projects/{project}/jobs",                                    "bigquery.jobs.insert",     &Api::insert_job},
    {"GET",    "/projects/{project}/jobs",                                    "bigquery.jobs.list",       &Api::list_jobs},
    {"GET",    "/projects/{project}/jobs/{job}",                              "bigquery.jobs.get",        &Api::get_job},
    {"POST",   "/projects/{project}/jobs/{job}/cancel",                       "bigquery.jobs.cancel",     &Api::cancel_job},
    {"DELETE", "/projects/{project}/jobs/{job}/delete",                       "bigquery.jobs.delete",     &Api::delete_job},
    {"POST",   "/projects/{project}/queries",                                 "bigquery.jobs.query",      nullptr, &Api::query},
    {"GET",    "/projects/{project}/queries/{job}",                           "bigquery.jobs.getQueryResults", nullptr, &Api::get_query_results},
};

const Route kUploadRoutes[] = {
    {"POST",   "/upload/bigquery/v2/projects/{project}/jobs",                 "bigquery.jobs.insert",     &Api::upload_job},
};

std::string target_of(const HttpRequest& req) {
  std::string t = req.param("project");
  for (const char* k : {"dataset", "table", "job"})
    if (!req.param(k).empty()) t += "/" + req.param(k);
  return t;
}

void add(Api& api, net::Router& router, const Route& r, const std::string& prefix) {
  std::string id = r.id;
  Handler handler = r.handler;
  AsyncHandler async = r.async;
  router.add(r.method, prefix + r.path, [&api, id, handler, async](HttpRequest& req, net::Reply reply) {
    auto answer = std::make_shared<std::optional<HttpResponse>>();
    core::Call call{id, "bigquery", target_of(req)};
    core::dispatch(
        api.env(), std::move(call),
        [&api, &req, handler, async, answer](core::Done done) {
          auto finish = [answer, done](Answer result) {
            if (!result.ok()) return done(result.status());
            *answer = std::move(result).value();
            done(core::Status::ok());
          };
          if (async) return (api.*async)(req, finish);
          finish((api.*handler)(req));
        },
        [answer, reply](core::Status st) { reply(st.is_ok() && *answer ? std::move(**answer) : error_answer(st)); });
  });
}

}  // namespace

void add_routes(Api& api, net::Router& router) {
  for (const auto& r : kUploadRoutes) add(api, router, r, "");
  for (const auto& r : kRoutes) add(api, router, r, "/bigquery/v2");
  for (const auto& r : kRoutes) add(api, router, r, "");
}

}  // namespace gcpsim::services::bigquery
