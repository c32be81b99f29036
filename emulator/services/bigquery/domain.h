// BigQuery's state over core::Store: datasets, tables (metadata rows plus one SQLite table
// of rows each), streaming inserts, and jobs (query, load, extract) whose results sit in
// SQLite tables of their own. Resources are kept in their REST shape (there is no proto:
// the REST resource is the API's definition), validated on the way in.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "services/bigquery/schema.h"
#include "services/bigquery/sql.h"
#include "services/bigquery/values.h"

namespace gcpsim::core { struct Env; class Store; }

namespace gcpsim::services::bigquery {

class QueryPool;
struct QueryTicket;
struct QueryRows;
using PostFn = std::function<void(std::function<void()>)>;

struct Page {
  std::vector<Json> items;
  std::string next_token;
};

struct InsertRow {
  std::string insert_id;
  Json json;
};
struct InsertOptions {
  bool skip_invalid = false;
  bool ignore_unknown = false;
};
struct RowsPage {
  Schema schema;
  std::vector<std::vector<Json>> rows;  // stored values per column
  int64_t total = 0;
  std::string next_token;
};

// Reads an object of gcpsim's Storage ("gs://bucket/name") or writes one.
struct ObjectIo {
  std::function<core::StatusOr<std::string>(const std::string& bucket, const std::string& name)> read;
  std::function<core::StatusOr<std::vector<std::string>>(const std::string& bucket, const std::string& prefix)> list;
  std::function<core::Status(const std::string& bucket, const std::string& name, const std::string& data,
                             const std::string& content_type)> write;
};

class Warehouse : public Catalog {
 public:
  static core::StatusOr<std::unique_ptr<Warehouse>> open(core::Env& env);
  ~Warehouse() override;
  core::Env& env() { return env_; }
  // Lets SELECT jobs of requests run on query workers (jobs_async.cc); `post` runs a function
  // on the engine thread. Without it, or over a private in-memory store, every job runs on
  // the engine within the request.
  void set_post(PostFn post) { post_ = std::move(post); }
  size_t queries_running() const { return running_.size(); }
  // Engine thread: cancels running queries, joins the workers, and answers their waiters
  // with `false` (the warehouse is going away). Idempotent.
  void shutdown();
  void set_objects(ObjectIo io) { objects_ = std::move(io); }

  // Datasets (datasets.cc).
  core::StatusOr<Json> insert_dataset(const std::string& project, const Json& body);
  core::StatusOr<Json> get_dataset(const std::string& project, const std::string& dataset) const;
  core::StatusOr<Page> list_datasets(const std::string& project, size_t max, const std::string& token, const std::string& filter) const;
  core::StatusOr<Json> update_dataset(const std::string& project, const std::string& dataset, const Json& body, bool patch);
  core::Status delete_dataset(const std::string& project, const std::string& dataset, bool contents);

  // Tables (tables.cc).
  core::StatusOr<Json> insert_table(const std::string& project, const std::string& dataset, const Json& body);
  core::StatusOr<Json> get_table(const TableRef& t) const;
  core::StatusOr<Page> list_tables(const std::string& project, const std::string& dataset, size_t max, const std::string& token) const;
  core::StatusOr<Json> update_table(const TableRef& t, const Json& body, bool patch);
  core::Status delete_table(const TableRef& t);
  // Catalog for the translator: live tables only.
  std::optional<TableInfo> table(const TableRef& t) const override;
  std::vector<TableInfo> tables(const std::string& project, const std::string& dataset) const override;
  bool dataset_exists(const std::string& project, const std::string& dataset) const override;

  // Rows (tabledata.cc).
  // insertErrors as the REST response lists them (empty when every row went in).
  core::StatusOr<Json> insert_all(const TableRef& t, const std::vector<InsertRow>& rows, const InsertOptions& opt);
  core::StatusOr<RowsPage> list_rows(const TableRef& t, int64_t start, size_t max, const std::string& token,
                                     const std::vector<std::string>& selected) const;
  // Appends stored rows (values in schema order) without checks beyond the types.
  core::Status append(const TableRef& t, const Schema& schema, const std::vector<std::vector<Json>>& rows);

