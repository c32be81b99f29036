// Specification of the SQLite wrapper: statements, transactions, migrations, snapshots, files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <sqlite3.h>
#include <unistd.h>

#include "core/store.h"

namespace core_store_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Store> memory() {
  auto s = Store::open("");
  REQUIRE(s.ok());
  return std::move(s).value();
}

// A fresh directory per test case. ctest runs each case in its own process, possibly in
// parallel, so the name carries the process id and a per-process counter.
struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("gcpsim-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const char* name) const { return (path / name).string(); }
};

int64_t count(Store& s, const char* table) {
  auto q = s.prepare(std::string("SELECT COUNT(*) FROM ") + table);
  REQUIRE(q.step());
  return q.column_int(0);
}

}  // namespace

TEST_CASE("statements bind, step and read every column type") {
  auto s = memory();
  REQUIRE(s->in_memory());
  REQUIRE(s->exec("CREATE TABLE t (i INTEGER, d REAL, x TEXT, b BLOB, n TEXT)").is_ok());
  auto ins = s->prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
  ins.bind(1, int64_t{1} << 40).bind(2, 2.5).bind(3, std::string_view("héllo")).bind_blob(4, std::string("a\0b", 3)).bind_null(5);
  REQUIRE(ins.run().is_ok());
  REQUIRE(s->changes() == 1);
  REQUIRE(s->last_insert_rowid() == 1);

  auto q = s->prepare("SELECT i, d, x, b, n FROM t");
  REQUIRE(q.step());
  REQUIRE(q.column_int(0) == int64_t{1} << 40);
  REQUIRE(q.column_double(1) == 2.5);
  REQUIRE(q.column_text(2) == "héllo");
  REQUIRE(q.column_blob(3) == std::string("a\0b", 3));
  REQUIRE(q.column_null(4));
  REQUIRE(q.column_text(4).empty());
  REQUIRE_FALSE(q.step());
  REQUIRE(q.status().is_ok());
}

TEST_CASE("a statement runs again after run() with new bindings, bind_all binds in order") {
  auto s = memory();
  REQUIRE(s->exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v INT)").is_ok());
  auto ins = s->prepare("INSERT INTO kv VALUES (?, ?)");
  REQUIRE(ins.bind_all(std::string_view("a"), 1).run().is_ok());
  REQUIRE(ins.bind_all(std::string_view("b"), 2).run().is_ok());
  REQUIRE(count(*s, "kv") == 2);
}

TEST_CASE("errors become a Status, never an exception or abort") {
  auto s = memory();
  REQUIRE(s->exec("CREATE TABLE kv (k TEXT PRIMARY KEY)").is_ok());
  REQUIRE(s->exec("INSERT INTO kv VALUES ('a')").is_ok());

  auto dup = s->prepare("INSERT INTO kv VALUES ('a')");
  Status st = dup.run();
  REQUIRE(st.code() == Code::kAlreadyExists);
  REQUIRE(st.message().find("UNIQUE constraint failed") != std::string::npos);

  auto bad = s->prepare("SELEC nonsense");
  REQUIRE_FALSE(bad.status().is_ok());
  REQUIRE_FALSE(bad.step());
  REQUIRE_FALSE(bad.bind(1, int64_t{1}).run().is_ok());

  auto out_of_range = s->prepare("SELECT ?1");
  out_of_range.bind(5, int64_t{1});
  REQUIRE_FALSE(out_of_range.status().is_ok());
  out_of_range.reset();
  REQUIRE(out_of_range.status().is_ok());

  REQUIRE_FALSE(s->exec("DROP TABLE missing").is_ok());
}

TEST_CASE("foreign keys are enforced") {
  auto s = memory();
  REQUIRE(s->exec("CREATE TABLE topics (name TEXT PRIMARY KEY);"
                  "CREATE TABLE subs (name TEXT PRIMARY KEY, topic TEXT NOT NULL REFERENCES topics(name))")
              .is_ok());
  Status st = s->exec("INSERT INTO subs VALUES ('s', 'missing')");
  REQUIRE(st.code() == Code::kFailedPrecondition);
}

