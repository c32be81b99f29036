// Table schemas and SQL types: one Field describes a column (name, type, mode, subfields) and,
// without a name, the type of any SQL value (mode REPEATED = an ARRAY of the type).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace gcpsim::services::bigquery {

using Json = nlohmann::ordered_json;

enum class Kind {
  kString, kBytes, kInt64, kFloat64, kNumeric, kBigNumeric, kBool, kTimestamp, kDate, kTime,
  kDatetime, kGeography, kJson, kStruct, kInterval,
};

struct Field {
  std::string name;
  Kind kind = Kind::kString;
  std::string mode = "NULLABLE";  // NULLABLE | REQUIRED | REPEATED
  std::vector<Field> fields;      // kStruct
  std::string description;
  std::string type_name;          // as the schema was written ("INT64", "INTEGER"); empty = canonical

  bool repeated() const { return mode == "REPEATED"; }
  bool is_struct() const { return kind == Kind::kStruct; }
  // The element type of an ARRAY (mode NULLABLE).
  Field element() const { Field f = *this; f.mode = "NULLABLE"; return f; }
  Field array_of() const { Field f = *this; f.mode = "REPEATED"; return f; }
  const Field* find(const std::string& n) const;  // case-insensitive, as BigQuery names
};

using Schema = std::vector<Field>;

Field scalar(Kind k);
// "STRING", "INTEGER", …: the names REST schemas use for query results.
const char* legacy_name(Kind k);
// "STRING", "INT64", …: GoogleSQL names (INFORMATION_SCHEMA, messages).
const char* sql_name(Kind k);
std::string sql_type_name(const Field& f);  // "ARRAY<STRUCT<a INT64>>"
std::optional<Kind> kind_of(std::string_view name);  // REST or SQL name, any case
bool same_type(const Field& a, const Field& b);

// Reads {"fields":[…]} as tables.insert takes it; errors name the field.
core::StatusOr<Schema> schema_of(const Json& schema);
core::StatusOr<Field> field_of(const Json& field, int depth);
Json schema_json(const Schema& s);
Json field_json(const Field& f);

bool iequals(std::string_view a, std::string_view b);
std::string upper(std::string_view s);

}  // namespace gcpsim::services::bigquery
