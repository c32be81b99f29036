// Function calls: aggregates (with OVER windows), date and time functions with their part
// arguments, string, JSON, conditional and conversion functions. An unknown name is
// BigQuery's "Function not found", never a guess.
#include "services/bigquery/sql_translate.h"

#include <functional>

#include "services/bigquery/errors.h"

namespace gcpsim::services::bigquery::sql {
namespace {

Expr typed(std::string sql, Field type, bool agg = false) {
  Expr e;
  e.sql = std::move(sql);
  e.type = std::move(type);
  e.aggregate = agg;
  return e;
}

std::string join(const std::vector<Expr>& a, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < a.size(); ++i) out += (i > from ? ", " : "") + a[i].sql;
  return out;
}

bool any_agg(const std::vector<Expr>& a) {
  for (const auto& e : a)
    if (e.aggregate) return true;
  return false;
}

// Functions whose arguments are plain expressions: name → (arity check, translation).
struct Simple {
  const char* name;
  int min_args, max_args;  // max -1: any
  std::function<Expr(const std::vector<Expr>&)> build;
};

Field S(Kind k) { return scalar(k); }

const std::vector<Simple>& simple_functions() {
  static const std::vector<Simple> table = {
      {"CONCAT", 1, -1, [](auto& a) {
         if (a[0].type.repeated()) return typed("bq_array_concat(" + join(a) + ")", a[0].type);
         std::string s;
         for (size_t i = 0; i < a.size(); ++i) s += (i ? " || " : "") + a[i].sql;
         return typed("(" + s + ")", a[0].type.kind == Kind::kBytes ? S(Kind::kBytes) : S(Kind::kString)); }},
      {"LOWER", 1, 1, [](auto& a) { return typed("lower(" + a[0].sql + ")", S(Kind::kString)); }},
      {"UPPER", 1, 1, [](auto& a) { return typed("upper(" + a[0].sql + ")", S(Kind::kString)); }},
      {"LENGTH", 1, 1, [](auto& a) { return typed(a[0].type.repeated() ? "json_array_length(" + a[0].sql + ")" : "length(" + a[0].sql + ")", S(Kind::kInt64)); }},
      {"CHAR_LENGTH", 1, 1, [](auto& a) { return typed("length(" + a[0].sql + ")", S(Kind::kInt64)); }},
      {"CHARACTER_LENGTH", 1, 1, [](auto& a) { return typed("length(" + a[0].sql + ")", S(Kind::kInt64)); }},
      {"BYTE_LENGTH", 1, 1, [](auto& a) { return typed("length(CAST(" + a[0].sql + " AS BLOB))", S(Kind::kInt64)); }},
      {"SUBSTR", 2, 3, [](auto& a) { return typed("bq_substr(" + join(a) + ")", S(Kind::kString)); }},
      {"SUBSTRING", 2, 3, [](auto& a) { return typed("bq_substr(" + join(a) + ")", S(Kind::kString)); }},
      {"TRIM", 1, 2, [](auto& a) { return typed("trim(" + join(a) + ")", S(Kind::kString)); }},
      {"LTRIM", 1, 2, [](auto& a) { return typed("ltrim(" + join(a) + ")", S(Kind::kString)); }},
      {"RTRIM", 1, 2, [](auto& a) { return typed("rtrim(" + join(a) + ")", S(Kind::kString)); }},
      {"REPLACE", 3, 3, [](auto& a) { return typed("replace(" + join(a) + ")", S(Kind::kString)); }},
      {"REVERSE", 1, 1, [](auto& a) { return typed("bq_reverse(" + a[0].sql + ")", S(Kind::kString)); }},
      {"REPEAT", 2, 2, [](auto& a) { return typed("bq_repeat(" + join(a) + ")", S(Kind::kString)); }},
      {"LPAD", 2, 3, [](auto& a) { return typed("bq_pad(" + join(a) + (a.size() == 2 ? ", ' '" : "") + ", 0)", S(Kind::kString)); }},
      {"RPAD", 2, 3, [](auto& a) { return typed("bq_pad(" + join(a) + (a.size() == 2 ? ", ' '" : "") + ", 1)", S(Kind::kString)); }},
      {"STARTS_WITH", 2, 2, [](auto& a) { return typed("(substr(" + a[0].sql + ", 1, length(" + a[1].sql + ")) = " + a[1].sql + ")", S(Kind::kBool)); }},
      {"ENDS_WITH", 2, 2, [](auto& a) { return typed("(" + a[1].sql + " = '' OR substr(" + a[0].sql + ", -length(" + a[1].sql + ")) = " + a[1].sql + ")", S(Kind::kBool)); }},
      {"STRPOS", 2, 2, [](auto& a) { return typed("instr(" + join(a) + ")", S(Kind::kInt64)); }},
      {"INSTR", 2, 2, [](auto& a) { return typed("instr(" + join(a) + ")", S(Kind::kInt64)); }},
      {"SPLIT", 1, 2, [](auto& a) { return typed("bq_split(" + a[0].sql + ", " + (a.size() > 1 ? a[1].sql : "','") + ")", S(Kind::kString).array_of()); }},
      {"REGEXP_CONTAINS", 2, 2, [](auto& a) { return typed("bq_regexp_contains(" + join(a) + ")", S(Kind::kBool)); }},
      {"REGEXP_EXTRACT", 2, 2, [](auto& a) { return typed("bq_regexp_extract(" + join(a) + ")", S(Kind::kString)); }},
      {"REGEXP_REPLACE", 3, 3, [](auto& a) { return typed("bq_regexp_replace(" + join(a) + ")", S(Kind::kString)); }},
      {"FORMAT", 1, -1, [](auto& a) { return typed("printf(" + join(a) + ")", S(Kind::kString)); }},
      {"TO_HEX", 1, 1, [](auto& a) { return typed("lower(hex(bq_unbase64(" + a[0].sql + ")))", S(Kind::kString)); }},
      {"GENERATE_UUID", 0, 0, [](auto&) { return typed("bq_uuid()", S(Kind::kString)); }},
      {"ABS", 1, 1, [](auto& a) { return typed("abs(" + a[0].sql + ")", a[0].type); }},
      {"SIGN", 1, 1, [](auto& a) { return typed("sign(" + a[0].sql + ")", a[0].type); }},
      {"ROUND", 1, 2, [](auto& a) { return typed("bq_round(" + a[0].sql + ", " + (a.size() > 1 ? a[1].sql : "0") + ")", a[0].type.kind == Kind::kInt64 ? S(Kind::kFloat64) : a[0].type); }},
      {"TRUNC", 1, 2, [](auto& a) { return typed("bq_trunc(" + a[0].sql + ", " + (a.size() > 1 ? a[1].sql : "0") + ")", a[0].type.kind == Kind::kInt64 ? S(Kind::kFloat64) : a[0].type); }},
      {"FLOOR", 1, 1, [](auto& a) { return typed("floor(" + a[0].sql + ")", a[0].type.kind == Kind::kInt64 ? S(Kind::kFloat64) : a[0].type); }},
      {"CEIL", 1, 1, [](auto& a) { return typed("ceil(" + a[0].sql + ")", a[0].type.kind == Kind::kInt64 ? S(Kind::kFloat64) : a[0].type); }},
      {"CEILING", 1, 1, [](auto& a) { return typed("ceil(" + a[0].sql + ")", a[0].type.kind == Kind::kInt64 ? S(Kind::kFloat64) : a[0].type); }},
      {"SQRT", 1, 1, [](auto& a) { return typed("sqrt(" + a[0].sql + ")", S(Kind::kFloat64)); }},
      {"POW", 2, 2, [](auto& a) { return typed("pow(" + join(a) + ")", S(Kind::kFloat64)); }},
      {"POWER", 2, 2, [](auto& a) { return typed("pow(" + join(a) + ")", S(Kind::kFloat64)); }},
      {"LN", 1, 1, [](auto& a) { return typed("ln(" + a[0].sql + ")", S(Kind::kFloat64)); }},
      {"LOG10", 1, 1, [](auto& a) { return typed("log10(" + a[0].sql + ")", S(Kind::kFloat64)); }},
      {"EXP", 1, 1, [](auto& a) { return typed("exp(" + a[0].sql + ")", S(Kind::kFloat64)); }},
      {"MOD", 2, 2, [](auto& a) { return typed("bq_mod(" + join(a) + ")", result_of_arith(a[0].type, a[1].type)); }},
      {"DIV", 2, 2, [](auto& a) { return typed("bq_intdiv(" + join(a) + ")", S(Kind::kInt64)); }},
      {"SAFE_DIVIDE", 2, 2, [](auto& a) { return typed("bq_safe_div(" + join(a) + ")", S(Kind::kFloat64)); }},
      {"IEEE_DIVIDE", 2, 2, [](auto& a) { return typed("bq_safe_div(" + join(a) + ")", S(Kind::kFloat64)); }},
      {"GREATEST", 1, -1, [](auto& a) { return typed("max(" + join(a) + (a.size() == 1 ? ", " + a[0].sql : "") + ")", a[0].type); }},
      {"LEAST", 1, -1, [](auto& a) { return typed("min(" + join(a) + (a.size() == 1 ? ", " + a[0].sql : "") + ")", a[0].type); }},
      {"IFNULL", 2, 2, [](auto& a) { return typed("ifnull(" + join(a) + ")", a[0].null_literal ? a[1].type : a[0].type); }},
      {"COALESCE", 1, -1, [](auto& a) {
         Field t = a[0].type;
         for (auto& e : a) if (!e.null_literal) { t = e.type; break; }
         return typed(a.size() == 1 ? a[0].sql : "coalesce(" + join(a) + ")", t); }},
      {"NULLIF", 2, 2, [](auto& a) { return typed("nullif(" + join(a) + ")", a[0].type); }},
      {"IF", 3, 3, [](auto& a) { return typed("(CASE WHEN " + a[0].sql + " THEN " + a[1].sql + " ELSE " + a[2].sql + " END)", a[1].null_literal ? a[2].type : a[1].type); }},
      {"ARRAY_LENGTH", 1, 1, [](auto& a) { return typed("json_array_length(" + a[0].sql + ")", S(Kind::kInt64)); }},
      {"ARRAY_CONCAT", 1, -1, [](auto& a) { return typed("bq_array_concat(" + join(a) + ")", a[0].type); }},
      {"ARRAY_TO_STRING", 2, 3, [](auto& a) { return typed("bq_array_to_string(" + join(a) + ")", S(Kind::kString)); }},
      {"ARRAY_REVERSE", 1, 1, [](auto& a) { return typed("bq_array_reverse(" + a[0].sql + ")", a[0].type); }},
      {"GENERATE_ARRAY", 2, 3, [](auto& a) { return typed("bq_generate_array(" + join(a) + ")", S(a[0].type.kind == Kind::kFloat64 ? Kind::kFloat64 : Kind::kInt64).array_of()); }},
      {"JSON_VALUE", 1, 2, [](auto& a) { return typed("bq_json_value(" + a[0].sql + ", " + (a.size() > 1 ? a[1].sql : "'$'") + ")", S(Kind::kString)); }},
      {"JSON_EXTRACT_SCALAR", 1, 2, [](auto& a) { return typed("bq_json_value(" + a[0].sql + ", " + (a.size() > 1 ? a[1].sql : "'$'") + ")", S(Kind::kString)); }},
      {"JSON_QUERY", 1, 2, [](auto& a) { return typed("bq_json_query(" + a[0].sql + ", " + (a.size() > 1 ? a[1].sql : "'$'") + ")", a[0].type.kind == Kind::kJson ? S(Kind::kJson) : S(Kind::kString)); }},
      {"JSON_EXTRACT", 1, 2, [](auto& a) { return typed("bq_json_query(" + a[0].sql + ", " + (a.size() > 1 ? a[1].sql : "'$'") + ")", a[0].type.kind == Kind::kJson ? S(Kind::kJson) : S(Kind::kString)); }},
      {"TO_JSON_STRING", 1, 1, [](auto& a) { return typed("bq_to_json_string(" + as_json_arg(a[0]) + ")", S(Kind::kString)); }},
      {"TO_JSON", 1, 1, [](auto& a) { return typed("json(" + as_json_arg(a[0]) + ")", S(Kind::kJson)); }},
      {"PARSE_JSON", 1, 1, [](auto& a) { return typed("json(" + a[0].sql + ")", S(Kind::kJson)); }},
      {"CURRENT_TIMESTAMP", 0, 0, [](auto&) { return typed("bq_now()", S(Kind::kTimestamp)); }},
      {"CURRENT_DATE", 0, 1, [](auto&) { return typed("bq_date_of(bq_now())", S(Kind::kDate)); }},
      {"CURRENT_DATETIME", 0, 1, [](auto&) { return typed("bq_datetime_of(bq_now())", S(Kind::kDatetime)); }},
      {"CURRENT_TIME", 0, 1, [](auto&) { return typed("substr(bq_datetime_of(bq_now()), 12)", S(Kind::kTime)); }},
      {"UNIX_SECONDS", 1, 1, [](auto& a) { return typed("bq_floordiv(" + a[0].sql + ", 1000000)", S(Kind::kInt64)); }},
      {"UNIX_MILLIS", 1, 1, [](auto& a) { return typed("bq_floordiv(" + a[0].sql + ", 1000)", S(Kind::kInt64)); }},
      {"UNIX_MICROS", 1, 1, [](auto& a) { return typed("(" + a[0].sql + ")", S(Kind::kInt64)); }},
      {"TIMESTAMP_SECONDS", 1, 1, [](auto& a) { return typed("((" + a[0].sql + ") * 1000000)", S(Kind::kTimestamp)); }},
      {"TIMESTAMP_MILLIS", 1, 1, [](auto& a) { return typed("((" + a[0].sql + ") * 1000)", S(Kind::kTimestamp)); }},
      {"TIMESTAMP_MICROS", 1, 1, [](auto& a) { return typed("(" + a[0].sql + ")", S(Kind::kTimestamp)); }},
      {"UNIX_DATE", 1, 1, [](auto& a) { return typed("bq_unix_date(" + a[0].sql + ")", S(Kind::kInt64)); }},
      {"FORMAT_TIMESTAMP", 2, 3, [](auto& a) { return typed("bq_format(" + a[0].sql + ", " + a[1].sql + ", 'TIMESTAMP')", S(Kind::kString)); }},
      {"FORMAT_DATE", 2, 2, [](auto& a) { return typed("bq_format(" + a[0].sql + ", " + a[1].sql + ", 'DATE')", S(Kind::kString)); }},
      {"FORMAT_DATETIME", 2, 2, [](auto& a) { return typed("bq_format(" + a[0].sql + ", " + a[1].sql + ", 'DATETIME')", S(Kind::kString)); }},
      {"PARSE_TIMESTAMP", 2, 3, [](auto& a) { return typed("bq_parse(" + a[0].sql + ", " + a[1].sql + ", 'TIMESTAMP')", S(Kind::kTimestamp)); }},
      {"PARSE_DATE", 2, 2, [](auto& a) { return typed("bq_parse(" + a[0].sql + ", " + a[1].sql + ", 'DATE')", S(Kind::kDate)); }},
      {"PARSE_DATETIME", 2, 2, [](auto& a) { return typed("bq_parse(" + a[0].sql + ", " + a[1].sql + ", 'DATETIME')", S(Kind::kDatetime)); }},
  };
  return table;
}

// Aggregates: name → translation of (args, distinct).
struct Aggregate {
  const char* name;
  std::function<Expr(const std::vector<Expr>&, bool distinct)> build;
};

const std::vector<Aggregate>& aggregates() {
  static const std::vector<Aggregate> table = {
      {"COUNT", [](auto& a, bool d) { return typed(std::string("count(") + (d ? "DISTINCT " : "") + a[0].sql + ")", S(Kind::kInt64)); }},
      {"COUNTIF", [](auto& a, bool) { return typed("count(CASE WHEN " + a[0].sql + " THEN 1 END)", S(Kind::kInt64)); }},
      {"SUM", [](auto& a, bool d) { return typed(std::string("sum(") + (d ? "DISTINCT " : "") + a[0].sql + ")", a[0].type.kind == Kind::kInt64 ? S(Kind::kInt64) : a[0].type); }},
      {"AVG", [](auto& a, bool d) { return typed(std::string("avg(") + (d ? "DISTINCT " : "") + a[0].sql + ")", a[0].type.kind == Kind::kNumeric ? a[0].type : S(Kind::kFloat64)); }},
      {"MIN", [](auto& a, bool) { return typed("min(" + a[0].sql + ")", a[0].type); }},
      {"MAX", [](auto& a, bool) { return typed("max(" + a[0].sql + ")", a[0].type); }},
      {"ANY_VALUE", [](auto& a, bool) { return typed("min(" + a[0].sql + ")", a[0].type); }},
      {"LOGICAL_AND", [](auto& a, bool) { return typed("min(" + a[0].sql + ")", S(Kind::kBool)); }},
      {"LOGICAL_OR", [](auto& a, bool) { return typed("max(" + a[0].sql + ")", S(Kind::kBool)); }},
      {"APPROX_COUNT_DISTINCT", [](auto& a, bool) { return typed("count(DISTINCT " + a[0].sql + ")", S(Kind::kInt64)); }},
      {"STRING_AGG", [](auto& a, bool d) {
         return typed(std::string("group_concat(") + (d ? "DISTINCT " : "") + a[0].sql + (a.size() > 1 && !d ? ", " + a[1].sql : "") + ")", a[0].type); }},
      {"ARRAY_AGG", [](auto& a, bool d) {
         Field el = a[0].type;
         el.name.clear();
         return typed(std::string("json_group_array(") + (d ? "DISTINCT " : "") + as_json_arg(a[0]) + ")", el.array_of()); }},
      {"STDDEV", [](auto& a, bool) { return typed("bq_stddev(" + a[0].sql + ")", S(Kind::kFloat64)); }},
      {"STDDEV_SAMP", [](auto& a, bool) { return typed("bq_stddev(" + a[0].sql + ")", S(Kind::kFloat64)); }},
  };
  return table;
}

const char* kWindowOnly[] = {"ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG", "LEAD",
                             "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE"};

}  // namespace

