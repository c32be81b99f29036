// Internal to the translator (sql_*.cc): a recursive-descent reader of GoogleSQL that writes
// SQLite as it goes and types every expression, with the name scopes it resolves against.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "services/bigquery/sql.h"
#include "services/bigquery/sql_lex.h"

namespace gcpsim::services::bigquery::sql {

struct Expr {
  std::string sql;
  Field type;
  bool null_literal = false;
  std::optional<std::string> string_literal;  // a string literal's value (coercions)
  bool aggregate = false;                      // contains an aggregate
  std::string name;                            // implicit column name (last path part)
};

// A FROM item as names see it: a table or subquery (columns), or an UNNEST value.
struct Source {
  std::string alias;      // as GoogleSQL names it (case-insensitive)
  std::string sql_alias;  // as the SQLite text names it
  Schema columns;
  bool value = false;     // UNNEST: the alias is the element itself (sql_alias.value)
  Field value_type;
  std::string value_sql;  // the value's SQLite expression
  Schema hidden_columns;  // pseudo-columns (_PARTITIONTIME) not in SELECT *
};

struct Scope {
  std::vector<Source> sources;
  const Scope* outer = nullptr;
  std::vector<std::pair<std::string, Expr>> aliases;  // select-list aliases (ORDER BY, QUALIFY)
};

struct Cte {
  std::string sql_name;
  Schema columns;
};

struct Query {  // a translated query expression
  std::string sql;
  Schema columns;
};

class Translator {
 public:
  Translator(std::vector<Token> toks, const Catalog& catalog, const CompileOptions& opt)
      : t_(std::move(toks)), catalog_(catalog), opt_(opt) {}
  core::StatusOr<Compiled> statement();

  // Expressions (sql_expr.cc).
  core::StatusOr<Expr> expr(const Scope& s);
  core::StatusOr<Field> type_name();

 private:
  // Tokens.
  const Token& peek(size_t k = 0) const { return t_[std::min(p_ + k, t_.size() - 1)]; }
  const Token& next() { const Token& t = t_[std::min(p_, t_.size() - 1)]; if (p_ < t_.size() - 1) ++p_; return t; }
  bool accept(const char* kw) { if (peek().is(kw)) { next(); return true; } return false; }
  core::Status expect(const char* kw);
  core::Status error(const Token& t, const std::string& m) const;
  core::Status syntax(const Token& t) const;
  core::Status unsupported(const Token& t, const std::string& what) const;
  bool at_clause_end() const;
  bool is_reserved(const Token& t) const;
  // a.b.`c.d` → {a, b, c, d}; a table name's first part may be a project id with dashes.
  core::StatusOr<std::vector<std::string>> path(bool table_name = false);

  // Statements and queries (sql_query.cc).
  core::StatusOr<Query> query(const Scope* outer);
  core::StatusOr<Query> set_operand(const Scope* outer);
  core::StatusOr<Query> select(const Scope* outer);
  core::Status from_clause(Scope& s, std::string& out);
  core::Status from_item(Scope& s, std::string& out);
  core::StatusOr<std::string> order_by(const Scope& s, const Schema& cols);
  core::StatusOr<std::string> limit_clause();
  core::StatusOr<TableInfo> resolve_table(const std::vector<std::string>& parts, const Token& at);
  core::StatusOr<Query> information_schema(const std::string& project, const std::string& dataset,
                                           const std::string& view, const Token& at);
  std::string alias_for(const std::string& base);

  // DML and DDL (sql_dml.cc).
  core::StatusOr<Compiled> insert();
  core::StatusOr<Compiled> update();
  core::StatusOr<Compiled> remove();
  core::StatusOr<Compiled> merge();
  core::StatusOr<Compiled> create();
  core::StatusOr<Compiled> drop();
  core::StatusOr<TableInfo> target_table();
  core::StatusOr<std::string> coerce_to(const Expr& e, const Field& to, const Token& at);

  // Expression levels (sql_expr.cc).
  core::StatusOr<Expr> or_expr(const Scope& s);
  core::StatusOr<Expr> and_expr(const Scope& s);
  core::StatusOr<Expr> not_expr(const Scope& s);
  core::StatusOr<Expr> comparison(const Scope& s);
  core::StatusOr<Expr> additive(const Scope& s);
  core::StatusOr<Expr> multiplicative(const Scope& s);
  core::StatusOr<Expr> unary(const Scope& s);
  core::StatusOr<Expr> postfix(const Scope& s);
  core::StatusOr<Expr> primary(const Scope& s);
  core::StatusOr<Expr> identifier(const Scope& s);
  core::StatusOr<Expr> field_access(Expr base, const std::string& name, const Token& at);
  core::StatusOr<Expr> parameter(const Token& t);
  core::StatusOr<Expr> literal_of(const Field& type, const Json& stored);
  core::StatusOr<Expr> case_expr(const Scope& s);
  core::StatusOr<Expr> struct_expr(const Scope& s, std::vector<std::string> names, std::vector<Field> types);
  core::StatusOr<Expr> array_literal(const Scope& s, std::optional<Field> element);
  core::StatusOr<std::string> in_list(const Scope& s, const Expr& lhs);
  core::StatusOr<Expr> subquery_expr(const Scope& s);
  Expr coerce_literal(const Expr& e, const Field& to);

  // Function calls (sql_functions.cc).
  core::StatusOr<Expr> call(const Scope& s, const Token& name_tok, std::string name);
  core::StatusOr<Expr> over(const Scope& s, Expr fn);
  core::StatusOr<std::vector<Expr>> args(const Scope& s);
  core::StatusOr<std::string> date_part();

  std::vector<Token> t_;
  size_t p_ = 0;
  const Catalog& catalog_;
  const CompileOptions& opt_;
  std::map<std::string, Cte> ctes_;  // by upper-cased name
  size_t positional_ = 0;
  int next_alias_ = 0;
  std::vector<TableRef> referenced_;
  int view_depth_ = 0;
  bool set_rhs_ = false;  // reading the right operand of UNION/INTERSECT/EXCEPT
};

// Shared helpers.
std::string json_path(const std::string& field);  // '$."name"'
bool numeric_kind(Kind k);
Field result_of_arith(const Field& a, const Field& b);
// The SQLite expression that turns a stored nested value into JSON for json_array/json_object.
std::string as_json_arg(const Expr& e);

}  // namespace gcpsim::services::bigquery::sql