TEST_CASE("a transaction rolls back unless committed") {
  auto s = memory();
  REQUIRE(s->exec("CREATE TABLE t (x INT)").is_ok());
  {
    auto tx = s->begin();
    REQUIRE(s->exec("INSERT INTO t VALUES (1)").is_ok());
    REQUIRE(count(*s, "t") == 1);
  }
  REQUIRE(count(*s, "t") == 0);
  {
    auto tx = s->begin();
    REQUIRE(s->exec("INSERT INTO t VALUES (2)").is_ok());
    REQUIRE(tx.commit().is_ok());
    REQUIRE_FALSE(tx.commit().is_ok());
  }
  REQUIRE(count(*s, "t") == 1);
}

TEST_CASE("a nested transaction is a savepoint: its rollback keeps the outer work") {
  auto s = memory();
  REQUIRE(s->exec("CREATE TABLE t (x INT)").is_ok());
  {
    auto outer = s->begin();
    REQUIRE(s->exec("INSERT INTO t VALUES (1)").is_ok());
    {
      auto inner = s->begin();
      REQUIRE(s->exec("INSERT INTO t VALUES (2)").is_ok());
    }
    {
      auto inner = s->begin();
      REQUIRE(s->exec("INSERT INTO t VALUES (3)").is_ok());
      REQUIRE(inner.commit().is_ok());
    }
    REQUIRE(outer.commit().is_ok());
  }
  auto q = s->prepare("SELECT group_concat(x) FROM t");
  REQUIRE(q.step());
  REQUIRE(q.column_text(0) == "1,3");
}

TEST_CASE("migrations apply each step once, in order, and record the version") {
  auto s = memory();
  std::vector<std::string> steps = {"CREATE TABLE topics (name TEXT PRIMARY KEY)",
                                    "ALTER TABLE topics ADD COLUMN labels TEXT"};
  REQUIRE(s->schema_version("pubsub") == 0);
  REQUIRE(s->migrate("pubsub", steps).is_ok());
  REQUIRE(s->schema_version("pubsub") == 2);
  REQUIRE(s->migrate("pubsub", steps).is_ok());  // nothing left: re-running would fail
  steps.push_back("CREATE TABLE subscriptions (name TEXT PRIMARY KEY)");
  REQUIRE(s->migrate("pubsub", steps).is_ok());
  REQUIRE(s->schema_version("pubsub") == 3);
  REQUIRE(s->schema_version("storage") == 0);
  REQUIRE(s->migrate("pubsub", {"CREATE TABLE x (y INT)"}).code() == Code::kFailedPrecondition);
}

TEST_CASE("a failing migration step leaves no trace and keeps the earlier version") {
  auto s = memory();
  REQUIRE(s->migrate("tasks", {"CREATE TABLE queues (name TEXT)"}).is_ok());
  Status st = s->migrate("tasks", {"CREATE TABLE queues (name TEXT)",
                                   "CREATE TABLE tasks (name TEXT); CREATE TABLE broken (("});
  REQUIRE_FALSE(st.is_ok());
  REQUIRE(st.message().find("migration tasks #2") != std::string::npos);
  REQUIRE(s->schema_version("tasks") == 1);
  REQUIRE_FALSE(s->prepare("SELECT * FROM tasks").status().is_ok());
}

TEST_CASE("a snapshot saved and loaded restores the whole database") {
  TempDir dir;
  auto s = memory();
  REQUIRE(s->migrate("secrets", {"CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB)"}).is_ok());
  REQUIRE(s->exec("INSERT INTO secrets VALUES ('db-password', 's3cret')").is_ok());
  REQUIRE(s->save_snapshot(dir.file("snap.db")).is_ok());
  REQUIRE_FALSE(fs::exists(dir.file("snap.db.tmp")));

  REQUIRE(s->exec("DELETE FROM secrets; INSERT INTO secrets VALUES ('later', 'x')").is_ok());
  REQUIRE(s->load_snapshot(dir.file("snap.db")).is_ok());
  auto q = s->prepare("SELECT name, value FROM secrets");
  REQUIRE(q.step());
  REQUIRE(q.column_text(0) == "db-password");
  REQUIRE(q.column_blob(1) == "s3cret");
  REQUIRE_FALSE(q.step());
  REQUIRE(s->schema_version("secrets") == 1);

  auto other = memory();
  REQUIRE(other->load_snapshot(dir.file("snap.db")).is_ok());
  REQUIRE(count(*other, "secrets") == 1);
  REQUIRE(other->load_snapshot(dir.file("missing.db")).code() == Code::kNotFound);
}