core::StatusOr<std::vector<Expr>> Translator::args(const Scope& s) {
  std::vector<Expr> out;
  if (accept(")")) return out;
  do {
    ASSIGN_OR_RETURN(Expr e, expr(s));
    out.push_back(std::move(e));
  } while (accept(","));
  RETURN_IF_ERROR(expect(")"));
  return out;
}

core::StatusOr<std::string> Translator::date_part() {
  const Token& t = next();
  if (t.kind != Tok::kIdent) return error(t, "A valid date part name is required");
  std::string part = upper(t.text);
  if (part == "WEEK" && accept("(")) {
    const Token& day = next();
    RETURN_IF_ERROR(expect(")"));
    if (!day.is("SUNDAY")) return unsupported(day, "WEEK(" + upper(day.text) + ")");
  }
  static const char* kParts[] = {"MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "DAYOFWEEK", "DAYOFYEAR",
                                 "WEEK", "ISOWEEK", "MONTH", "QUARTER", "YEAR", "DATE", "TIME"};
  for (const char* p : kParts)
    if (part == p) return part;
  return error(t, "A valid date part name is required but found " + t.text);
}

core::StatusOr<Expr> Translator::over(const Scope& s, Expr fn) {
  RETURN_IF_ERROR(expect("("));
  std::string w;
  if (accept("PARTITION")) {
    RETURN_IF_ERROR(expect("BY"));
    std::string parts;
    do {
      ASSIGN_OR_RETURN(Expr e, expr(s));
      parts += (parts.empty() ? "" : ", ") + e.sql;
    } while (accept(","));
    w += "PARTITION BY " + parts;
  }
  if (accept("ORDER")) {
    RETURN_IF_ERROR(expect("BY"));
    std::string items;
    do {
      ASSIGN_OR_RETURN(Expr e, expr(s));
      items += (items.empty() ? "" : ", ") + e.sql;
      if (accept("DESC")) items += " DESC";
      else accept("ASC");
      if (accept("NULLS")) items += " NULLS " + upper(next().text);
    } while (accept(","));
    w += (w.empty() ? "" : " ") + std::string("ORDER BY ") + items;
  }
  if (peek().is("ROWS") || peek().is("RANGE")) {
    w += " " + upper(next().text);
    while (!peek().is(")") && peek().kind != Tok::kEnd) {
      const Token& t = next();
      if (t.kind == Tok::kInt || t.kind == Tok::kIdent) w += " " + (t.kind == Tok::kIdent ? upper(t.text) : t.text);
      else return syntax(t);
    }
  }
  RETURN_IF_ERROR(expect(")"));
  fn.sql += " OVER (" + w + ")";
  fn.aggregate = false;
  return fn;
}

