// Query jobs on the query workers: a plain SELECT of a request is compiled on the engine,
// recorded RUNNING, and stepped by a worker over the state committed when the job was
// created; its rows come back to the engine, which writes the result table and marks the job
// DONE (or failed, or stopped by a cancel) and answers whoever waits for it.
#include <algorithm>
#include <cstring>
#include <thread>

#include <sqlite3.h>

#include "core/clock.h"
#include "core/env.h"
#include "core/store.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/errors.h"
#include "services/bigquery/query_pool.h"

namespace gcpsim::services::bigquery {
namespace {

// A reader of QueryRows::cells.
struct CellReader {
  const std::string& buf;
  size_t pos = 0;
  template <class T> T take() {
    T v;
    std::memcpy(&v, buf.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  void bind_next(sqlite3_stmt* st, int index) {
    char type = buf[pos++];
    switch (type) {
      case QueryPool::kInt: sqlite3_bind_int64(st, index, take<int64_t>()); return;
      case QueryPool::kReal: sqlite3_bind_double(st, index, take<double>()); return;
      case QueryPool::kText: case QueryPool::kBlob: {
        uint32_t n = take<uint32_t>();
        if (type == QueryPool::kText) sqlite3_bind_text64(st, index, buf.data() + pos, n, SQLITE_STATIC, SQLITE_UTF8);
        else sqlite3_bind_blob64(st, index, buf.data() + pos, n, SQLITE_STATIC);
        pos += n;
        return;
      }
      default: sqlite3_bind_null(st, index);
    }
  }
};

std::string key_of(const std::string& project, const std::string& job_id) { return project + "/" + job_id; }

}  // namespace

// Here, where QueryPool is complete.
Warehouse::Warehouse(core::Env& env) : env_(env) {}
Warehouse::~Warehouse() { shutdown(); }

bool Warehouse::start_async(const std::string& project, Json& job, const Compiled& c, const Json& qstats) {
  // GENERATE_UUID counts on the engine's connection (deterministic): such queries stay there.
  if (!post_ || env_.store.file().empty() || c.sql.size() != 1 || c.sql[0].find("bq_uuid(") != std::string::npos) return false;
  if (!pool_) {
    size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 4);
    pool_ = std::make_unique<QueryPool>(env_.store.file(), post_, threads);
  }
  std::string job_id = job["jobReference"]["jobId"];
  // Bytes processed, as the engine estimates them (8 bytes a value), counted by the worker.
  std::string bytes_sql;
  for (const auto& r : c.referenced) {
    auto row = table_row(r);
    if (!row || row->value("type", "TABLE") != "TABLE") continue;
    size_t cols = row->contains("schema") ? (*row)["schema"].value("fields", Json::array()).size() : 0;
    bytes_sql += (bytes_sql.empty() ? "SELECT " : " + ") + std::string("(SELECT count(*) FROM ") + data_table(r) + ") * " +
                 std::to_string(cols * 8);
  }
  auto ticket = pool_->submit(c.sql[0], bytes_sql, core::to_micros(env_.clock.now()),
                              [this, project, job_id](QueryRows rows) { finish_async(project, job_id, std::move(rows)); });
  if (!ticket.ok()) return false;  // no reader: the engine runs it as before
  job["status"] = {{"state", "RUNNING"}};
  running_[key_of(project, job_id)] = Running{*ticket, job, qstats, c.schema, {}};
  if (auto st = save_job(project, job_id, job, "", {}); !st.is_ok()) {
    (*ticket)->cancelled = true;
    running_.erase(key_of(project, job_id));
    return false;
  }
  return true;
}

void Warehouse::finish_async(const std::string& project, const std::string& job_id, QueryRows rows) {
  auto it = running_.find(key_of(project, job_id));
  if (it == running_.end()) return;
  Json job = std::move(it->second.job);
  Json qstats = std::move(it->second.qstats);
  Schema schema = std::move(it->second.schema);
  auto waiters = std::move(it->second.waiters);
  running_.erase(it);
  core::Status st = rows.status.code() == core::Code::kCancelled ? errors::stopped() : query_error(rows.status);
  std::string result = result_table(project, job_id);
  if (rows.status.is_ok()) {
    st = write_result(result, rows);
    if (!st.is_ok()) st = query_error(st);
  }
  if (!st.is_ok()) {
    (void)update_job(project, job_id, failed_job(std::move(job), st), "", {});
  } else {
    set_bytes(job, qstats, rows.bytes, false);
    job["statistics"]["query"] = qstats;
    job["statistics"]["endTime"] = std::to_string(now_ms());
    job["status"] = {{"state", "DONE"}};
    job["configuration"]["query"]["destinationTable"] = {{"projectId", project}, {"datasetId", "_gcpsim_results"}, {"tableId", "anon" + job_id}};
    (void)update_job(project, job_id, job, result, schema);
  }
  for (auto& w : waiters) w(true);
}

// The rows as they came from the worker, in one transaction; nothing reads the columns by name.
core::Status Warehouse::write_result(const std::string& table, const QueryRows& rows) {
  core::Store::Transaction tx(env_.store);
  std::string cols, marks;
  for (size_t i = 0; i < rows.columns; ++i) {
    cols += (i ? ", c" : "c") + std::to_string(i);
    marks += i ? ", ?" : "?";
  }
  if (cols.empty()) cols = "c0";
  RETURN_IF_ERROR(env_.store.exec("CREATE TABLE " + table + " (" + cols + ")"));
  if (rows.columns > 0) {
    // Bound straight from the worker's buffer (no copies): the wrapper's binds copy each value.
    sqlite3_stmt* st = nullptr;
    sqlite3* db = env_.store.handle();
    if (sqlite3_prepare_v2(db, ("INSERT INTO " + table + " VALUES (" + marks + ")").c_str(), -1, &st, nullptr) != SQLITE_OK)
      return core::Status::internal(std::string("prepare: ") + sqlite3_errmsg(db));
    CellReader in{rows.cells};
    for (int64_t r = 0; r < rows.rows; ++r) {
      for (size_t c = 0; c < rows.columns; ++c) in.bind_next(st, int(c) + 1);
      if (sqlite3_step(st) != SQLITE_DONE) {
        core::Status err = core::Status::internal(std::string("exec: ") + sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return err;
      }
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
  }
  return tx.commit();
}

core::Status Warehouse::update_job(const std::string& project, const std::string& job_id, const Json& job, const std::string& result,
                                   const Schema& schema) {
  auto st = env_.store.prepare("UPDATE bigquery_jobs SET resource = ?, result = ?, schema = ? WHERE project = ? AND job_id = ?");
  return st.bind_all(job.dump(), result, schema_json(schema).dump(), project, job_id).run();
}

void Warehouse::when_done(const std::string& project, const std::string& job_id, std::function<void(bool)> fn) {
  auto it = running_.find(key_of(project, job_id));
  if (it == running_.end()) return fn(true);
  it->second.waiters.push_back(std::move(fn));
}

// What was running when the warehouse goes away (a reset, a snapshot load, the process
// stopping) is recorded as failed, so no job stays RUNNING for ever.
void Warehouse::shutdown() {
  pool_.reset();
  auto running = std::move(running_);
  running_.clear();
  for (auto& [key, r] : running) {
    std::string job_id = r.job["jobReference"].value("jobId", "");
    (void)update_job(r.job["jobReference"].value("projectId", ""), job_id,
                     failed_job(r.job, errors::make(core::Code::kUnavailable, "backendError", "The job was interrupted: gcpsim stopped while it ran")),
                     "", {});
    for (auto& w : r.waiters) w(false);
  }
}

// A process killed while queries ran left them RUNNING in the store: they failed.
void Warehouse::abandon_running_jobs() {
  std::vector<std::pair<std::string, Json>> stale;
  auto st = env_.store.prepare("SELECT job_id, resource FROM bigquery_jobs WHERE resource LIKE '%\"state\":\"RUNNING\"%'");
  while (st.step()) {
    Json job = Json::parse(st.column_text(1), nullptr, false);
    if (job.is_object() && job["status"].value("state", "") == "RUNNING") stale.emplace_back(st.column_text(0), job);
  }
  for (auto& [job_id, job] : stale)
    (void)update_job(job["jobReference"].value("projectId", ""), job_id,
                     failed_job(job, errors::make(core::Code::kUnavailable, "backendError", "The job was interrupted: gcpsim stopped while it ran")),
                     "", {});
}

}  // namespace gcpsim::services::bigquery
