// DML (INSERT, UPDATE, DELETE, MERGE) and DDL (CREATE TABLE [AS SELECT], CREATE VIEW,
// DROP TABLE/VIEW) over the catalog's tables. Values are coerced to the column types.
#include "services/bigquery/sql_translate.h"

#include "services/bigquery/errors.h"

namespace gcpsim::services::bigquery::sql {

core::StatusOr<TableInfo> Translator::target_table() {
  const Token& at = peek();
  ASSIGN_OR_RETURN(auto parts, path(true));
  ASSIGN_OR_RETURN(TableInfo info, resolve_table(parts, at));
  if (info.type == "VIEW") return error(at, "Cannot modify view " + info.ref.str());
  return info;
}

core::StatusOr<std::string> Translator::coerce_to(const Expr& e, const Field& to, const Token& at) {
  Expr c = coerce_literal(e, to);
  if (c.null_literal) return std::string("NULL");
  bool ok = c.type.kind == to.kind && c.type.repeated() == to.repeated();
  if (!ok && !to.repeated() && numeric_kind(to.kind) && numeric_kind(c.type.kind)) ok = to.kind != Kind::kInt64 || c.type.kind == Kind::kInt64;
  if (!ok)
    return error(at, "Value has type " + sql_type_name(c.type) + " which cannot be inserted into column " + to.name +
                         ", which has type " + sql_type_name(to));
  return c.sql;
}

core::StatusOr<Compiled> Translator::insert() {
  next();
  accept("INTO");
  ASSIGN_OR_RETURN(TableInfo info, target_table());
  Compiled c;
  c.kind = Compiled::Kind::kInsert;
  c.target = info.ref;
  std::vector<Field> cols;
  if (peek().is("(") && !(peek(1).is("SELECT") || peek(1).is("WITH"))) {
    next();
    do {
      const Token& n = next();
      const Field* f = nullptr;
      for (const auto& col : info.schema)
        if (iequals(col.name, n.text)) f = &col;
      if (!f) return error(n, "Column " + n.text + " is not present in table " + info.ref.str());
      cols.push_back(*f);
    } while (accept(","));
    RETURN_IF_ERROR(expect(")"));
  } else {
    cols = info.schema;
  }
  std::string names;
  for (const auto& f : cols) names += (names.empty() ? "" : ", ") + quote_ident(f.name);
  if (info.ingestion_time) names += ", \"_PARTITIONTIME\"";
  std::string pt = info.ingestion_time ? ", bq_trunc_time(bq_now(), 'DAY', 'TIMESTAMP')" : "";
  std::string sql = "INSERT INTO " + data_table(info.ref) + " (" + names + ") ";
  Scope empty;
  if (accept("VALUES")) {
    std::string rows;
    do {
      RETURN_IF_ERROR(expect("("));
      std::string row;
      for (size_t i = 0; i < cols.size(); ++i) {
        if (i) RETURN_IF_ERROR(expect(","));
        const Token& at = peek();
        std::string v;
        if (accept("DEFAULT")) v = "NULL";
        else {
          ASSIGN_OR_RETURN(Expr e, expr(empty));
          ASSIGN_OR_RETURN(v, coerce_to(e, cols[i], at));
        }
        row += (i ? ", " : "") + v;
      }
      if (peek().is(",")) return error(peek(), "Inserted row has wrong column count; Has " + std::to_string(cols.size() + 1) + ", expected " + std::to_string(cols.size()));
      RETURN_IF_ERROR(expect(")"));
      rows += (rows.empty() ? "" : ", ") + std::string("(") + row + pt + ")";
    } while (accept(","));
    sql += "VALUES " + rows;
  } else {
    const Token& at = peek();
    ASSIGN_OR_RETURN(Query q, query(nullptr));
    if (q.columns.size() != cols.size())
      return error(at, "Inserted row has wrong column count; Has " + std::to_string(q.columns.size()) + ", expected " + std::to_string(cols.size()));
    std::string list;
    for (size_t i = 0; i < cols.size(); ++i) {
      Expr e;
      e.sql = "\"_src\"." + quote_ident(q.columns[i].name);
      e.type = q.columns[i];
      ASSIGN_OR_RETURN(std::string v, coerce_to(e, cols[i], at));
      list += (i ? ", " : "") + v;
    }
    sql += "SELECT " + list + pt + " FROM (" + q.sql + ") AS \"_src\"";
  }
  c.sql.push_back(sql);
  return c;
}

namespace {
// UPDATE/DELETE name the target as SQLite's table with an alias the WHERE clause uses.
Source target_source(const TableInfo& info, const std::string& alias) {
  Source src;
  src.alias = alias;
  src.sql_alias = data_table(info.ref);
  src.columns = info.schema;
  return src;
}
}  // namespace

core::StatusOr<Compiled> Translator::update() {
  next();
  ASSIGN_OR_RETURN(TableInfo info, target_table());
  std::string alias = info.ref.table;
  if (accept("AS") || (peek().kind == Tok::kIdent && !peek().is("SET"))) alias = next().text;
  Scope s;
  s.sources.push_back(target_source(info, alias));
  RETURN_IF_ERROR(expect("SET"));
  std::string sets;
  do {
    const Token& n = next();
    const Field* f = nullptr;
    for (const auto& col : info.schema)
      if (iequals(col.name, n.text)) f = &col;
    if (peek().is(".") && iequals(n.text, alias)) {
      next();
      const Token& n2 = next();
      for (const auto& col : info.schema)
        if (iequals(col.name, n2.text)) f = &col;
    }
    if (!f) return error(n, "Unrecognized name: " + n.text);
    RETURN_IF_ERROR(expect("="));
    const Token& at = peek();
    ASSIGN_OR_RETURN(Expr e, expr(s));
    ASSIGN_OR_RETURN(std::string v, coerce_to(e, *f, at));
    sets += (sets.empty() ? "" : ", ") + quote_ident(f->name) + " = " + v;
  } while (accept(","));
  if (peek().is("FROM")) return unsupported(peek(), "UPDATE ... FROM");
  if (!accept("WHERE")) return error(peek(), "UPDATE must have a WHERE clause");
  ASSIGN_OR_RETURN(Expr w, expr(s));
  Compiled c;
  c.kind = Compiled::Kind::kUpdate;
  c.target = info.ref;
  c.sql.push_back("UPDATE " + data_table(info.ref) + " SET " + sets + " WHERE " + w.sql);
  return c;
}

core::StatusOr<Compiled> Translator::remove() {
  next();
  accept("FROM");
  ASSIGN_OR_RETURN(TableInfo info, target_table());
  std::string alias = info.ref.table;
  if (accept("AS") || (peek().kind == Tok::kIdent && !peek().is("WHERE"))) alias = next().text;
  Scope s;
  s.sources.push_back(target_source(info, alias));
  if (!accept("WHERE")) return error(peek(), "DELETE must have a WHERE clause");
  ASSIGN_OR_RETURN(Expr w, expr(s));
  Compiled c;
  c.kind = Compiled::Kind::kDelete;
  c.target = info.ref;
  c.sql.push_back("DELETE FROM " + data_table(info.ref) + " WHERE " + w.sql);
  return c;
}

// MERGE target USING source ON cond WHEN MATCHED [AND c] THEN UPDATE SET … | DELETE
// WHEN NOT MATCHED [BY TARGET] [AND c] THEN INSERT (cols) VALUES (…): run as UPDATE/DELETE
// over matching rows, then INSERT of the source rows that matched none, in one transaction.
core::StatusOr<Compiled> Translator::merge() {
  const Token& kw = next();
  accept("INTO");
  ASSIGN_OR_RETURN(TableInfo info, target_table());
  std::string talias = info.ref.table;
  if (accept("AS") || (peek().kind == Tok::kIdent && !peek().is("USING"))) talias = next().text;
  RETURN_IF_ERROR(expect("USING"));
  std::string src_sql;
  Source src;
  if (accept("(")) {
    ASSIGN_OR_RETURN(Query q, query(nullptr));
    RETURN_IF_ERROR(expect(")"));
    src_sql = "(" + q.sql + ")";
    src.columns = q.columns;
    src.alias = "$source";
  } else {
    const Token& at = peek();
    ASSIGN_OR_RETURN(auto parts, path(true));
    ASSIGN_OR_RETURN(TableInfo si, resolve_table(parts, at));
    src_sql = data_table(si.ref);
    src.columns = si.schema;
    src.alias = si.ref.table;
  }
  if (accept("AS") || (peek().kind == Tok::kIdent && !peek().is("ON"))) src.alias = next().text;
  src.sql_alias = "\"_msrc\"";
  Scope s;
  s.sources.push_back(target_source(info, talias));
  s.sources.push_back(src);
  RETURN_IF_ERROR(expect("ON"));
  ASSIGN_OR_RETURN(Expr on, expr(s));
  Compiled c;
  c.kind = Compiled::Kind::kMerge;
  c.target = info.ref;
  std::string matched_any = "EXISTS (SELECT 1 FROM " + src_sql + " AS \"_msrc\" WHERE " + on.sql + ")";
  while (accept("WHEN")) {
    bool matched = !accept("NOT");
    RETURN_IF_ERROR(expect("MATCHED"));
    if (!matched && accept("BY")) {
      if (!accept("TARGET")) return unsupported(peek(), "WHEN NOT MATCHED BY SOURCE");
    }
    std::string cond;
    if (accept("AND")) {
      ASSIGN_OR_RETURN(Expr e, expr(s));
      cond = e.sql;
    }
    RETURN_IF_ERROR(expect("THEN"));
    if (matched && accept("DELETE")) {
      c.sql.push_back("DELETE FROM " + data_table(info.ref) + " WHERE EXISTS (SELECT 1 FROM " + src_sql + " AS \"_msrc\" WHERE " + on.sql +
                      (cond.empty() ? "" : " AND " + cond) + ")");
    } else if (matched && accept("UPDATE")) {
      RETURN_IF_ERROR(expect("SET"));
      std::string sets;
      do {
        const Token& n = next();
        const Field* f = nullptr;
        for (const auto& col : info.schema)
          if (iequals(col.name, n.text)) f = &col;
        if (!f) return error(n, "Unrecognized name: " + n.text);
        RETURN_IF_ERROR(expect("="));
        const Token& at = peek();
        ASSIGN_OR_RETURN(Expr e, expr(s));
        ASSIGN_OR_RETURN(std::string v, coerce_to(e, *f, at));
        sets += (sets.empty() ? "" : ", ") + quote_ident(f->name) + " = (SELECT " + v + " FROM " + src_sql + " AS \"_msrc\" WHERE " + on.sql + " LIMIT 1)";
      } while (accept(","));
      c.sql.push_back("UPDATE " + data_table(info.ref) + " SET " + sets + " WHERE EXISTS (SELECT 1 FROM " + src_sql + " AS \"_msrc\" WHERE " +
                      on.sql + (cond.empty() ? "" : " AND " + cond) + ")");
    } else if (!matched && accept("INSERT")) {
      std::vector<Field> cols;
      if (accept("(")) {
        do {
          const Token& n = next();
          const Field* f = nullptr;
          for (const auto& col : info.schema)
            if (iequals(col.name, n.text)) f = &col;
          if (!f) return error(n, "Column " + n.text + " is not present in table " + info.ref.str());
          cols.push_back(*f);
        } while (accept(","));
        RETURN_IF_ERROR(expect(")"));
      } else {
        cols = info.schema;
      }
      Scope only_src;
      only_src.sources.push_back(src);
      std::string values, names;
      if (accept("ROW")) {
        for (size_t i = 0; i < cols.size(); ++i) values += (i ? ", " : "") + std::string("\"_msrc\".") + quote_ident(cols[i].name);
      } else {
        RETURN_IF_ERROR(expect("VALUES"));
        RETURN_IF_ERROR(expect("("));
        for (size_t i = 0; i < cols.size(); ++i) {
          if (i) RETURN_IF_ERROR(expect(","));
          const Token& at = peek();
          ASSIGN_OR_RETURN(Expr e, expr(only_src));
          ASSIGN_OR_RETURN(std::string v, coerce_to(e, cols[i], at));
          values += (i ? ", " : "") + v;
        }
        RETURN_IF_ERROR(expect(")"));
      }
      for (const auto& f : cols) names += (names.empty() ? "" : ", ") + quote_ident(f.name);
      // Target rows as they were before this statement's inserts decide "not matched".
      std::string tcopy = "\"_mtarget\"";
      std::string on_copy = on.sql;
      for (size_t pos = 0; (pos = on_copy.find(data_table(info.ref), pos)) != std::string::npos;) {
        on_copy.replace(pos, data_table(info.ref).size(), tcopy);
        pos += tcopy.size();
      }
      c.sql.insert(c.sql.begin(), "CREATE TEMP TABLE \"_mtarget\" AS SELECT * FROM " + data_table(info.ref));
      c.sql.push_back("INSERT INTO " + data_table(info.ref) + " (" + names + ") SELECT " + values + " FROM " + src_sql +
                      " AS \"_msrc\" WHERE NOT EXISTS (SELECT 1 FROM \"_mtarget\" WHERE " + on_copy + ")" + (cond.empty() ? "" : " AND " + cond));
      c.sql.push_back("DROP TABLE \"_mtarget\"");
    } else {
      return syntax(peek());
    }
  }
  if (c.sql.empty()) return error(kw, "MERGE needs at least one WHEN clause");
  (void)matched_any;
  return c;
}

core::StatusOr<Compiled> Translator::create() {
  next();
  Compiled c;
  if (accept("OR")) {
    RETURN_IF_ERROR(expect("REPLACE"));
    c.or_replace = true;
  }
  if (peek().is("TEMP") || peek().is("TEMPORARY")) return unsupported(peek(), "CREATE TEMP TABLE");
  bool view = false;
  if (accept("VIEW")) view = true;
  else if (!accept("TABLE")) return unsupported(peek(), "CREATE " + upper(peek().text));
  if (accept("IF")) {
    RETURN_IF_ERROR(expect("NOT"));
    RETURN_IF_ERROR(expect("EXISTS"));
    c.if_not_exists = true;
  }
  const Token& at = peek();
  ASSIGN_OR_RETURN(auto parts, path(true));
  if (parts.size() == 2) c.target = {opt_.project, parts[0], parts[1]};
  else if (parts.size() == 3) c.target = {parts[0], parts[1], parts[2]};
  else if (parts.size() == 1 && opt_.default_dataset) c.target = {opt_.project, *opt_.default_dataset, parts[0]};
  else return error(at, "Table \"" + parts[0] + "\" must be qualified with a dataset (e.g. dataset.table).");
  if (!catalog_.dataset_exists(c.target.project, c.target.dataset))
    return errors::not_found("Dataset " + c.target.project + ":" + c.target.dataset + " was not found in location US");
  if (view) {
    c.kind = Compiled::Kind::kCreateView;
    RETURN_IF_ERROR(expect("AS"));
    size_t from = p_;
    ASSIGN_OR_RETURN(Query q, query(nullptr));
    c.schema = q.columns;
    // The view's text is kept as written: it is translated again when queried.
    std::string text;
    for (size_t k = from; k < p_; ++k) {
      const Token& t = t_[k];
      if (t.kind == Tok::kString) text += quote_text(t.text);
      else if (t.kind == Tok::kQuoted) text += "`" + t.text + "`";
      else if (t.kind == Tok::kParam) return error(t, "Query parameters cannot be used in a view definition");
      else text += t.text;
      text += " ";
    }
    c.view_query = text;
    return c;
  }
  c.kind = Compiled::Kind::kCreateTable;
  if (accept("(")) {
    do {
      const Token& n = next();
      if (n.kind != Tok::kIdent && n.kind != Tok::kQuoted) return syntax(n);
      ASSIGN_OR_RETURN(Field f, type_name());
      f.name = n.text;
      if (accept("NOT")) {
        RETURN_IF_ERROR(expect("NULL"));
        if (f.repeated()) return error(n, "NOT NULL cannot be applied to ARRAY column " + n.text);
        f.mode = "REQUIRED";
      }
      if (accept("OPTIONS")) {
        while (!peek().is(")") && peek().kind != Tok::kEnd) next();
        RETURN_IF_ERROR(expect(")"));
      }
      c.schema.push_back(f);
    } while (accept(","));
    RETURN_IF_ERROR(expect(")"));
  }
  while (peek().is("PARTITION") || peek().is("CLUSTER") || peek().is("OPTIONS")) {
    if (accept("OPTIONS")) {
      RETURN_IF_ERROR(expect("("));
      int depth = 1;
      while (depth > 0 && peek().kind != Tok::kEnd) {
        const Token& t = next();
        if (t.is("(")) ++depth;
        if (t.is(")")) --depth;
      }
      continue;
    }
    next();
    RETURN_IF_ERROR(expect("BY"));
    Scope cols;
    Source src;
    src.columns = c.schema;
    src.sql_alias = "\"_t\"";
    cols.sources.push_back(src);
    do {
      int depth = 0;
      while (peek().kind != Tok::kEnd && !(depth == 0 && (peek().is(",") || peek().is("CLUSTER") || peek().is("OPTIONS") || peek().is("AS")))) {
        if (peek().is("(")) ++depth;
        if (peek().is(")")) --depth;
        next();
      }
    } while (accept(","));
  }
  if (accept("AS")) {
    const Token& qat = peek();
    ASSIGN_OR_RETURN(Query q, query(nullptr));
    if (c.schema.empty()) {
      c.schema = q.columns;
    } else if (c.schema.size() != q.columns.size()) {
      return error(qat, "The number of columns in the column definition list does not match the number of columns produced by the query");
    }
    c.view_query = q.sql;  // the SELECT that fills the new table
  } else if (c.schema.empty()) {
    return error(peek(), "CREATE TABLE needs a column list or AS SELECT");
  }
  return c;
}

core::StatusOr<Compiled> Translator::drop() {
  next();
  Compiled c;
  if (accept("VIEW")) c.kind = Compiled::Kind::kDropView;
  else if (accept("TABLE")) c.kind = Compiled::Kind::kDropTable;
  else return unsupported(peek(), "DROP " + upper(peek().text));
  if (accept("IF")) {
    RETURN_IF_ERROR(expect("EXISTS"));
    c.if_exists = true;
  }
  const Token& at = peek();
  ASSIGN_OR_RETURN(auto parts, path(true));
  if (parts.size() == 2) c.target = {opt_.project, parts[0], parts[1]};
  else if (parts.size() == 3) c.target = {parts[0], parts[1], parts[2]};
  else if (parts.size() == 1 && opt_.default_dataset) c.target = {opt_.project, *opt_.default_dataset, parts[0]};
  else return error(at, "Table \"" + parts[0] + "\" must be qualified with a dataset (e.g. dataset.table).");
  return c;
}

core::StatusOr<Field> parse_type(const std::string& text) {
  ASSIGN_OR_RETURN(auto toks, lex(text));
  static const Catalog* none = nullptr;
  (void)none;
  struct Empty : Catalog {
    std::optional<TableInfo> table(const TableRef&) const override { return std::nullopt; }
    std::vector<TableInfo> tables(const std::string&, const std::string&) const override { return {}; }
    bool dataset_exists(const std::string&, const std::string&) const override { return false; }
  } empty;
  CompileOptions opt;
  Translator t(std::move(toks), empty, opt);
  return t.type_name();
}

}  // namespace gcpsim::services::bigquery::sql

namespace gcpsim::services::bigquery {
core::StatusOr<Field> parse_type(const std::string& text) { return sql::parse_type(text); }
}  // namespace gcpsim::services::bigquery
