// The query workers: read-only connections whose snapshot the engine pins, a queue, and the
// threads that step the statements and hand the rows back to the engine.
#include "services/bigquery/query_pool.h"

#include <sqlite3.h>

#include "services/bigquery/sql.h"

namespace gcpsim::services::bigquery {

// One read-only connection with the translator's functions. `now` and `ticket` belong to the
// query it runs (set before the worker steps it, read by the functions on the same thread).
struct QueryPool::Reader {
  sqlite3* db = nullptr;
  int64_t now = 0;
  Ticket* ticket = nullptr;
  ~Reader() { sqlite3_close_v2(db); }
};

namespace {

core::Status failed(sqlite3* db, const char* what) { return core::Status::internal(std::string(what) + ": " + sqlite3_errmsg(db)); }

void put_u32(std::string& out, uint32_t n) { out.append(reinterpret_cast<const char*>(&n), sizeof n); }

void put_cell(std::string& out, sqlite3_stmt* st, int col) {
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER: {
      out.push_back(QueryPool::kInt);
      int64_t v = sqlite3_column_int64(st, col);
      out.append(reinterpret_cast<const char*>(&v), sizeof v);
      return;
    }
    case SQLITE_FLOAT: {
      out.push_back(QueryPool::kReal);
      double v = sqlite3_column_double(st, col);
      out.append(reinterpret_cast<const char*>(&v), sizeof v);
      return;
    }
    case SQLITE_TEXT: {
      out.push_back(QueryPool::kText);
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
      int n = sqlite3_column_bytes(st, col);
      put_u32(out, uint32_t(n));
      out.append(p ? p : "", size_t(n));
      return;
    }
    case SQLITE_BLOB: {
      out.push_back(QueryPool::kBlob);
      const auto* p = static_cast<const char*>(sqlite3_column_blob(st, col));
      int n = sqlite3_column_bytes(st, col);
      put_u32(out, uint32_t(n));
      out.append(p ? p : "", size_t(n));
      return;
    }
    default: out.push_back(QueryPool::kNull);
  }
}

}  // namespace

QueryPool::QueryPool(std::string file, Post post, size_t threads)
    : file_(std::move(file)), post_(std::move(post)), threads_(threads), alive_(std::make_shared<bool>(true)) {}

QueryPool::~QueryPool() {
  std::deque<Job> dropped;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& t : running_) t->cancelled = true;
    dropped.swap(queue_);
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
  *alive_ = false;  // rows a worker posted before stopping are not delivered
}

core::StatusOr<std::unique_ptr<QueryPool::Reader>> QueryPool::take_reader() {
  std::unique_ptr<Reader> r;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      r = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!r) {
    r = std::make_unique<Reader>();
    int rc = sqlite3_open_v2(file_.c_str(), &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return failed(r->db, "open a query reader");
    sqlite3_extended_result_codes(r->db, 1);
    sqlite3_busy_timeout(r->db, 5000);
    // Pages straight from the OS page cache rather than a read() each (scans touch them all).
    sqlite3_exec(r->db, "PRAGMA mmap_size=1073741824", nullptr, nullptr, nullptr);
    Reader* self = r.get();
    register_functions(r->db, [self] { return self->now; });
    // Checked every few thousand VM steps: a cancelled job stops where it is.
    sqlite3_progress_handler(r->db, 4096, [](void* p) {
      const Ticket* t = static_cast<Reader*>(p)->ticket;
      return t && t->cancelled.load(std::memory_order_relaxed) ? 1 : 0;
    }, self);
  }
  // The read transaction starts at its first read: from here on the reader sees this state.
  if (sqlite3_exec(r->db, "BEGIN; SELECT count(*) FROM sqlite_master;", nullptr, nullptr, nullptr) != SQLITE_OK) {
    core::Status st = failed(r->db, "pin a query snapshot");
    sqlite3_exec(r->db, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return r;
}

void QueryPool::give_back(std::unique_ptr<Reader> r) {
  sqlite3_exec(r->db, "ROLLBACK", nullptr, nullptr, nullptr);  // ends the read transaction
  r->ticket = nullptr;
  std::lock_guard lock(mu_);
  if (!stopping_ && idle_.size() < 2 * threads_) idle_.push_back(std::move(r));
}

core::StatusOr<std::shared_ptr<QueryPool::Ticket>> QueryPool::submit(const std::string& sql, const std::string& count_sql,
                                                                     int64_t now_micros,
                                                                     std::function<void(QueryRows)> done) {
  ASSIGN_OR_RETURN(auto reader, take_reader());
  auto ticket = std::make_shared<Ticket>();
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Job{std::move(reader), sql, count_sql, now_micros, ticket, std::move(done)});
  }
  while (workers_.size() < threads_) workers_.emplace_back([this] { work(); });
  cv_.notify_one();
  return ticket;
}

void QueryPool::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      running_.push_back(job.ticket);
    }
    QueryRows rows = run(job);
    give_back(std::move(job.reader));
    {
      std::lock_guard lock(mu_);
      std::erase(running_, job.ticket);
    }
    post_([alive = alive_, done = std::move(job.done), rows = std::move(rows)]() mutable {
      if (*alive) done(std::move(rows));
    });
  }
}

QueryRows QueryPool::run(Job& job) {
  QueryRows out;
  Reader& r = *job.reader;
  r.now = job.now;
  r.ticket = job.ticket.get();
  sqlite3_stmt* st = nullptr;
  if (!job.count_sql.empty() && sqlite3_prepare_v2(r.db, job.count_sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    out.bytes = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  st = nullptr;
  if (sqlite3_prepare_v2(r.db, job.sql.c_str(), int(job.sql.size()), &st, nullptr) != SQLITE_OK) {
    out.status = failed(r.db, "exec");
    sqlite3_finalize(st);
    return out;
  }
  out.columns = size_t(sqlite3_column_count(st));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int c = 0; c < int(out.columns); ++c) put_cell(out.cells, st, c);
    ++out.rows;
  }
  if (rc != SQLITE_DONE) {
    out.status = job.ticket->cancelled ? core::Status(core::Code::kCancelled, "cancelled") : failed(r.db, "exec");
    out.cells.clear();
    out.rows = 0;
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace gcpsim::services::bigquery
