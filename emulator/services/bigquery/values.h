// Values between REST JSON and SQLite. Stored forms: INT64, BOOL (0/1) and TIMESTAMP
// (microseconds) as integers; FLOAT64 as real; NUMERIC/BIGNUMERIC as numbers; STRING, BYTES
// (base64), DATE, TIME, DATETIME, GEOGRAPHY, JSON as text; RECORD and REPEATED as JSON text
// whose leaves are in these same forms.
#pragma once
#include <cstdint>
#include <string>
#include <variant>

#include "core/status.h"
#include "services/bigquery/schema.h"

namespace gcpsim::services::bigquery {

struct Cell {
  std::variant<std::monostate, int64_t, double, std::string> v;
  bool null() const { return std::holds_alternative<std::monostate>(v); }
};

// How TIMESTAMP values are written in rows (formatOptions).
enum class TsFormat { kFloatSeconds, kInt64Micros, kIso };

// A REST value (insertAll row field, query parameter, NDJSON) in its stored JSON form;
// `ignore_unknown` drops unknown RECORD fields instead of failing. Errors name `location`.
core::StatusOr<Json> stored_json(const Field& f, const Json& v, bool ignore_unknown, const std::string& location);
// A stored JSON value as the SQLite cell of a column.
Cell cell_of(const Field& f, const Json& stored);
// A SQLite cell as the stored JSON value (nested values parse their JSON text).
Json json_of_cell(const Field& f, const Cell& c);
// The REST row encoding of a stored value: {"v": "..."} members as tabledata.list writes them.
Json encode(const Field& f, const Json& stored, TsFormat ts);
// The plain JSON value (NDJSON export, INFORMATION_SCHEMA): strings for most scalars.
Json plain(const Field& f, const Json& stored);
// A string from CSV or a query parameter value as the stored JSON value.
core::StatusOr<Json> parse_text(const Field& f, const std::string& text, const std::string& location);
// Java's Double.toString, as BigQuery prints FLOAT64 and float-seconds timestamps.
std::string java_double(double d);
std::string base64_encode(std::string_view in);
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace gcpsim::services::bigquery
