// A small SQLite wrapper: prepared statements, transactions, per-service migrations,
// snapshots through the backup API. In memory (or a scratch file other connections can read)
// by default; a file (WAL, synchronous=FULL) with a data directory, so what was acknowledged
// survives kill -9.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gcpsim::core {

class Store;

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  Statement& bind(int index, int64_t v);      // 1-based, as SQLite
  // Any other integer (int, size_t, bool) binds as int64 rather than being ambiguous.
  template <class I>
    requires std::is_integral_v<I>
  Statement& bind(int index, I v) { return bind(index, static_cast<int64_t>(v)); }
  Statement& bind(int index, double v);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  // Binds in order from index 1.
  template <class... A> Statement& bind_all(const A&... a) { int i = 1; (bind(i++, a), ...); return *this; }

  // True while a row is available. Errors become a Status through status().
  bool step();
  // Runs to completion (INSERT/UPDATE/DELETE); returns the error if any.
  Status run();
  void reset();

  int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  std::string column_blob(int col) const;
  bool column_null(int col) const;
  const Status& status() const { return status_; }

 private:
  friend class Store;
  Statement(Store* store, sqlite3_stmt* stmt);
  Store* store_;
  sqlite3_stmt* stmt_;
  Status status_;
};

class Store {
 public:
  // path empty → a private in-memory database.
  static StatusOr<std::unique_ptr<Store>> open(const std::string& path);
  // State that need not outlive the process, in a file so that other connections can read it
  // concurrently (WAL, no fsync). in_memory() stays true: nothing is meant to survive.
  static StatusOr<std::unique_ptr<Store>> open_scratch(const std::string& file);
  ~Store();

  Statement prepare(std::string_view sql);
  Status exec(std::string_view sql);     // one or more statements, no results
  int64_t last_insert_rowid() const;
  int64_t changes() const;
  bool in_memory() const { return path_.empty(); }
  const std::string& path() const { return path_; }
  // The database file other connections may open read-only (the path, or the scratch file);
  // empty for a private in-memory database.
  const std::string& file() const { return file_; }

  // RAII transaction: rolls back unless commit() is called. Inside another transaction it
  // becomes a savepoint, so domain operations compose.
  class Transaction {
   public:
    explicit Transaction(Store& s);
    ~Transaction();
    Status commit();
   private:
    Store& s_;
    bool done_ = false;
    Status begun_;           // why BEGIN failed, returned by commit()
    std::string savepoint_;  // set when nested
  };
  Transaction begin() { return Transaction(*this); }

  // Applies the steps of `service` not applied yet, in order, each in a transaction,
  // recording the version in the schema_versions table.
  Status migrate(std::string_view service, const std::vector<std::string>& steps);
  int schema_version(std::string_view service);

  // Online copy of the whole database to / from a file (SQLite backup API).
  Status save_snapshot(const std::string& file);
  Status load_snapshot(const std::string& file);

  sqlite3* handle() { return db_; }

 private:
  Store(sqlite3* db, std::string path, std::string file);
  static StatusOr<std::unique_ptr<Store>> open_file(const std::string& file, bool durable);
  sqlite3* db_;
  std::string path_;
  std::string file_;
  uint64_t next_savepoint_ = 1;
};

}  // namespace gcpsim::core
