// SQLite behind one small wrapper: statements, transactions, migrations and snapshots.
#include "core/store.h"

#include <sqlite3.h>

#include <filesystem>

namespace gcpsim::core {
namespace {

// SQLite result codes as canonical codes, so a duplicate key reads as ALREADY_EXISTS and a
// busy database as something a caller may retry.
Code code_for(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE: return Code::kAlreadyExists;
    default: break;
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return Code::kFailedPrecondition;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Code::kUnavailable;
    case SQLITE_FULL: return Code::kResourceExhausted;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Code::kDataLoss;
    case SQLITE_NOTFOUND:
    case SQLITE_CANTOPEN: return Code::kNotFound;
    default: return Code::kInternal;
  }
}

Status sqlite_status(sqlite3* db, int rc, std::string_view what) {
  const char* detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(code_for(rc), std::string(what) + ": " + detail);
}

// Copies every page of src's main database over dst's (the backup API, so src may be live).
Status copy_database(sqlite3* src, sqlite3* dst, std::string_view what) {
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (!backup) return sqlite_status(dst, sqlite3_extended_errcode(dst), what);
  sqlite3_backup_step(backup, -1);
  int rc = sqlite3_backup_finish(backup);
  if (rc != SQLITE_OK) return sqlite_status(dst, rc, what);
  return Status::ok();
}

}  // namespace

Statement::Statement(Store* store, sqlite3_stmt* stmt) : store_(store), stmt_(stmt) {}

