// Statements and query expressions: WITH, set operations, SELECT with FROM/JOIN/UNNEST,
// WHERE, GROUP BY, HAVING, QUALIFY, ORDER BY, LIMIT. SELECT's list is read after its FROM
// so names resolve against the sources.
#include "services/bigquery/sql_translate.h"

#include "services/bigquery/errors.h"

namespace gcpsim::services::bigquery {
std::string data_table(const TableRef& t) { return quote_ident("bq:" + t.project + "." + t.dataset + "." + t.table); }
std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
std::string quote_text(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace gcpsim::services::bigquery

namespace gcpsim::services::bigquery::sql {
namespace {

const char* kClauseEnds[] = {"WHERE", "GROUP", "HAVING", "QUALIFY", "ORDER", "LIMIT", "UNION", "INTERSECT",
                             "EXCEPT", "WINDOW", ")", ";", "ON", "USING"};
const char* kReserved[] = {"SELECT", "FROM", "WHERE", "GROUP", "HAVING", "QUALIFY", "ORDER", "LIMIT", "UNION",
                           "INTERSECT", "EXCEPT", "WINDOW", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS",
                           "ON", "USING", "AS", "AND", "OR", "NOT", "BY", "WITH", "OFFSET", "OUTER", "SET",
                           "WHEN", "THEN", "ELSE", "END", "IS", "IN", "LIKE", "BETWEEN", "OVER", "FOR", "VALUES",
                           "ASC", "DESC", "NULLS", "INTO", "MERGE", "PARTITION", "CLUSTER", "OPTIONS", "LATERAL"};

}  // namespace

core::Status Translator::error(const Token& t, const std::string& m) const {
  return errors::invalid_query(m + " at [" + std::to_string(t.line) + ":" + std::to_string(t.col) + "]");
}
core::Status Translator::syntax(const Token& t) const {
  if (t.kind == Tok::kEnd) return error(t, "Syntax error: Unexpected end of script");
  std::string what = t.kind == Tok::kIdent ? (is_reserved(t) ? "keyword " + upper(t.text) : "identifier \"" + t.text + "\"")
                     : t.kind == Tok::kString ? "string literal \"" + t.text + "\""
                     : t.kind == Tok::kInt || t.kind == Tok::kFloat ? "literal " + t.text
                                                                     : "\"" + t.text + "\"";
  return error(t, "Syntax error: Unexpected " + what);
}
core::Status Translator::unsupported(const Token& t, const std::string& what) const {
  return error(t, what + " is not supported by gcpsim's GoogleSQL subset");
}
core::Status Translator::expect(const char* kw) {
  if (accept(kw)) return core::Status::ok();
  const Token& t = peek();
  if (t.kind == Tok::kEnd) return error(t, std::string("Syntax error: Expected \"") + kw + "\" but got end of script");
  return error(t, std::string("Syntax error: Expected \"") + kw + "\" but got \"" + t.text + "\"");
}
bool Translator::is_reserved(const Token& t) const {
  if (t.kind != Tok::kIdent) return false;
  for (const char* k : kReserved)
    if (t.is(k)) return true;
  return false;
}
bool Translator::at_clause_end() const {
  const Token& t = peek();
  if (t.kind == Tok::kEnd) return true;
  for (const char* k : kClauseEnds)
    if (t.is(k)) return true;
  return false;
}

core::StatusOr<std::vector<std::string>> Translator::path(bool table_name) {
  std::vector<std::string> parts;
  while (true) {
    const Token& t = next();
    if (t.kind == Tok::kQuoted) {
      size_t b = 0;
      while (true) {
        size_t e = t.text.find('.', b);
        parts.push_back(t.text.substr(b, e == std::string::npos ? std::string::npos : e - b));
        if (e == std::string::npos) break;
        b = e + 1;
      }
    } else if (t.kind == Tok::kIdent) {
      std::string part = t.text;
      // project ids may hold dashes: my-project.dataset.table
      while (table_name && peek().is("-") && (peek(1).kind == Tok::kIdent || peek(1).kind == Tok::kInt) && parts.empty()) {
        next();
        part += "-" + next().text;
      }
      parts.push_back(part);
    } else {
      return syntax(t);
    }
    if (!(peek().is(".") && (peek(1).kind == Tok::kIdent || peek(1).kind == Tok::kQuoted))) break;
    next();
  }
  return parts;
}

std::string Translator::alias_for(const std::string& base) { return quote_ident("_" + std::to_string(next_alias_++) + "_" + base); }

core::StatusOr<Compiled> Translator::statement() {
  const Token& first = peek();
  core::StatusOr<Compiled> out = core::Status::ok();
  if (first.is("SELECT") || first.is("WITH") || first.is("(")) {
    auto q = query(nullptr);
    if (!q.ok()) return q.status();
    Compiled c;
    c.sql.push_back(q->sql);
    c.schema = q->columns;
    out = std::move(c);
  } else if (first.is("INSERT")) {
    out = insert();
  } else if (first.is("UPDATE")) {
    out = update();
  } else if (first.is("DELETE")) {
    out = remove();
  } else if (first.is("MERGE")) {
    out = merge();
  } else if (first.is("CREATE")) {
    out = create();
  } else if (first.is("DROP")) {
    out = drop();
  } else if (first.kind == Tok::kIdent && (first.is("DECLARE") || first.is("BEGIN") || first.is("SET") || first.is("IF") ||
                                           first.is("CALL") || first.is("EXECUTE") || first.is("ALTER") || first.is("TRUNCATE"))) {
    return unsupported(first, upper(first.text) + " statement");
  } else {
    return syntax(first);
  }
  if (!out.ok()) return out;
  accept(";");
  if (peek().kind != Tok::kEnd) return unsupported(peek(), "A script of several statements");
  out->referenced = referenced_;
  return out;
}

core::StatusOr<Query> Translator::query(const Scope* outer) {
  // A query nested in an operand (a subquery) orders itself again.
  struct Restore {
    bool& flag;
    bool saved;
    ~Restore() { flag = saved; }
  } restore{set_rhs_, set_rhs_};
  set_rhs_ = false;
  std::string with;
  auto saved = ctes_;
  if (accept("WITH")) {
    if (peek().is("RECURSIVE")) return unsupported(peek(), "WITH RECURSIVE");
    do {
      const Token& name = next();
      if (name.kind != Tok::kIdent && name.kind != Tok::kQuoted) return syntax(name);
      RETURN_IF_ERROR(expect("AS"));
      RETURN_IF_ERROR(expect("("));
      ASSIGN_OR_RETURN(Query q, query(outer));
      RETURN_IF_ERROR(expect(")"));
      Cte cte{quote_ident("cte_" + name.text), q.columns};
      with += (with.empty() ? "WITH " : ", ") + cte.sql_name + " AS (" + q.sql + ")";
      ctes_[upper(name.text)] = std::move(cte);
    } while (accept(","));
    with += " ";
  }
  ASSIGN_OR_RETURN(Query q, set_operand(outer));
  bool compound = false;
  while (peek().is("UNION") || peek().is("INTERSECT") || peek().is("EXCEPT")) {
    const Token& op = next();
    std::string kw = upper(op.text);
    if (accept("ALL")) {
      if (kw != "UNION") return unsupported(op, kw + " ALL");
      kw += " ALL";
    } else if (!accept("DISTINCT")) {
      return error(peek(), "Syntax error: Expected keyword ALL or keyword DISTINCT but got \"" + peek().text + "\"");
    }
    bool saved_rhs = set_rhs_;
    set_rhs_ = true;  // ORDER BY/LIMIT after it order the whole set, not this operand
    auto rhs_or = set_operand(outer);
    set_rhs_ = saved_rhs;
    ASSIGN_OR_RETURN(Query rhs, std::move(rhs_or));
    if (rhs.columns.size() != q.columns.size())
      return error(op, "Queries in " + kw + " have mismatched column count; query 1 has " + std::to_string(q.columns.size()) +
                           " columns, query 2 has " + std::to_string(rhs.columns.size()) + " columns");
    for (size_t i = 0; i < q.columns.size(); ++i) {
      bool ok = same_type(q.columns[i], rhs.columns[i]) ||
                (numeric_kind(q.columns[i].kind) && numeric_kind(rhs.columns[i].kind) && !q.columns[i].repeated() && !rhs.columns[i].repeated());
      if (!ok)
        return error(op, "Column " + std::to_string(i + 1) + " in " + kw + " has incompatible types: " +
                             sql_type_name(q.columns[i]) + ", " + sql_type_name(rhs.columns[i]));
      if (q.columns[i].kind == Kind::kInt64 && rhs.columns[i].kind == Kind::kFloat64) q.columns[i].kind = Kind::kFloat64;
    }
    q.sql = "SELECT * FROM (" + q.sql + ") " + kw + " SELECT * FROM (" + rhs.sql + ")";
    compound = true;
  }
  (void)compound;
  Scope out_scope;
  out_scope.outer = outer;
  std::string tail;
  if (peek().is("ORDER")) {
    ASSIGN_OR_RETURN(tail, order_by(out_scope, q.columns));
  }
  ASSIGN_OR_RETURN(std::string lim, limit_clause());
  tail += lim;
  if (!tail.empty()) q.sql = "SELECT * FROM (" + q.sql + ")" + tail;
  q.sql = with + q.sql;
  ctes_ = saved;
  return q;
}

core::StatusOr<Query> Translator::set_operand(const Scope* outer) {
  if (accept("(")) {
    bool saved = set_rhs_;
    set_rhs_ = false;
    auto inner = query(outer);
    set_rhs_ = saved;
    ASSIGN_OR_RETURN(Query q, std::move(inner));
    RETURN_IF_ERROR(expect(")"));
    return q;
  }
  if (!peek().is("SELECT")) return syntax(peek());
  return select(outer);
}

core::StatusOr<std::string> Translator::order_by(const Scope& s, const Schema& cols) {
  next();
  RETURN_IF_ERROR(expect("BY"));
  Scope scope = s;
  for (const auto& c : cols) {
    Expr e;
    e.sql = quote_ident(c.name);
    e.type = c;
    scope.aliases.emplace_back(c.name, e);
  }
  std::string out = " ORDER BY ";
  bool first = true;
  do {
    ASSIGN_OR_RETURN(Expr e, expr(scope));
    out += (first ? "" : ", ") + e.sql;
    first = false;
    if (accept("DESC")) out += " DESC";
    else accept("ASC");
    if (accept("NULLS")) {
      if (accept("FIRST")) out += " NULLS FIRST";
      else if (accept("LAST")) out += " NULLS LAST";
      else return syntax(peek());
    }
  } while (accept(","));
  return out;
}

core::StatusOr<std::string> Translator::limit_clause() {
  std::string out;
  if (accept("LIMIT")) {
    const Token& n = next();
    if (n.kind != Tok::kInt && n.kind != Tok::kParam) return error(n, "Syntax error: LIMIT expects an integer literal or parameter");
    if (n.kind == Tok::kParam) {
      ASSIGN_OR_RETURN(Expr e, parameter(n));
      out = " LIMIT " + e.sql;
    } else {
      out = " LIMIT " + n.text;
    }
    if (accept("OFFSET")) {
      const Token& m = next();
      if (m.kind != Tok::kInt) return error(m, "Syntax error: OFFSET expects an integer literal");
      out += " OFFSET " + m.text;
    }
  }
  return out;
}

core::StatusOr<Query> Translator::select(const Scope* outer) {
  const Token& kw = next();  // SELECT
  std::string head = "SELECT ";
  if (accept("DISTINCT")) head += "DISTINCT ";
  else accept("ALL");
  if (peek().is("AS") && (peek(1).is("STRUCT") || peek(1).is("VALUE"))) return unsupported(peek(), "SELECT AS " + upper(peek(1).text));
  size_t list_start = p_;
  // Find this SELECT's FROM at depth 0.
  int depth = 0;
  size_t from_pos = 0;
  for (size_t k = p_; k < t_.size(); ++k) {
    const Token& t = t_[k];
    if (t.is("(") || t.is("[")) ++depth;
    else if (t.is(")") || t.is("]")) { if (--depth < 0) break; }
    else if (depth == 0 && t.is("FROM")) { from_pos = k; break; }
    else if (depth == 0 && (t.is("UNION") || t.is("INTERSECT") || t.is("EXCEPT") || t.is(";") || t.is("LIMIT") || t.is("ORDER") || t.is("WHERE") || t.is("GROUP") || t.is("HAVING") || t.is("QUALIFY"))) break;
    if (t.kind == Tok::kEnd) break;
  }
  Scope scope;
  scope.outer = outer;
  std::string from;
  size_t list_end = 0;
  if (from_pos) {
    p_ = from_pos + 1;
    RETURN_IF_ERROR(from_clause(scope, from));
    list_end = p_;
    p_ = list_start;
  }
  // The select list.
  std::vector<std::pair<std::string, Expr>> items;
  int anon = 0;
  bool any_aggregate = false;
  do {
    const Token& start = peek();
    bool star = start.is("*");
    const Source* star_source = nullptr;
    if (!star && (start.kind == Tok::kIdent || start.kind == Tok::kQuoted) && peek(1).is(".") && peek(2).is("*")) {
      for (const auto& src : scope.sources)
        if (iequals(src.alias, start.text)) star_source = &src;
      if (!star_source) return error(start, "Unrecognized name: " + start.text);
      next(), next();
      star = true;
    }
    if (star) {
      if (start.is("*")) next();
      if (scope.sources.empty()) return error(start, "SELECT * must have a FROM clause");
      std::vector<std::string> except;
      std::map<std::string, Expr> replace;
      if (accept("EXCEPT")) {
        RETURN_IF_ERROR(expect("("));
        do except.push_back(upper(next().text)); while (accept(","));
        RETURN_IF_ERROR(expect(")"));
      }
      if (accept("REPLACE")) {
        RETURN_IF_ERROR(expect("("));
        do {
          ASSIGN_OR_RETURN(Expr e, expr(scope));
          RETURN_IF_ERROR(expect("AS"));
          replace[upper(next().text)] = e;
        } while (accept(","));
        RETURN_IF_ERROR(expect(")"));
      }
      for (const auto& src : scope.sources) {
        if (star_source && star_source != &src) continue;
        if (src.value) {
          Expr e;
          e.sql = src.value_sql;
          e.type = src.value_type;
          if (src.value_type.is_struct() && star_source) {
            for (const auto& f : src.value_type.fields) {
              ASSIGN_OR_RETURN(Expr fe, field_access(e, f.name, start));
              items.emplace_back(f.name, fe);
            }
          } else {
            items.emplace_back(src.alias, e);
          }
          continue;
        }
        for (const auto& c : src.columns) {
          std::string u = upper(c.name);
          if (std::find(except.begin(), except.end(), u) != except.end()) continue;
          Expr e;
          e.sql = src.sql_alias + "." + quote_ident(c.name);
          e.type = c;
          if (replace.count(u)) e = replace[u];
          items.emplace_back(c.name, e);
        }
      }
      continue;
    }
    ASSIGN_OR_RETURN(Expr e, expr(scope));
    any_aggregate = any_aggregate || e.aggregate;
    std::string name;
    if (accept("AS")) {
      const Token& a = next();
      if (a.kind != Tok::kIdent && a.kind != Tok::kQuoted) return syntax(a);
      name = a.text;
    } else if ((peek().kind == Tok::kIdent && !is_reserved(peek())) || peek().kind == Tok::kQuoted) {
      name = next().text;
    } else if (!e.name.empty()) {
      name = e.name;
    } else {
      name = "f" + std::to_string(anon++) + "_";
    }
    items.emplace_back(name, e);
  } while (accept(","));
  if (from_pos) {
    if (p_ != from_pos) return syntax(peek());
    p_ = list_end;
  } else if (peek().is("FROM")) {
    return syntax(peek());
  }
  for (const auto& [n, e] : items) scope.aliases.emplace_back(n, e);
  std::string body;
  if (accept("WHERE")) {
    ASSIGN_OR_RETURN(Expr w, expr(scope));
    if (w.aggregate) return error(kw, "Aggregate function not allowed in WHERE clause");
    body += " WHERE " + w.sql;
  }
  if (accept("GROUP")) {
    RETURN_IF_ERROR(expect("BY"));
    if (peek().is("ROLLUP") || peek().is("CUBE") || peek().is("GROUPING")) return unsupported(peek(), "GROUP BY " + upper(peek().text));
    body += " GROUP BY ";
    bool first = true;
    do {
      const Token& g = peek();
      std::string gsql;
      if (g.kind == Tok::kInt) {
        size_t n = std::stoul(next().text);
        if (n < 1 || n > items.size()) return error(g, "GROUP BY is out of SELECT column number range: " + g.text);
        gsql = items[n - 1].second.sql;
      } else {
        ASSIGN_OR_RETURN(Expr ge, expr(scope));
        gsql = ge.sql;
      }
      body += (first ? "" : ", ") + gsql;
      first = false;
    } while (accept(","));
    any_aggregate = true;
  }
  if (accept("HAVING")) {
    ASSIGN_OR_RETURN(Expr h, expr(scope));
    body += " HAVING " + h.sql;
  }
  std::string qualify;
  if (accept("QUALIFY")) {
    ASSIGN_OR_RETURN(Expr q, expr(scope));
    qualify = q.sql;
  }
  if (peek().is("WINDOW")) return unsupported(peek(), "The WINDOW clause");
  (void)any_aggregate;
  Query out;
  std::string list;
  for (size_t i = 0; i < items.size(); ++i) {
    Field f = items[i].second.type;
    f.name = items[i].first;
    // Result columns are unique: BigQuery names a repeated one id_1, id_2, …
    for (int n = 1;; ++n) {
      bool taken = false;
      for (const auto& c : out.columns) taken = taken || iequals(c.name, f.name);
      if (!taken) break;
      f.name = items[i].first + "_" + std::to_string(n);
    }
    f.type_name.clear();
    if (f.mode == "REQUIRED") f.mode = "NULLABLE";
    out.columns.push_back(f);
    list += (i ? ", " : "") + items[i].second.sql + " AS " + quote_ident("c" + std::to_string(i));
  }
  std::string inner = head + list + (from.empty() ? "" : " FROM " + from) + body;
  std::string outer_list;
  for (size_t i = 0; i < items.size(); ++i)
    outer_list += (i ? ", " : "") + quote_ident("c" + std::to_string(i)) + " AS " + quote_ident(out.columns[i].name);
  // ORDER BY and LIMIT written after this SELECT belong to the whole query (GoogleSQL wants
  // parentheses around a set operand that has them): ordering here lets it name columns the
  // list does not select.
  std::string order, lim;
  if (set_rhs_) {
    // The caller orders the whole set.
  } else if (!qualify.empty()) {
    if (peek().is("ORDER")) {
      ASSIGN_OR_RETURN(order, order_by(Scope{{}, outer, {}}, out.columns));
    }
    ASSIGN_OR_RETURN(lim, limit_clause());
    inner = head + list + ", " + qualify + " AS \"_qualify\"" + (from.empty() ? "" : " FROM " + from) + body;
    out.sql = "SELECT " + outer_list + " FROM (" + inner + ") WHERE \"_qualify\"" + order + lim;
  }
  if (set_rhs_ && !qualify.empty()) {
    out.sql = "SELECT " + outer_list + " FROM (" + head + list + ", " + qualify + " AS \"_qualify\"" +
              (from.empty() ? "" : " FROM " + from) + body + ") WHERE \"_qualify\"";
  } else if (set_rhs_) {
    out.sql = "SELECT " + outer_list + " FROM (" + inner + ")";
  } else if (qualify.empty()) {
    if (peek().is("ORDER")) {
      ASSIGN_OR_RETURN(order, order_by(scope, {}));
    }
    ASSIGN_OR_RETURN(lim, limit_clause());
    out.sql = "SELECT " + outer_list + " FROM (" + inner + order + lim + ")";
  }
  return out;
}

core::Status Translator::from_clause(Scope& s, std::string& out) {
  RETURN_IF_ERROR(from_item(s, out));
  while (true) {
    if (accept(",")) {
      out += ", ";
      RETURN_IF_ERROR(from_item(s, out));
      continue;
    }
    std::string join;
    if (peek().is("JOIN")) join = "JOIN";
    else if (peek().is("INNER") && peek(1).is("JOIN")) { next(); join = "JOIN"; }
    else if (peek().is("CROSS") && peek(1).is("JOIN")) { next(); join = "CROSS JOIN"; }
    else if ((peek().is("LEFT") || peek().is("RIGHT") || peek().is("FULL"))) {
      join = upper(next().text) + " JOIN";
      accept("OUTER");
      if (!peek().is("JOIN")) return syntax(peek());
    }
    if (join.empty()) break;
    next();  // JOIN
    out += " " + join + " ";
    RETURN_IF_ERROR(from_item(s, out));
    if (accept("ON")) {
      ASSIGN_OR_RETURN(Expr on, expr(s));
      out += " ON " + on.sql;
    } else if (accept("USING")) {
      RETURN_IF_ERROR(expect("("));
      std::string cols;
      do cols += (cols.empty() ? "" : ", ") + quote_ident(next().text); while (accept(","));
      RETURN_IF_ERROR(expect(")"));
      out += " USING (" + cols + ")";
    } else if (join != "CROSS JOIN" && !(s.sources.back().value)) {
      return error(peek(), "Syntax error: Expected keyword ON or keyword USING but got \"" + peek().text + "\"");
    }
  }
  return core::Status::ok();
}

core::Status Translator::from_item(Scope& s, std::string& out) {
  const Token& start = peek();
  Source src;
  if (accept("UNNEST")) {
    RETURN_IF_ERROR(expect("("));
    Scope lookup = s;
    ASSIGN_OR_RETURN(Expr arr, expr(lookup));
    RETURN_IF_ERROR(expect(")"));
    if (!arr.type.repeated()) return error(start, "Values referenced in UNNEST must be arrays. UNNEST contains expression of type " + sql_type_name(arr.type));
    src.value = true;
    src.value_type = arr.type.element();
    src.alias = "$unnest";
    if (accept("AS") || (peek().kind == Tok::kIdent && !is_reserved(peek())) || peek().kind == Tok::kQuoted) src.alias = next().text;
    src.sql_alias = alias_for(src.alias);
    out += "json_each(" + arr.sql + ") AS " + src.sql_alias;
    src.value_sql = src.sql_alias + ".value";
    if (accept("WITH")) {
      RETURN_IF_ERROR(expect("OFFSET"));
      Source off;
      off.alias = "offset";
      if (accept("AS") || (peek().kind == Tok::kIdent && !is_reserved(peek()))) off.alias = next().text;
      off.value = true;
      off.value_type = scalar(Kind::kInt64);
      off.value_sql = src.sql_alias + ".key";
      off.sql_alias = src.sql_alias;
      s.sources.push_back(src);
      s.sources.push_back(off);
      return core::Status::ok();
    }
    s.sources.push_back(src);
    return core::Status::ok();
  }
  if (accept("(")) {
    if (!(peek().is("SELECT") || peek().is("WITH") || peek().is("("))) return syntax(peek());
    ASSIGN_OR_RETURN(Query q, query(&s));
    RETURN_IF_ERROR(expect(")"));
    src.columns = q.columns;
    src.alias = "$subquery";
    if (accept("AS") || (peek().kind == Tok::kIdent && !is_reserved(peek())) || peek().kind == Tok::kQuoted) src.alias = next().text;
    src.sql_alias = alias_for("sub");
    out += "(" + q.sql + ") AS " + src.sql_alias;
    s.sources.push_back(src);
    return core::Status::ok();
  }
  ASSIGN_OR_RETURN(auto parts, path(true));
  if (peek().is("FOR") && peek(1).is("SYSTEM_TIME")) return unsupported(peek(), "FOR SYSTEM_TIME AS OF");
  std::string default_alias = parts.back();
  // An array path on an earlier source: FROM t, t.arr
  bool array_path = false;
  if (parts.size() >= 2) {
    for (const auto& prev : s.sources)
      if (iequals(prev.alias, parts[0])) array_path = true;
  }
  if (array_path) {
    size_t saved = p_;
    (void)saved;
    Expr base;
    bool found = false;
    for (const auto& prev : s.sources) {
      if (!iequals(prev.alias, parts[0])) continue;
      if (prev.value) { base.sql = prev.value_sql; base.type = prev.value_type; found = true; }
      else if (auto* c = [&]() -> const Field* { for (auto& f : prev.columns) if (iequals(f.name, parts[1])) return &f; return nullptr; }()) {
        base.sql = prev.sql_alias + "." + quote_ident(c->name);
        base.type = *c;
        found = true;
        parts.erase(parts.begin());
      }
    }
    if (!found) return error(start, "Unrecognized name: " + parts[1]);
    for (size_t k = 1; k < parts.size(); ++k) {
      ASSIGN_OR_RETURN(base, field_access(base, parts[k], start));
    }
    if (!base.type.repeated()) return error(start, "Values referenced in FROM clause must be arrays");
    src.value = true;
    src.value_type = base.type.element();
    src.alias = default_alias;
    if (accept("AS") || (peek().kind == Tok::kIdent && !is_reserved(peek())) || peek().kind == Tok::kQuoted) src.alias = next().text;
    src.sql_alias = alias_for(src.alias);
    src.value_sql = src.sql_alias + ".value";
    out += "json_each(" + base.sql + ") AS " + src.sql_alias;
    s.sources.push_back(src);
    return core::Status::ok();
  }
  if (parts.size() == 1 && ctes_.count(upper(parts[0]))) {
    const Cte& c = ctes_[upper(parts[0])];
    src.columns = c.columns;
    src.sql_alias = alias_for(parts[0]);
    out += c.sql_name + " AS " + src.sql_alias;
  } else {
    size_t is = 0;
    for (size_t k = 0; k < parts.size(); ++k)
      if (iequals(parts[k], "INFORMATION_SCHEMA")) is = k + 1;
    if (is) {
      if (is != parts.size() - 1) return error(start, "Unsupported INFORMATION_SCHEMA reference");
      std::string project = is == 3 ? parts[0] : opt_.project;
      std::string dataset = is >= 2 ? parts[is - 2] : "";
      if (dataset.rfind("region-", 0) == 0) dataset.clear();
      ASSIGN_OR_RETURN(Query q, information_schema(project, dataset, upper(parts.back()), start));
      src.columns = q.columns;
      src.sql_alias = alias_for("info");
      out += "(" + q.sql + ") AS " + src.sql_alias;
    } else {
      ASSIGN_OR_RETURN(TableInfo info, resolve_table(parts, start));
      src.columns = info.schema;
      src.sql_alias = alias_for(info.ref.table);
      if (info.type == "VIEW") {
        if (view_depth_ > 16) return error(start, "Views nested too deeply");
        ASSIGN_OR_RETURN(auto toks, lex(info.view_query));
        Translator inner(std::move(toks), catalog_, opt_);
        inner.view_depth_ = view_depth_ + 1;
        inner.next_alias_ = 1000 * (view_depth_ + 1);  // its aliases never shadow this query's
        ASSIGN_OR_RETURN(Query q, inner.query(nullptr));
        src.columns = q.columns;
        out += "(" + q.sql + ") AS " + src.sql_alias;
        for (auto& r : inner.referenced_) referenced_.push_back(r);
      } else {
        out += data_table(info.ref) + " AS " + src.sql_alias;
        referenced_.push_back(info.ref);
        if (info.ingestion_time) {
          Field pt = scalar(Kind::kTimestamp);
          pt.name = "_PARTITIONTIME";
          Field pd = scalar(Kind::kDate);
          pd.name = "_PARTITIONDATE";
          src.hidden_columns = {pt, pd};
        }
      }
    }
  }
  src.alias = default_alias;
  if (accept("AS") || (peek().kind == Tok::kIdent && !is_reserved(peek())) || peek().kind == Tok::kQuoted) src.alias = next().text;
  if (peek().is("TABLESAMPLE")) return unsupported(peek(), "TABLESAMPLE");
  s.sources.push_back(src);
  return core::Status::ok();
}

core::StatusOr<TableInfo> Translator::resolve_table(const std::vector<std::string>& parts, const Token& at) {
  TableRef ref;
  if (parts.size() == 3) ref = {parts[0], parts[1], parts[2]};
  else if (parts.size() == 2) ref = {opt_.project, parts[0], parts[1]};
  else if (parts.size() == 1 && opt_.default_dataset) ref = {opt_.project, *opt_.default_dataset, parts[0]};
  else if (parts.size() == 1) return error(at, "Table \"" + parts[0] + "\" must be qualified with a dataset (e.g. dataset.table).");
  else return error(at, "Invalid table name: " + parts[0]);
  auto info = catalog_.table(ref);
  if (!info) {
    if (!catalog_.dataset_exists(ref.project, ref.dataset))
      return errors::not_found("Dataset " + ref.project + ":" + ref.dataset + " was not found in location US");
    return errors::not_found("Table " + ref.project + ":" + ref.dataset + "." + ref.table + " was not found in location US");
  }
  return *info;
}

core::StatusOr<Query> Translator::information_schema(const std::string& project, const std::string& dataset,
                                                     const std::string& view, const Token& at) {
  if (dataset.empty()) return error(at, "INFORMATION_SCHEMA views need a dataset qualifier in gcpsim (dataset.INFORMATION_SCHEMA." + view + ")");
  if (!catalog_.dataset_exists(project, dataset)) return errors::not_found("Dataset " + project + ":" + dataset + " was not found in location US");
  auto col = [](const char* n, Kind k) { Field f = scalar(k); f.name = n; return f; };
  Query q;
  std::vector<std::string> rows;
  if (view == "TABLES") {
    q.columns = {col("table_catalog", Kind::kString), col("table_schema", Kind::kString), col("table_name", Kind::kString),
                 col("table_type", Kind::kString)};
    for (const auto& t : catalog_.tables(project, dataset))
      rows.push_back("SELECT " + quote_text(project) + ", " + quote_text(dataset) + ", " + quote_text(t.ref.table) + ", " +
                     quote_text(t.type == "VIEW" ? "VIEW" : "BASE TABLE"));
  } else if (view == "COLUMNS") {
    q.columns = {col("table_catalog", Kind::kString), col("table_schema", Kind::kString), col("table_name", Kind::kString),
                 col("column_name", Kind::kString), col("ordinal_position", Kind::kInt64), col("is_nullable", Kind::kString),
                 col("data_type", Kind::kString)};
    for (const auto& t : catalog_.tables(project, dataset)) {
      int pos = 1;
      for (const auto& c : t.schema)
        rows.push_back("SELECT " + quote_text(project) + ", " + quote_text(dataset) + ", " + quote_text(t.ref.table) + ", " +
                       quote_text(c.name) + ", " + std::to_string(pos++) + ", " + quote_text(c.mode == "REQUIRED" ? "NO" : "YES") +
                       ", " + quote_text(sql_type_name(c)));
    }
  } else {
    return unsupported(at, "INFORMATION_SCHEMA." + view);
  }
  std::string names;
  for (size_t i = 0; i < q.columns.size(); ++i) names += (i ? ", " : "") + std::string("NULL AS ") + quote_ident(q.columns[i].name);
  std::string body = "SELECT " + names + " WHERE 0";
  for (const auto& r : rows) body += " UNION ALL " + r;
  q.sql = body;
  return q;
}

}  // namespace gcpsim::services::bigquery::sql

namespace gcpsim::services::bigquery {
core::StatusOr<Compiled> compile(const std::string& text, const Catalog& catalog, const CompileOptions& opt) {
  ASSIGN_OR_RETURN(auto toks, sql::lex(text));
  sql::Translator t(std::move(toks), catalog, opt);
  return t.statement();
}
}  // namespace gcpsim::services::bigquery
