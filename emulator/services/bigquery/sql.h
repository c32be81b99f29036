// The GoogleSQL subset gcpsim runs, translated to SQLite: the translator's public face.
// A statement compiles against a Catalog (tables and views as the domain holds them) into
// SQLite text plus what the executor needs (output schema, DML/DDL target).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "services/bigquery/schema.h"

struct sqlite3;

namespace gcpsim::services::bigquery {

struct TableRef {
  std::string project, dataset, table;
  std::string str() const { return project + ":" + dataset + "." + table; }
};

struct TableInfo {
  TableRef ref;
  std::string type = "TABLE";  // TABLE | VIEW
  Schema schema;
  std::string view_query;      // VIEW
  bool ingestion_time = false; // partitioned by ingestion time: has _PARTITIONTIME
};

// SQLite's name for a table's rows: "bq:project.dataset.table".
std::string data_table(const TableRef& t);
std::string quote_ident(const std::string& s);  // "x" with quotes doubled
std::string quote_text(const std::string& s);   // 'x' with quotes doubled

class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual std::optional<TableInfo> table(const TableRef& t) const = 0;
  virtual std::vector<TableInfo> tables(const std::string& project, const std::string& dataset) const = 0;
  virtual bool dataset_exists(const std::string& project, const std::string& dataset) const = 0;
};

struct Parameter {
  std::string name;  // empty for positional
  Field type;
  Json value;        // stored form (values.h)
};

struct Compiled {
  enum class Kind { kSelect, kInsert, kUpdate, kDelete, kMerge, kCreateTable, kCreateView, kDropTable, kDropView };
  Kind kind = Kind::kSelect;
  std::vector<std::string> sql;  // SQLite statements run in order (one for most)
  Schema schema;                 // kSelect: the result's columns; kCreateTable: the columns
  TableRef target;               // DML and DDL
  bool or_replace = false, if_not_exists = false, if_exists = false;
  std::string view_query;        // kCreateView: the GoogleSQL text
  std::vector<TableRef> referenced;  // tables read (dry runs' bytes)
};

struct CompileOptions {
  std::string project;                     // the job's project
  std::optional<std::string> default_dataset;
  std::vector<Parameter> params;
  bool named_params = true;
};

// invalidQuery errors carry " at [line:column]".
core::StatusOr<Compiled> compile(const std::string& sql, const Catalog& catalog, const CompileOptions& opt);

// Reads a GoogleSQL type ("ARRAY<STRUCT<a INT64>>") as a Field (query parameter types use REST JSON instead).
core::StatusOr<Field> parse_type(const std::string& text);

// Registers the functions the translation calls (bq_*) on a SQLite connection. `now_micros`
// gives CURRENT_TIMESTAMP (the virtual clock).
void register_functions(sqlite3* db, std::function<int64_t()> now_micros);

}  // namespace gcpsim::services::bigquery