Statement::Statement(Statement&& o) noexcept
    : store_(o.store_), stmt_(o.stmt_), status_(std::move(o.status_)) {
  o.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    store_ = o.store_;
    stmt_ = o.stmt_;
    status_ = std::move(o.status_);
    o.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

// Bind errors are kept (the first one wins) and surface from step()/run()/status().
#define GCPSIM_BIND(call)                                                                  \
  do {                                                                                     \
    if (!stmt_) return *this;                                                              \
    int rc = (call);                                                                       \
    if (rc != SQLITE_OK && status_.is_ok()) status_ = sqlite_status(store_->handle(), rc, "bind"); \
    return *this;                                                                          \
  } while (0)

Statement& Statement::bind(int index, int64_t v) { GCPSIM_BIND(sqlite3_bind_int64(stmt_, index, v)); }
Statement& Statement::bind(int index, double v) { GCPSIM_BIND(sqlite3_bind_double(stmt_, index, v)); }
Statement& Statement::bind(int index, std::string_view text) {
  GCPSIM_BIND(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}
Statement& Statement::bind_blob(int index, std::string_view bytes) {
  GCPSIM_BIND(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
}
Statement& Statement::bind_null(int index) { GCPSIM_BIND(sqlite3_bind_null(stmt_, index)); }

#undef GCPSIM_BIND

bool Statement::step() {
  if (!stmt_ || !status_.is_ok()) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = sqlite_status(store_->handle(), rc, "step");
  return false;
}

// Resets afterwards (keeping bindings) so the statement can run again.
Status Statement::run() {
  while (step()) {}
  if (stmt_) sqlite3_reset(stmt_);
  return status_;
}

void Statement::reset() {
  // A statement that failed to prepare keeps its error: there is nothing to reset.
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = Status::ok();
}

int64_t Statement::column_int(int col) const { return stmt_ ? sqlite3_column_int64(stmt_, col) : 0; }
double Statement::column_double(int col) const { return stmt_ ? sqlite3_column_double(stmt_, col) : 0.0; }

std::string Statement::column_text(int col) const {
  if (!stmt_) return {};
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
}

std::string Statement::column_blob(int col) const {
  if (!stmt_) return {};
  const void* p = sqlite3_column_blob(stmt_, col);
  if (!p) return {};
  return std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
}

bool Statement::column_null(int col) const { return !stmt_ || sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Store::Store(sqlite3* db, std::string path, std::string file) : db_(db), path_(std::move(path)), file_(std::move(file)) {}

// close_v2 tolerates statements that are still alive; they finalize later.
Store::~Store() { sqlite3_close_v2(db_); }

StatusOr<std::unique_ptr<Store>> Store::open(const std::string& path) { return open_file(path, true); }

StatusOr<std::unique_ptr<Store>> Store::open_scratch(const std::string& file) {
  if (file.empty()) return Status::invalid_argument("a scratch store needs a file");
  std::error_code ec;
  std::filesystem::remove(file, ec);  // scratch: never what an earlier process left
  std::filesystem::remove(file + "-wal", ec);
  std::filesystem::remove(file + "-shm", ec);
  return open_file(file, false);
}

StatusOr<std::unique_ptr<Store>> Store::open_file(const std::string& file, bool durable) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(file.empty() ? ":memory:" : file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status st = sqlite_status(db, rc, "open " + file);
    sqlite3_close(db);
    return st;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Store> store(new Store(db, durable ? file : std::string(), file));
  // On disk: WAL + synchronous=FULL, so a COMMIT that returned survives kill -9 and power loss.
  // A scratch file keeps WAL (readers on other connections never block the writer) and skips
  // the fsyncs.
  const char* pragmas = file.empty() ? "PRAGMA foreign_keys=ON;"
                        : durable    ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
                                     : "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;";
  Status st = store->exec(pragmas);
  if (!st.is_ok()) return st;
  return store;
}

Statement Store::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  Statement s(this, stmt);
  if (rc != SQLITE_OK) s.status_ = sqlite_status(db_, rc, "prepare");
  return s;
}

Status Store::exec(std::string_view sql) {
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_status(db_, rc, "exec");
  return Status::ok();
}

int64_t Store::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int64_t Store::changes() const { return sqlite3_changes64(db_); }

Store::Transaction::Transaction(Store& s) : s_(s) {
  if (!sqlite3_get_autocommit(s.db_)) savepoint_ = "gcpsim_tx_" + std::to_string(s.next_savepoint_++);
  // IMMEDIATE takes the write lock up front, so a commit cannot fail on a lock upgrade.
  begun_ = s_.exec(savepoint_.empty() ? "BEGIN IMMEDIATE" : "SAVEPOINT " + savepoint_);
  done_ = !begun_.is_ok();
}

Store::Transaction::~Transaction() {
  if (done_) return;
  if (savepoint_.empty()) {
    s_.exec("ROLLBACK");
  } else {
    s_.exec("ROLLBACK TO " + savepoint_);
    s_.exec("RELEASE " + savepoint_);
  }
}

Status Store::Transaction::commit() {
  if (!begun_.is_ok()) return begun_;
  if (done_) return Status::failed_precondition("transaction already committed");
  Status st = s_.exec(savepoint_.empty() ? "COMMIT" : "RELEASE " + savepoint_);
  // A failed COMMIT leaves the transaction open; the destructor rolls it back.
  if (st.is_ok()) done_ = true;
  return st;
}

Status Store::migrate(std::string_view service, const std::vector<std::string>& steps) {
  RETURN_IF_ERROR(exec("CREATE TABLE IF NOT EXISTS schema_versions (service TEXT PRIMARY KEY, version INT NOT NULL)"));
  const size_t current = static_cast<size_t>(schema_version(service));
  if (current > steps.size()) {
    return Status::failed_precondition("schema of " + std::string(service) + " is at version " +
                                       std::to_string(current) + ", newer than this build's " +
                                       std::to_string(steps.size()));
  }
  for (size_t i = current; i < steps.size(); ++i) {
    Transaction tx(*this);
    Status st = exec(steps[i]);
    if (!st.is_ok()) {
      return Status(st.code(), "migration " + std::string(service) + " #" + std::to_string(i + 1) + ": " +
                                   st.message());
    }
    RETURN_IF_ERROR(prepare("INSERT OR REPLACE INTO schema_versions (service, version) VALUES (?1, ?2)")
                        .bind(1, service)
                        .bind(2, i + 1)
                        .run());
    RETURN_IF_ERROR(tx.commit());
  }
  return Status::ok();
}

int Store::schema_version(std::string_view service) {
  auto q = prepare("SELECT version FROM schema_versions WHERE service = ?1");
  q.bind(1, service);
  // No schema_versions table yet (prepare failed) means nothing was ever migrated.
  return q.step() ? static_cast<int>(q.column_int(0)) : 0;
}

// Written beside the target and renamed into place, so a crash never leaves half a snapshot.
Status Store::save_snapshot(const std::string& file) {
  const std::string tmp = file + ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  sqlite3* dest = nullptr;
  int rc = sqlite3_open_v2(tmp.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Status st = rc == SQLITE_OK ? copy_database(db_, dest, "save snapshot " + file)
                              : sqlite_status(dest, rc, "save snapshot " + file);
  // A rollback-journal header makes the snapshot one self-contained file.
  if (st.is_ok()) {
    int jrc = sqlite3_exec(dest, "PRAGMA journal_mode=DELETE;", nullptr, nullptr, nullptr);
    if (jrc != SQLITE_OK) st = sqlite_status(dest, jrc, "save snapshot " + file);
  }
  sqlite3_close(dest);
  if (st.is_ok()) {
    std::filesystem::rename(tmp, file, ec);
    if (ec) st = Status::internal("save snapshot " + file + ": " + ec.message());
  }
  if (!st.is_ok()) std::filesystem::remove(tmp, ec);
  return st;
}

Status Store::load_snapshot(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return Status::not_found("snapshot " + file + " not found");
  sqlite3* src = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &src, SQLITE_OPEN_READWRITE, nullptr);
  Status st = rc == SQLITE_OK ? copy_database(src, db_, "load snapshot " + file)
                              : sqlite_status(src, rc, "load snapshot " + file);
  sqlite3_close(src);
  return st;
}

}  // namespace gcpsim::core
