// Read-only queries off the engine thread: a few worker threads, each query on a read-only
// connection of its own to the store's file. The engine opens the query's read transaction
// when it submits it, so the query sees exactly what was committed at that moment (WAL: the
// engine keeps writing meanwhile); rows come back to the engine through its post function.
// The pool is infrastructure: the locks live here, the domain code stays single-threaded.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

struct sqlite3;

namespace gcpsim::services::bigquery {

// A finished query's rows, as SQLite gave them: columns × rows cells, each a type byte then
// its value (int64 and double: 8 bytes; text and blob: a 4-byte length then the bytes).
struct QueryRows {
  core::Status status;
  size_t columns = 0;
  int64_t rows = 0;
  std::string cells;
  int64_t bytes = 0;  // the integer the query's `count_sql` gave (0 without one)
};

// A submitted query: cancelling it stops the worker at its next progress check.
struct QueryTicket {
  std::atomic<bool> cancelled{false};
};

class QueryPool {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using Ticket = QueryTicket;

  // `file`: the database the readers open; `post` runs a function on the engine thread.
  QueryPool(std::string file, Post post, size_t threads);
  ~QueryPool();  // engine thread: cancels what is queued or running, joins the workers
  QueryPool(const QueryPool&) = delete;
  QueryPool& operator=(const QueryPool&) = delete;

  // Engine thread. Pins the store's current committed state for `sql`, which then runs on a
  // worker with CURRENT_TIMESTAMP = `now_micros`, after `count_sql` (one integer, in the same
  // state; may be empty); `done` runs on the engine thread, unless the pool is gone by then.
  core::StatusOr<std::shared_ptr<Ticket>> submit(const std::string& sql, const std::string& count_sql, int64_t now_micros,
                                                 std::function<void(QueryRows)> done);

  // Values of a QueryRows cell buffer, read in order.
  enum CellType : char { kNull = 0, kInt = 1, kReal = 2, kText = 3, kBlob = 4 };

 private:
  struct Reader;
  struct Job {
    std::unique_ptr<Reader> reader;
    std::string sql;
    std::string count_sql;
    int64_t now = 0;
    std::shared_ptr<Ticket> ticket;
    std::function<void(QueryRows)> done;
  };
  core::StatusOr<std::unique_ptr<Reader>> take_reader();
  void give_back(std::unique_ptr<Reader> r);
  void work();
  QueryRows run(Job& job);

  std::string file_;
  Post post_;
  size_t threads_;
  std::shared_ptr<bool> alive_;  // read and cleared on the engine thread only
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::deque<Job> queue_;
  std::vector<std::unique_ptr<Reader>> idle_;
  std::vector<std::shared_ptr<Ticket>> running_;
  std::vector<std::thread> workers_;
};

}  // namespace gcpsim::services::bigquery
