// Schema fields: reading them from REST JSON, writing them back, type names.
#include "services/bigquery/schema.h"

#include <cctype>

#include "services/bigquery/errors.h"
#include "services/bigquery/limits.h"

namespace gcpsim::services::bigquery {
namespace {

struct KindName {
  Kind kind;
  const char* legacy;
  const char* sql;
};
constexpr KindName kKinds[] = {
    {Kind::kString, "STRING", "STRING"},        {Kind::kBytes, "BYTES", "BYTES"},
    {Kind::kInt64, "INTEGER", "INT64"},         {Kind::kFloat64, "FLOAT", "FLOAT64"},
    {Kind::kNumeric, "NUMERIC", "NUMERIC"},     {Kind::kBigNumeric, "BIGNUMERIC", "BIGNUMERIC"},
    {Kind::kBool, "BOOLEAN", "BOOL"},           {Kind::kTimestamp, "TIMESTAMP", "TIMESTAMP"},
    {Kind::kDate, "DATE", "DATE"},              {Kind::kTime, "TIME", "TIME"},
    {Kind::kDatetime, "DATETIME", "DATETIME"},  {Kind::kGeography, "GEOGRAPHY", "GEOGRAPHY"},
    {Kind::kJson, "JSON", "JSON"},              {Kind::kStruct, "RECORD", "STRUCT"},
    {Kind::kInterval, "INTERVAL", "INTERVAL"},
};

bool valid_column_name(const std::string& n) {
  if (n.empty() || n.size() > 300) return false;
  if (!(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const Field* Field::find(const std::string& n) const {
  for (const auto& f : fields)
    if (iequals(f.name, n)) return &f;
  return nullptr;
}

Field scalar(Kind k) {
  Field f;
  f.kind = k;
  return f;
}

const char* legacy_name(Kind k) {
  for (const auto& e : kKinds)
    if (e.kind == k) return e.legacy;
  return "STRING";
}

const char* sql_name(Kind k) {
  for (const auto& e : kKinds)
    if (e.kind == k) return e.sql;
  return "STRING";
}

std::string sql_type_name(const Field& f) {
  std::string base;
  if (f.is_struct()) {
    base = "STRUCT<";
    for (size_t i = 0; i < f.fields.size(); ++i)
      base += (i ? ", " : "") + f.fields[i].name + " " + sql_type_name(f.fields[i]);
    base += ">";
  } else {
    base = sql_name(f.kind);
  }
  return f.repeated() ? "ARRAY<" + base + ">" : base;
}

std::optional<Kind> kind_of(std::string_view name) {
  std::string n = upper(name);
  for (const auto& e : kKinds)
    if (n == e.legacy || n == e.sql) return e.kind;
  if (n == "BOOLEAN" || n == "BOOL") return Kind::kBool;
  if (n == "INTEGER" || n == "INT" || n == "SMALLINT" || n == "BIGINT" || n == "TINYINT" || n == "BYTEINT")
    return Kind::kInt64;
  if (n == "DECIMAL") return Kind::kNumeric;
  if (n == "BIGDECIMAL") return Kind::kBigNumeric;
  if (n == "STRUCT") return Kind::kStruct;
  return std::nullopt;
}

bool same_type(const Field& a, const Field& b) {
  if (a.kind != b.kind || a.repeated() != b.repeated()) return false;
  if (!a.is_struct()) return true;
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i)
    if (!same_type(a.fields[i], b.fields[i])) return false;
  return true;
}

core::StatusOr<Field> field_of(const Json& j, int depth) {
  if (!j.is_object()) return errors::invalid("Invalid schema: a field must be an object");
  Field f;
  if (!j.contains("name") || !j["name"].is_string()) return errors::invalid("Invalid field name \"\". Fields must contain only letters, numbers, and underscores, start with a letter or underscore, and be at most 300 characters long.");
  f.name = j["name"].get<std::string>();
  if (!valid_column_name(f.name))
    return errors::invalid("Invalid field name \"" + f.name + "\". Fields must contain only letters, numbers, and underscores, start with a letter or underscore, and be at most 300 characters long.");
  std::string type = j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
  auto kind = kind_of(type);
  if (!kind || *kind == Kind::kInterval)
    return errors::invalid("Invalid value for type: " + type + " is not a valid value");
  f.kind = *kind;
  f.type_name = type;
  if (j.contains("mode") && j["mode"].is_string()) {
    f.mode = upper(j["mode"].get<std::string>());
    if (f.mode != "NULLABLE" && f.mode != "REQUIRED" && f.mode != "REPEATED")
      return errors::invalid("Invalid value for mode: " + j["mode"].get<std::string>() + " is not a valid value");
  }
  if (j.contains("description") && j["description"].is_string()) f.description = j["description"].get<std::string>();
  if (f.is_struct()) {
    if (depth >= static_cast<int>(limits::kMaxNestingDepth))
      return errors::invalid("Field " + f.name + " exceeds the maximum nesting depth of 15");
    if (!j.contains("fields") || !j["fields"].is_array() || j["fields"].empty())
      return errors::invalid("Field " + f.name + " is type RECORD but has no schema");
    for (const auto& sub : j["fields"]) {
      ASSIGN_OR_RETURN(auto child, field_of(sub, depth + 1));
      if (f.find(child.name)) return errors::invalid("Field " + f.name + "." + child.name + " already exists in schema");
      f.fields.push_back(std::move(child));
    }
  } else if (j.contains("fields") && j["fields"].is_array() && !j["fields"].empty()) {
    return errors::invalid("Field " + f.name + " is type " + type + " and cannot have subfields");
  }
  return f;
}

core::StatusOr<Schema> schema_of(const Json& j) {
  Schema out;
  if (j.is_null()) return out;
  if (!j.is_object()) return errors::invalid("Invalid schema: expected an object with fields");
  if (!j.contains("fields")) return out;
  if (!j["fields"].is_array()) return errors::invalid("Invalid schema: fields must be a list");
  if (j["fields"].size() > limits::kMaxColumns) return errors::invalid("Too many columns (maximum 10000)");
  for (const auto& fj : j["fields"]) {
    ASSIGN_OR_RETURN(auto f, field_of(fj, 1));
    for (const auto& e : out)
      if (iequals(e.name, f.name)) return errors::invalid("Field " + f.name + " already exists in schema");
    out.push_back(std::move(f));
  }
  return out;
}

Json field_json(const Field& f) {
  Json j = Json::object();
  j["name"] = f.name;
  j["type"] = f.type_name.empty() ? legacy_name(f.kind) : upper(f.type_name);
  j["mode"] = f.mode;
  if (!f.description.empty()) j["description"] = f.description;
  if (f.is_struct()) {
    j["fields"] = Json::array();
    for (const auto& c : f.fields) j["fields"].push_back(field_json(c));
  }
  return j;
}

Json schema_json(const Schema& s) {
  Json fields = Json::array();
  for (const auto& f : s) fields.push_back(field_json(f));
  return Json{{"fields", fields}};
}

}  // namespace gcpsim::services::bigquery