core::StatusOr<Expr> Translator::call(const Scope& s, const Token& name_tok, std::string name) {
  next();  // (
  bool safe = false;
  if (name.rfind("SAFE.", 0) == 0) {
    safe = true;
    name = name.substr(5);
  }
  // Functions with special argument syntax.
  if (name == "CAST" || name == "SAFE_CAST") {
    ASSIGN_OR_RETURN(Expr v, expr(s));
    RETURN_IF_ERROR(expect("AS"));
    ASSIGN_OR_RETURN(Field to, type_name());
    if (accept("FORMAT")) return unsupported(peek(), "CAST with FORMAT");
    RETURN_IF_ERROR(expect(")"));
    bool is_safe = name == "SAFE_CAST" || safe;
    if (to.repeated() || to.is_struct()) {
      if (same_type(to, v.type) || v.null_literal) { v.type = to; return v; }
      return error(name_tok, "Invalid cast from " + sql_type_name(v.type) + " to " + sql_type_name(to));
    }
    Expr e = typed("bq_cast(" + v.sql + ", '" + sql_name(v.type.kind) + "', '" + sql_name(to.kind) + "', " + (is_safe ? "1" : "0") + ")", to);
    e.aggregate = v.aggregate;
    return e;
  }
  if (name == "EXTRACT") {
    ASSIGN_OR_RETURN(std::string part, date_part());
    RETURN_IF_ERROR(expect("FROM"));
    ASSIGN_OR_RETURN(Expr v, expr(s));
    if (accept("AT")) return unsupported(peek(), "EXTRACT ... AT TIME ZONE");
    RETURN_IF_ERROR(expect(")"));
    if (part == "DATE") return typed("bq_date_of(" + v.sql + ")", scalar(Kind::kDate));
    if (part == "TIME") return typed("substr(bq_datetime_of(" + v.sql + "), 12)", scalar(Kind::kTime));
    Expr e = typed("bq_extract('" + part + "', " + v.sql + ", '" + sql_name(v.type.kind) + "')", scalar(Kind::kInt64));
    e.aggregate = v.aggregate;
    return e;
  }
  bool is_trunc = name == "TIMESTAMP_TRUNC" || name == "DATE_TRUNC" || name == "DATETIME_TRUNC" || name == "TIME_TRUNC";
  bool is_diff = name == "TIMESTAMP_DIFF" || name == "DATE_DIFF" || name == "DATETIME_DIFF" || name == "TIME_DIFF";
  bool is_add = name == "TIMESTAMP_ADD" || name == "TIMESTAMP_SUB" || name == "DATE_ADD" || name == "DATE_SUB" ||
                name == "DATETIME_ADD" || name == "DATETIME_SUB" || name == "TIME_ADD" || name == "TIME_SUB";
  if (is_trunc || is_diff) {
    ASSIGN_OR_RETURN(Expr a, expr(s));
    RETURN_IF_ERROR(expect(","));
    Expr b;
    if (is_diff) {
      ASSIGN_OR_RETURN(b, expr(s));
      RETURN_IF_ERROR(expect(","));
    }
    ASSIGN_OR_RETURN(std::string part, date_part());
    if (accept(",")) return unsupported(peek(), name + " with a time zone");
    RETURN_IF_ERROR(expect(")"));
    Kind k = name.rfind("TIMESTAMP", 0) == 0 ? Kind::kTimestamp : name.rfind("DATETIME", 0) == 0 ? Kind::kDatetime
             : name.rfind("DATE", 0) == 0 ? Kind::kDate : Kind::kTime;
    a = coerce_literal(a, scalar(k));
    Expr e;
    if (is_trunc) {
      e = typed("bq_trunc_time(" + a.sql + ", '" + part + "', '" + sql_name(k) + "')", scalar(k));
    } else {
      b = coerce_literal(b, scalar(k));
      e = typed("bq_diff(" + a.sql + ", " + b.sql + ", '" + part + "', '" + sql_name(k) + "')", scalar(Kind::kInt64));
    }
    e.aggregate = a.aggregate || b.aggregate;
    return e;
  }
  if (is_add) {
    ASSIGN_OR_RETURN(Expr a, expr(s));
    RETURN_IF_ERROR(expect(","));
    RETURN_IF_ERROR(expect("INTERVAL"));
    ASSIGN_OR_RETURN(Expr n, expr(s));
    ASSIGN_OR_RETURN(std::string part, date_part());
    RETURN_IF_ERROR(expect(")"));
    Kind k = name.rfind("TIMESTAMP", 0) == 0 ? Kind::kTimestamp : name.rfind("DATETIME", 0) == 0 ? Kind::kDatetime
             : name.rfind("DATE", 0) == 0 ? Kind::kDate : Kind::kTime;
    a = coerce_literal(a, scalar(k));
    bool sub = name.size() > 4 && name.substr(name.size() - 4) == "_SUB";
    Expr e = typed("bq_add_time(" + a.sql + ", " + (sub ? "-(" : "(") + n.sql + "), '" + part + "', '" + sql_name(k) + "')", scalar(k));
    e.aggregate = a.aggregate || n.aggregate;
    return e;
  }
  if ((name == "COUNT") && peek().is("*")) {
    next();
    RETURN_IF_ERROR(expect(")"));
    Expr e = typed("count(*)", scalar(Kind::kInt64), true);
    if (peek().is("OVER")) { next(); return over(s, e); }
    return e;
  }
  for (const auto& agg : aggregates()) {
    if (name != agg.name) continue;
    bool distinct = accept("DISTINCT");
    std::vector<Expr> a;
    do {
      ASSIGN_OR_RETURN(Expr e, expr(s));
      a.push_back(std::move(e));
    } while (accept(","));
    bool ignore_nulls = false;
    if (accept("IGNORE")) { RETURN_IF_ERROR(expect("NULLS")); ignore_nulls = true; }
    else if (accept("RESPECT")) RETURN_IF_ERROR(expect("NULLS"));
    if (peek().is("ORDER") || peek().is("LIMIT")) return unsupported(peek(), name + " with " + upper(peek().text));
    RETURN_IF_ERROR(expect(")"));
    if (any_agg(a)) return error(name_tok, "Aggregations of aggregations are not allowed");
    Expr e = agg.build(a, distinct);
    if (ignore_nulls) e.sql += " FILTER (WHERE " + a[0].sql + " IS NOT NULL)";
    e.aggregate = true;
    if (peek().is("OVER")) { next(); return over(s, e); }
    return e;
  }
  for (const char* w : kWindowOnly) {
    if (name != w) continue;
    ASSIGN_OR_RETURN(auto a, args(s));
    if (!peek().is("OVER")) return error(name_tok, "Analytic function " + name + " cannot be called without an OVER clause");
    next();
    Field t = scalar(Kind::kInt64);
    if (name == "PERCENT_RANK" || name == "CUME_DIST") t = scalar(Kind::kFloat64);
    if ((name == "LAG" || name == "LEAD" || name == "FIRST_VALUE" || name == "LAST_VALUE" || name == "NTH_VALUE") && !a.empty()) t = a[0].type;
    return over(s, typed(std::string(name == "NTH_VALUE" ? "nth_value" : upper(name)) + "(" + join(a) + ")", t));
  }
  // TIMESTAMP(x), DATE(x), DATETIME(x) conversions.
  if (name == "TIMESTAMP" || name == "DATE" || name == "DATETIME" || name == "TIME") {
    ASSIGN_OR_RETURN(auto a, args(s));
    if (a.empty()) return error(name_tok, "No matching signature for function " + name + " with no arguments");
    Kind to = *kind_of(name);
    if (name == "DATE" && a.size() == 3) return typed("bq_make_date(" + join(a) + ")", scalar(Kind::kDate));
    Expr e = typed("bq_cast(" + a[0].sql + ", '" + sql_name(a[0].type.kind) + "', '" + sql_name(to) + "', " + (safe ? "1" : "0") + ")", scalar(to));
    e.aggregate = a[0].aggregate;
    return e;
  }
  for (const auto& f : simple_functions()) {
    if (name != f.name) continue;
    ASSIGN_OR_RETURN(auto a, args(s));
    if (int(a.size()) < f.min_args || (f.max_args >= 0 && int(a.size()) > f.max_args))
      return error(name_tok, "No matching signature for function " + name + " for " + std::to_string(a.size()) + " argument(s)");
    Expr e = f.build(a);
    e.aggregate = any_agg(a);
    if (safe) {
      if (e.sql.rfind("bq_parse(", 0) != 0) return unsupported(name_tok, "The SAFE. prefix on " + name);
      e.sql.insert(e.sql.size() - 1, ", 1");
    }
    return e;
  }
  return error(name_tok, "Function not found: " + name_tok.text);
}

}  // namespace gcpsim::services::bigquery::sql