TEST_CASE("a file store persists across close and reopen") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  {
    auto opened = Store::open(path);
    REQUIRE(opened.ok());
    auto& s = **opened;
    REQUIRE_FALSE(s.in_memory());
    REQUIRE(s.path() == path);
    {
      auto mode = s.prepare("PRAGMA journal_mode");
      REQUIRE(mode.step());
      REQUIRE(mode.column_text(0) == "wal");
      auto sync = s.prepare("PRAGMA synchronous");
      REQUIRE(sync.step());
      REQUIRE(sync.column_int(0) == 2);  // FULL
    }
    REQUIRE(s.migrate("storage", {"CREATE TABLE buckets (name TEXT PRIMARY KEY)"}).is_ok());
    auto tx = s.begin();
    REQUIRE(s.exec("INSERT INTO buckets VALUES ('uploads')").is_ok());
    REQUIRE(tx.commit().is_ok());
  }
  auto reopened = Store::open(path);
  REQUIRE(reopened.ok());
  REQUIRE((*reopened)->schema_version("storage") == 1);
  REQUIRE(count(**reopened, "buckets") == 1);
}

TEST_CASE("a file store snapshot round-trips into another file store") {
  TempDir dir;
  auto a = Store::open(dir.file("a.db"));
  auto b = Store::open(dir.file("b.db"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE((*a)->exec("CREATE TABLE t (x INT); INSERT INTO t VALUES (7)").is_ok());
  REQUIRE((*a)->save_snapshot(dir.file("snap.db")).is_ok());
  REQUIRE((*b)->load_snapshot(dir.file("snap.db")).is_ok());
  REQUIRE(count(**b, "t") == 1);
}

TEST_CASE("a scratch store is a WAL file that another connection reads while it writes, and is not durable") {
  TempDir dir;
  const std::string file = dir.file("scratch.db");
  {
    auto old = Store::open(file);  // what an earlier process left there is not scratch state
    REQUIRE((*old)->exec("CREATE TABLE stale (x INT)").is_ok());
  }
  auto opened = Store::open_scratch(file);
  REQUIRE(opened.ok());
  auto& s = **opened;
  REQUIRE(s.in_memory());  // nothing in it is meant to survive the process
  REQUIRE(s.path().empty());
  REQUIRE(s.file() == file);
  REQUIRE_FALSE(s.prepare("SELECT * FROM stale").status().is_ok());
  {
    auto mode = s.prepare("PRAGMA journal_mode");  // a live statement would hold commits back
    REQUIRE(mode.step());
    REQUIRE(mode.column_text(0) == "wal");
  }
  REQUIRE(s.exec("CREATE TABLE t (x INT); INSERT INTO t VALUES (1)").is_ok());

  // A reader's snapshot holds while the writer commits more; its next transaction sees it.
  sqlite3* reader = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &reader, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  auto read_count = [&] {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(reader, "SELECT count(*) FROM t", -1, &st, nullptr);
    INFO(sqlite3_errmsg(reader));
    REQUIRE(rc == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
  };
  REQUIRE(sqlite3_exec(reader, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(read_count() == 1);
  REQUIRE(s.exec("INSERT INTO t VALUES (2)").is_ok());  // not blocked by the reader
  REQUIRE(read_count() == 1);
  REQUIRE(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  REQUIRE(read_count() == 2);
  sqlite3_close(reader);
  REQUIRE_FALSE(Store::open_scratch("").ok());
}

TEST_CASE("opening a store where no file can be created fails with a Status") {
  auto s = Store::open("/nonexistent-dir-for-gcpsim/state.db");
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.status().message().find("/nonexistent-dir-for-gcpsim/state.db") != std::string::npos);
}

}  // namespace core_store_test