  // Jobs (jobs.cc, load.cc).
  // With `async`, a SELECT may come back RUNNING: when_done tells when it has finished.
  core::StatusOr<Json> insert_job(const std::string& project, const Json& body, const std::string* upload = nullptr,
                                  bool async = false);
  // Calls fn(true) once the job is no longer running (now, if it is not), fn(false) if the
  // warehouse shuts down first.
  void when_done(const std::string& project, const std::string& job_id, std::function<void(bool)> fn);
  core::StatusOr<Json> get_job(const std::string& project, const std::string& job_id) const;
  core::StatusOr<Page> list_jobs(const std::string& project, size_t max, const std::string& token, const std::string& state) const;
  core::StatusOr<Json> cancel_job(const std::string& project, const std::string& job_id);
  core::Status delete_job(const std::string& project, const std::string& job_id);
  // A query job's result rows.
  core::StatusOr<RowsPage> job_rows(const std::string& project, const std::string& job_id, int64_t start, size_t max,
                                    const std::string& token) const;
  // Runs a query outside any request (scheduled queries); returns the finished job.
  core::StatusOr<Json> run_query(const std::string& project, const Json& query_config);

 private:
  explicit Warehouse(core::Env& env);
  core::Status migrate();
  core::StatusOr<Json> dataset_row(const std::string& project, const std::string& dataset) const;
  std::optional<Json> table_row(const TableRef& t) const;  // drops expired tables
  core::Status put_table(const TableRef& t, const Json& resource, bool create);
  core::Status create_data_table(const TableRef& t, const Schema& schema, bool ingestion_time);
  core::Status drop_data_table(const TableRef& t);
  core::StatusOr<Json> create_table_resource(const TableRef& ref, const Json& body);
  int64_t now_ms() const;
  Json table_stats(const TableRef& t, Json resource) const;

  // Jobs.
  core::StatusOr<Json> run_query_job(const std::string& project, Json job, bool async);
  // jobs_async.cc: true when the SELECT was handed to a query worker (the job is RUNNING).
  bool start_async(const std::string& project, Json& job, const Compiled& c, const Json& qstats);
  void finish_async(const std::string& project, const std::string& job_id, QueryRows rows);
  core::Status write_result(const std::string& table, const QueryRows& rows);
  core::Status update_job(const std::string& project, const std::string& job_id, const Json& job, const std::string& result,
                          const Schema& schema);
  Json failed_job(Json job, const core::Status& st) const;
  void abandon_running_jobs();
  core::StatusOr<Json> run_load_job(const std::string& project, Json job, const std::string* upload);
  core::StatusOr<Json> run_extract_job(const std::string& project, Json job);
  core::StatusOr<Json> run_copy_job(const std::string& project, Json job);
  core::Status write_destination(const TableRef& dest, const Schema& schema, const std::string& select_sql,
                                 const std::string& write, const std::string& create, const Json* table_options);
  core::Status save_job(const std::string& project, const std::string& job_id, const Json& job, const std::string& result,
                        const Schema& schema);
  core::StatusOr<std::string> parse_rows_into(const TableRef& t, const Schema& schema, const std::string& data,
                                              const Json& config, int64_t& count);

  core::Env& env_;
  ObjectIo objects_;
  // insertId de-duplication: table → insertId → when first seen (µs on the clock).
  std::map<std::string, std::map<std::string, int64_t>> insert_ids_;
  // Query workers (created on the first SELECT that can use them) and the jobs they run,
  // keyed "project/job_id".
  PostFn post_;
  std::unique_ptr<QueryPool> pool_;
  struct Running {
    std::shared_ptr<QueryTicket> ticket;
    Json job;
    Json qstats;  // statistics.query, whose bytes the worker counts
    Schema schema;
    std::vector<std::function<void(bool)>> waiters;
  };
  std::map<std::string, Running> running_;
};

std::string table_key(const TableRef& t);
// The SQLite table holding a query job's result rows.
std::string result_table(const std::string& project, const std::string& job_id);
// A failed statement as the job reports it: the store's message becomes BigQuery's "Query error".
core::Status query_error(const core::Status& st);
// A query's bytes processed (and billed unless a dry run) in the job and its query statistics.
void set_bytes(Json& job, Json& qstats, int64_t bytes, bool dry);
// `sql`'s rows as stored values, one per schema column.
core::StatusOr<std::vector<std::vector<Json>>> read_rows(core::Store& store, const std::string& sql, const Schema& schema);
// A query's named or positional parameters from their REST form.
core::StatusOr<std::vector<Parameter>> parameters_of(const Json& query_parameters);

}  // namespace gcpsim::services::bigquery
