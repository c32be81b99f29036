// GoogleSQL expressions → SQLite expressions, typed: operators by precedence, literals,
// parameters, names and struct fields, CASE, CAST, STRUCT and ARRAY values, subqueries.
#include "services/bigquery/sql_translate.h"

#include "services/bigquery/civil.h"
#include "services/bigquery/errors.h"
#include "services/bigquery/values.h"

namespace gcpsim::services::bigquery::sql {

std::string json_path(const std::string& field) { return quote_text("$.\"" + field + "\""); }
bool numeric_kind(Kind k) { return k == Kind::kInt64 || k == Kind::kFloat64 || k == Kind::kNumeric || k == Kind::kBigNumeric; }
Field result_of_arith(const Field& a, const Field& b) {
  if (a.kind == Kind::kFloat64 || b.kind == Kind::kFloat64) return scalar(Kind::kFloat64);
  if (a.kind == Kind::kBigNumeric || b.kind == Kind::kBigNumeric) return scalar(Kind::kBigNumeric);
  if (a.kind == Kind::kNumeric || b.kind == Kind::kNumeric) return scalar(Kind::kNumeric);
  return scalar(Kind::kInt64);
}
std::string as_json_arg(const Expr& e) {
  if (e.type.repeated() || e.type.is_struct()) return "json(" + e.sql + ")";
  if (e.type.kind == Kind::kBool) return "(CASE WHEN " + e.sql + " IS NULL THEN NULL WHEN " + e.sql + " THEN json('true') ELSE json('false') END)";
  return e.sql;
}

namespace {
Expr make(std::string sql, Field type) {
  Expr e;
  e.sql = std::move(sql);
  e.type = std::move(type);
  return e;
}
}  // namespace

core::StatusOr<Expr> Translator::expr(const Scope& s) { return or_expr(s); }

core::StatusOr<Expr> Translator::or_expr(const Scope& s) {
  ASSIGN_OR_RETURN(Expr l, and_expr(s));
  while (accept("OR")) {
    ASSIGN_OR_RETURN(Expr r, and_expr(s));
    l = make("(" + l.sql + " OR " + r.sql + ")", scalar(Kind::kBool));
    l.aggregate = true && (l.aggregate || r.aggregate);
  }
  return l;
}

core::StatusOr<Expr> Translator::and_expr(const Scope& s) {
  ASSIGN_OR_RETURN(Expr l, not_expr(s));
  while (accept("AND")) {
    ASSIGN_OR_RETURN(Expr r, not_expr(s));
    bool agg = l.aggregate || r.aggregate;
    l = make("(" + l.sql + " AND " + r.sql + ")", scalar(Kind::kBool));
    l.aggregate = agg;
  }
  return l;
}

core::StatusOr<Expr> Translator::not_expr(const Scope& s) {
  if (accept("NOT")) {
    ASSIGN_OR_RETURN(Expr e, not_expr(s));
    bool agg = e.aggregate;
    e = make("(NOT " + e.sql + ")", scalar(Kind::kBool));
    e.aggregate = agg;
    return e;
  }
  return comparison(s);
}

Expr Translator::coerce_literal(const Expr& e, const Field& to) {
  if (!e.string_literal || to.repeated()) return e;
  if (to.kind == Kind::kTimestamp) {
    if (auto t = civil::parse_timestamp(*e.string_literal)) return make(std::to_string(*t), to);
  } else if (to.kind == Kind::kDate) {
    if (auto d = civil::normal_date(*e.string_literal)) return make(quote_text(*d), to);
  } else if (to.kind == Kind::kDatetime) {
    if (auto d = civil::normal_datetime(*e.string_literal)) return make(quote_text(*d), to);
  } else if (to.kind == Kind::kTime) {
    if (auto d = civil::normal_time(*e.string_literal)) return make(quote_text(*d), to);
  }
  return e;
}

core::StatusOr<Expr> Translator::comparison(const Scope& s) {
  ASSIGN_OR_RETURN(Expr l, additive(s));
  while (true) {
    const Token& op = peek();
    bool negate = false;
    if (op.is("NOT") && (peek(1).is("LIKE") || peek(1).is("IN") || peek(1).is("BETWEEN"))) { next(); negate = true; }
    const Token& o = peek();
    std::string n = negate ? "NOT " : "";
    if (o.is("=") || o.is("!=") || o.is("<>") || o.is("<") || o.is(">") || o.is("<=") || o.is(">=")) {
      next();
      ASSIGN_OR_RETURN(Expr r, additive(s));
      Expr lc = coerce_literal(l, r.type), rc = coerce_literal(r, l.type);
      bool comparable = lc.type.kind == rc.type.kind || (numeric_kind(lc.type.kind) && numeric_kind(rc.type.kind)) ||
                        lc.null_literal || rc.null_literal;
      if (!comparable || lc.type.repeated() || rc.type.repeated())
        return error(o, "No matching signature for operator " + o.text + " for argument types: " + sql_type_name(lc.type) + ", " + sql_type_name(rc.type));
      std::string sop = o.is("!=") ? "<>" : o.text;
      bool agg = l.aggregate || r.aggregate;
      l = make("(" + lc.sql + " " + sop + " " + rc.sql + ")", scalar(Kind::kBool));
      l.aggregate = agg;
    } else if (o.is("LIKE")) {
      next();
      ASSIGN_OR_RETURN(Expr r, additive(s));
      l = make("(" + n + "bq_like(" + l.sql + ", " + r.sql + "))", scalar(Kind::kBool));
    } else if (o.is("BETWEEN")) {
      next();
      ASSIGN_OR_RETURN(Expr lo, additive(s));
      RETURN_IF_ERROR(expect("AND"));
      ASSIGN_OR_RETURN(Expr hi, additive(s));
      lo = coerce_literal(lo, l.type);
      hi = coerce_literal(hi, l.type);
      l = make("(" + l.sql + " " + n + "BETWEEN " + lo.sql + " AND " + hi.sql + ")", scalar(Kind::kBool));
    } else if (o.is("IN")) {
      next();
      ASSIGN_OR_RETURN(std::string list, in_list(s, l));
      l = make("(" + l.sql + " " + n + "IN " + list + ")", scalar(Kind::kBool));
    } else if (o.is("IS") && !negate) {
      next();
      bool isnot = accept("NOT");
      const Token& what = next();
      if (what.is("NULL")) l = make("(" + l.sql + (isnot ? " IS NOT NULL)" : " IS NULL)"), scalar(Kind::kBool));
      else if (what.is("TRUE")) l = make("(" + l.sql + (isnot ? " IS NOT 1)" : " IS 1)"), scalar(Kind::kBool));
      else if (what.is("FALSE")) l = make("(" + l.sql + (isnot ? " IS NOT 0)" : " IS 0)"), scalar(Kind::kBool));
      else return syntax(what);
    } else {
      if (negate) return syntax(o);
      break;
    }
  }
  return l;
}

core::StatusOr<std::string> Translator::in_list(const Scope& s, const Expr& lhs) {
  if (accept("UNNEST")) {
    RETURN_IF_ERROR(expect("("));
    ASSIGN_OR_RETURN(Expr arr, expr(s));
    RETURN_IF_ERROR(expect(")"));
    if (!arr.type.repeated()) return error(peek(), "Values referenced in UNNEST must be arrays");
    return "(SELECT value FROM json_each(" + arr.sql + "))";
  }
  RETURN_IF_ERROR(expect("("));
  if (peek().is("SELECT") || peek().is("WITH")) {
    ASSIGN_OR_RETURN(Query q, query(&s));
    RETURN_IF_ERROR(expect(")"));
    return "(" + q.sql + ")";
  }
  std::string out = "(";
  do {
    ASSIGN_OR_RETURN(Expr e, expr(s));
    e = coerce_literal(e, lhs.type);
    out += (out.size() > 1 ? ", " : "") + e.sql;
  } while (accept(","));
  RETURN_IF_ERROR(expect(")"));
  return out + ")";
}

core::StatusOr<Expr> Translator::additive(const Scope& s) {
  ASSIGN_OR_RETURN(Expr l, multiplicative(s));
  while (peek().is("+") || peek().is("-")) {
    const Token& op = next();
    ASSIGN_OR_RETURN(Expr r, multiplicative(s));
    bool agg = l.aggregate || r.aggregate;
    if (l.type.kind == Kind::kDate && r.type.kind == Kind::kInt64) {
      l = make("bq_date_add(" + l.sql + ", " + (op.is("-") ? "-" : "") + "(" + r.sql + "), 'DAY')", scalar(Kind::kDate));
    } else if (!numeric_kind(l.type.kind) && !l.null_literal) {
      return error(op, "No matching signature for operator " + op.text + " for argument types: " + sql_type_name(l.type) + ", " + sql_type_name(r.type));
    } else {
      l = make("(" + l.sql + " " + op.text + " " + r.sql + ")", result_of_arith(l.type, r.type));
    }
    l.aggregate = agg;
  }
  return l;
}

core::StatusOr<Expr> Translator::multiplicative(const Scope& s) {
  ASSIGN_OR_RETURN(Expr l, unary(s));
  while (peek().is("*") || peek().is("/") || peek().is("||")) {
    const Token& op = next();
    ASSIGN_OR_RETURN(Expr r, unary(s));
    bool agg = l.aggregate || r.aggregate;
    if (op.is("||")) {
      if (l.type.repeated()) l = make("bq_array_concat(" + l.sql + ", " + r.sql + ")", l.type);
      else l = make("(" + l.sql + " || " + r.sql + ")", scalar(Kind::kString));
    } else if (op.is("/")) {
      Field t = result_of_arith(l.type, r.type);
      if (t.kind == Kind::kInt64) t.kind = Kind::kFloat64;
      l = make("bq_div(" + l.sql + ", " + r.sql + ")", t);
    } else {
      l = make("(" + l.sql + " * " + r.sql + ")", result_of_arith(l.type, r.type));
    }
    l.aggregate = agg;
  }
  return l;
}

core::StatusOr<Expr> Translator::unary(const Scope& s) {
  if (accept("-")) {
    ASSIGN_OR_RETURN(Expr e, unary(s));
    e.sql = "(-" + e.sql + ")";
    e.string_literal.reset();
    return e;
  }
  if (accept("+")) return unary(s);
  if (peek().is("~")) return unsupported(peek(), "The bitwise operator ~");
  return postfix(s);
}

core::StatusOr<Expr> Translator::postfix(const Scope& s) {
  ASSIGN_OR_RETURN(Expr e, primary(s));
  while (true) {
    if (peek().is(".") && (peek(1).kind == Tok::kIdent || peek(1).kind == Tok::kQuoted)) {
      next();
      const Token& f = next();
      ASSIGN_OR_RETURN(e, field_access(e, f.text, f));
    } else if (peek().is("[")) {
      const Token& at = next();
      if (!e.type.repeated()) {
        if (e.type.kind == Kind::kJson) {
          ASSIGN_OR_RETURN(Expr k, expr(s));
          RETURN_IF_ERROR(expect("]"));
          e = make("(" + e.sql + " -> " + (k.type.kind == Kind::kString ? "('$.\"' || " + k.sql + " || '\"')" : "('$[' || " + k.sql + " || ']')") + ")", scalar(Kind::kJson));
          continue;
        }
        return error(at, "Array element access with array[position] is not supported on type " + sql_type_name(e.type));
      }
      std::string mode = "OFFSET";
      std::string idx;
      if (peek().kind == Tok::kIdent && (peek().is("OFFSET") || peek().is("ORDINAL") || peek().is("SAFE_OFFSET") || peek().is("SAFE_ORDINAL")) && peek(1).is("(")) {
        mode = upper(next().text);
        next();
        ASSIGN_OR_RETURN(Expr i, expr(s));
        RETURN_IF_ERROR(expect(")"));
        idx = i.sql;
      } else {
        ASSIGN_OR_RETURN(Expr i, expr(s));
        idx = i.sql;
      }
      RETURN_IF_ERROR(expect("]"));
      bool safe = mode.rfind("SAFE_", 0) == 0;
      bool ordinal = mode.find("ORDINAL") != std::string::npos;
      Field el = e.type.element();
      e = make("bq_array_at(" + e.sql + ", " + idx + ", " + (ordinal ? "1" : "0") + ", " + (safe ? "1" : "0") + ")", el);
    } else {
      break;
    }
  }
  return e;
}

core::StatusOr<Expr> Translator::field_access(Expr base, const std::string& name, const Token& at) {
  if (base.type.kind == Kind::kJson && !base.type.repeated())
    return make("(" + base.sql + " -> " + json_path(name) + ")", scalar(Kind::kJson));
  if (!base.type.is_struct() || base.type.repeated())
    return error(at, "Cannot access field " + name + " on a value with type " + sql_type_name(base.type));
  const Field* f = base.type.find(name);
  if (!f) return error(at, "Field name " + name + " does not exist in " + sql_type_name(base.type));
  Field t = *f;
  Expr out;
  if (t.repeated() || t.is_struct()) out = make("(" + base.sql + " -> " + json_path(f->name) + ")", t);
  else out = make("json_extract(" + base.sql + ", " + json_path(f->name) + ")", t);
  out.name = f->name;
  out.aggregate = base.aggregate;
  return out;
}

core::StatusOr<Expr> Translator::identifier(const Scope& s) {
  const Token& first = peek();
  ASSIGN_OR_RETURN(auto parts, path());
  if (!parts.empty() && iequals(parts[0], "_PARTITIONTIME")) {}
  for (const Scope* sc = &s; sc; sc = sc->outer) {
    // An alias of a FROM item.
    for (const auto& src : sc->sources) {
      if (!iequals(src.alias, parts[0])) continue;
      size_t k = 1;
      Expr e;
      if (src.value) {
        e = make(src.value_sql, src.value_type);
        e.name = src.alias;
      } else if (parts.size() == 1) {
        // The whole row as a STRUCT.
        Field row = scalar(Kind::kStruct);
        std::string obj;
        for (const auto& c : src.columns) {
          row.fields.push_back(c);
          Expr ce = make(src.sql_alias + "." + quote_ident(c.name), c);
          obj += (obj.empty() ? "" : ", ") + quote_text(c.name) + ", " + as_json_arg(ce);
        }
        e = make("json_object(" + obj + ")", row);
        e.name = src.alias;
      } else {
        const Field* col = nullptr;
        for (const auto& c : src.columns) if (iequals(c.name, parts[1])) col = &c;
        for (const auto& c : src.hidden_columns) if (iequals(c.name, parts[1])) col = &c;
        if (!col) return error(first, "Name " + parts[1] + " not found inside " + parts[0]);
        e = make(src.sql_alias + "." + quote_ident(col->name), *col);
        e.name = col->name;
        if (iequals(col->name, "_PARTITIONDATE")) e.sql = "bq_date_of(" + src.sql_alias + ".\"_PARTITIONTIME\")";
        k = 2;
      }
      for (; k < parts.size(); ++k) {
        ASSIGN_OR_RETURN(e, field_access(e, parts[k], first));
      }
      return e;
    }
    // A column of exactly one FROM item.
    const Field* found = nullptr;
    const Source* owner = nullptr;
    for (const auto& src : sc->sources) {
      auto match = [&](const Schema& cols) {
        for (const auto& c : cols)
          if (iequals(c.name, parts[0])) return &c;
        return static_cast<const Field*>(nullptr);
      };
      const Field* c = src.value ? nullptr : match(src.columns);
      if (!c && !src.value) c = match(src.hidden_columns);
      if (!c) continue;
      if (found) return error(first, "Column name " + parts[0] + " is ambiguous");
      found = c;
      owner = &src;
    }
    if (found) {
      Expr e = make(owner->sql_alias + "." + quote_ident(found->name), *found);
      if (iequals(found->name, "_PARTITIONDATE")) e.sql = "bq_date_of(" + owner->sql_alias + ".\"_PARTITIONTIME\")";
      e.name = found->name;
      for (size_t k = 1; k < parts.size(); ++k) {
        ASSIGN_OR_RETURN(e, field_access(e, parts[k], first));
      }
      return e;
    }
    // A select-list alias (ORDER BY, QUALIFY, HAVING).
    for (const auto& [name, ae] : sc->aliases) {
      if (!iequals(name, parts[0])) continue;
      Expr e = ae;
      e.aggregate = false;
      if (e.sql.find('(') != std::string::npos || e.sql.find(' ') != std::string::npos) e.sql = "(" + e.sql + ")";
      for (size_t k = 1; k < parts.size(); ++k) {
        ASSIGN_OR_RETURN(e, field_access(e, parts[k], first));
      }
      return e;
    }
  }
  return error(first, "Unrecognized name: " + parts[0]);
}

core::StatusOr<Expr> Translator::literal_of(const Field& type, const Json& v) {
  if (v.is_null()) {
    Expr e = make("NULL", type);
    return e;
  }
  if (type.repeated() || type.is_struct()) return make(quote_text(v.dump()), type);
  if (v.is_number_integer()) return make(std::to_string(v.get<int64_t>()), type);
  if (v.is_number()) return make("(" + java_double(v.get<double>()) + ")", type);
  if (v.is_boolean()) return make(v.get<bool>() ? "1" : "0", type);
  return make(quote_text(v.get<std::string>()), type);
}

core::StatusOr<Expr> Translator::parameter(const Token& t) {
  const Parameter* p = nullptr;
  if (t.kind == Tok::kParam) {
    if (!opt_.named_params) return error(t, "Named parameters are not allowed with parameterMode POSITIONAL");
    for (const auto& q : opt_.params)
      if (iequals(q.name, t.text)) p = &q;
    if (!p) return error(t, "Query parameter '" + t.text + "' not found");
  } else {
    if (opt_.named_params && !opt_.params.empty() && !opt_.params[0].name.empty())
      return error(t, "Positional parameters are not allowed with parameterMode NAMED");
    if (positional_ >= opt_.params.size()) return error(t, "Query parameter number " + std::to_string(positional_ + 1) + " not found");
    p = &opt_.params[positional_++];
  }
  return literal_of(p->type, p->value);
}

core::StatusOr<Expr> Translator::subquery_expr(const Scope& s) {
  ASSIGN_OR_RETURN(Query q, query(&s));
  RETURN_IF_ERROR(expect(")"));
  if (q.columns.size() != 1) return error(peek(), "Scalar subquery cannot have more than one column unless using SELECT AS STRUCT to build STRUCT values");
  return make("(" + q.sql + ")", q.columns[0]);
}

core::StatusOr<Expr> Translator::case_expr(const Scope& s) {
  std::string out = "CASE";
  std::optional<Expr> subject;
  if (!peek().is("WHEN")) {
    ASSIGN_OR_RETURN(Expr v, expr(s));
    out += " " + v.sql;
    subject = v;
  }
  Field type;
  bool typed = false, agg = false;
  while (accept("WHEN")) {
    ASSIGN_OR_RETURN(Expr c, expr(s));
    if (subject) c = coerce_literal(c, subject->type);
    RETURN_IF_ERROR(expect("THEN"));
    ASSIGN_OR_RETURN(Expr v, expr(s));
    if (!typed && !v.null_literal) type = v.type, typed = true;
    else if (typed && numeric_kind(type.kind) && numeric_kind(v.type.kind)) type = result_of_arith(type, v.type);
    agg = agg || c.aggregate || v.aggregate;
    out += " WHEN " + c.sql + " THEN " + v.sql;
  }
  if (accept("ELSE")) {
    ASSIGN_OR_RETURN(Expr v, expr(s));
    if (!typed && !v.null_literal) type = v.type, typed = true;
    agg = agg || v.aggregate;
    out += " ELSE " + v.sql;
  }
  RETURN_IF_ERROR(expect("END"));
  if (!typed) type = scalar(Kind::kInt64);
  Expr e = make(out + " END", type);
  e.aggregate = agg;
  return e;
}

core::StatusOr<Expr> Translator::struct_expr(const Scope& s, std::vector<std::string> names, std::vector<Field> types) {
  Field t = scalar(Kind::kStruct);
  std::string obj;
  size_t i = 0;
  bool agg = false;
  if (!peek().is(")")) {
    do {
      ASSIGN_OR_RETURN(Expr e, expr(s));
      std::string name = i < names.size() ? names[i] : "";
      if (accept("AS")) name = next().text;
      if (name.empty()) name = e.name;
      Field f = i < types.size() ? types[i] : e.type;
      if (i < types.size()) e = coerce_literal(e, f);
      f.name = name;
      t.fields.push_back(f);
      obj += (obj.empty() ? "" : ", ") + quote_text(name.empty() ? "_field_" + std::to_string(i + 1) : name) + ", " + as_json_arg(e);
      agg = agg || e.aggregate;
      ++i;
    } while (accept(","));
  }
  RETURN_IF_ERROR(expect(")"));
  Expr e = make("json_object(" + obj + ")", t);
  e.aggregate = agg;
  return e;
}

core::StatusOr<Expr> Translator::array_literal(const Scope& s, std::optional<Field> element) {
  std::string items;
  Field el = element ? *element : scalar(Kind::kInt64);
  bool typed = element.has_value(), agg = false;
  if (!peek().is("]")) {
    do {
      ASSIGN_OR_RETURN(Expr e, expr(s));
      if (typed) e = coerce_literal(e, el);
      if (!typed && !e.null_literal) el = e.type, typed = true;
      else if (typed && numeric_kind(el.kind) && numeric_kind(e.type.kind) && !element) el = result_of_arith(el, e.type);
      if (e.type.repeated()) return error(peek(), "Cannot construct array with element type " + sql_type_name(e.type) + " because nested arrays are not supported");
      items += (items.empty() ? "" : ", ") + as_json_arg(e);
      agg = agg || e.aggregate;
    } while (accept(","));
  }
  RETURN_IF_ERROR(expect("]"));
  el.name.clear();
  Expr e = make("json_array(" + items + ")", el.array_of());
  e.aggregate = agg;
  return e;
}

core::StatusOr<Field> Translator::type_name() {
  const Token& t = next();
  if (t.is("ARRAY")) {
    RETURN_IF_ERROR(expect("<"));
    ASSIGN_OR_RETURN(Field el, type_name());
    RETURN_IF_ERROR(expect(">"));
    if (el.repeated()) return error(t, "Arrays of arrays are not supported");
    return el.array_of();
  }
  if (t.is("STRUCT")) {
    Field f = scalar(Kind::kStruct);
    RETURN_IF_ERROR(expect("<"));
    do {
      Field sub;
      if ((peek().kind == Tok::kIdent || peek().kind == Tok::kQuoted) && !(peek(1).is(",") || peek(1).is(">") || peek(1).is("<"))) {
        std::string n = next().text;
        ASSIGN_OR_RETURN(sub, type_name());
        sub.name = n;
      } else {
        ASSIGN_OR_RETURN(sub, type_name());
      }
      f.fields.push_back(sub);
    } while (accept(","));
    RETURN_IF_ERROR(expect(">"));
    return f;
  }
  auto k = t.kind == Tok::kIdent ? kind_of(t.text) : std::nullopt;
  if (!k || *k == Kind::kStruct) return error(t, "Type not found: " + t.text);
  if (accept("(")) {  // STRING(10), NUMERIC(10, 2): parameters kept out
    while (!peek().is(")") && peek().kind != Tok::kEnd) next();
    RETURN_IF_ERROR(expect(")"));
  }
  return scalar(*k);
}

core::StatusOr<Expr> Translator::primary(const Scope& s) {
  const Token& t = peek();
  switch (t.kind) {
    case Tok::kInt: {
      next();
      Expr e = make(t.text, scalar(Kind::kInt64));
      return e;
    }
    case Tok::kFloat: next(); return make("(" + t.text + ")", scalar(Kind::kFloat64));
    case Tok::kString: {
      next();
      Expr e = make(quote_text(t.text), scalar(Kind::kString));
      e.string_literal = t.text;
      return e;
    }
    case Tok::kBytes: next(); return make(quote_text(base64_encode(t.text)), scalar(Kind::kBytes));
    case Tok::kParam: case Tok::kPositional: next(); return parameter(t);
    case Tok::kQuoted: return identifier(s);
    case Tok::kEnd: return syntax(t);
    case Tok::kOp:
      if (accept("(")) {
        if (peek().is("SELECT") || peek().is("WITH")) return subquery_expr(s);
        ASSIGN_OR_RETURN(Expr e, expr(s));
        if (peek().is(",")) {  // a tuple: an anonymous STRUCT
          std::string obj = quote_text(e.name.empty() ? "_field_1" : e.name) + ", " + as_json_arg(e);
          Field st = scalar(Kind::kStruct);
          Field f0 = e.type;
          f0.name = e.name;
          st.fields.push_back(f0);
          while (accept(",")) {
            ASSIGN_OR_RETURN(Expr x, expr(s));
            Field f = x.type;
            f.name = x.name;
            st.fields.push_back(f);
            obj += ", " + quote_text(x.name.empty() ? "_field_" + std::to_string(st.fields.size()) : x.name) + ", " + as_json_arg(x);
          }
          RETURN_IF_ERROR(expect(")"));
          return make("json_object(" + obj + ")", st);
        }
        RETURN_IF_ERROR(expect(")"));
        e.sql = "(" + e.sql + ")";
        e.string_literal.reset();
        return e;
      }
      if (accept("[")) return array_literal(s, std::nullopt);
      return syntax(t);
    case Tok::kIdent: break;
  }
  if (t.is("NULL")) { next(); Expr e = make("NULL", scalar(Kind::kInt64)); e.null_literal = true; return e; }
  if (t.is("TRUE")) { next(); return make("1", scalar(Kind::kBool)); }
  if (t.is("FALSE")) { next(); return make("0", scalar(Kind::kBool)); }
  if (t.is("CASE")) { next(); return case_expr(s); }
  if (t.is("EXISTS") && peek(1).is("(")) {
    next(), next();
    ASSIGN_OR_RETURN(Query q, query(&s));
    RETURN_IF_ERROR(expect(")"));
    return make("EXISTS (" + q.sql + ")", scalar(Kind::kBool));
  }
  if (t.is("INTERVAL")) return unsupported(t, "An INTERVAL value outside TIMESTAMP_ADD/SUB, DATE_ADD/SUB and DATETIME_ADD/SUB");
  if ((t.is("DATE") || t.is("TIMESTAMP") || t.is("DATETIME") || t.is("TIME") || t.is("NUMERIC") || t.is("BIGNUMERIC") || t.is("JSON")) &&
      peek(1).kind == Tok::kString) {
    next();
    const Token& lit = next();
    Kind k = *kind_of(t.text);
    auto stored = stored_json(scalar(k), Json(lit.text), false, "");
    if (!stored.ok()) return error(lit, "Invalid " + upper(t.text) + " literal: " + lit.text);
    return literal_of(scalar(k), *stored);
  }
  if (t.is("STRUCT") && (peek(1).is("(") || peek(1).is("<"))) {
    next();
    std::vector<std::string> names;
    std::vector<Field> types;
    if (peek().is("<")) {
      --p_;
      ASSIGN_OR_RETURN(Field st, type_name());
      for (const auto& f : st.fields) names.push_back(f.name), types.push_back(f);
    }
    RETURN_IF_ERROR(expect("("));
    return struct_expr(s, names, types);
  }
  if (t.is("ARRAY") && (peek(1).is("[") || peek(1).is("<"))) {
    std::optional<Field> el;
    if (peek(1).is("<")) {
      ASSIGN_OR_RETURN(Field at, type_name());
      el = at.element();
    } else {
      next();
    }
    RETURN_IF_ERROR(expect("["));
    return array_literal(s, el);
  }
  if (t.is("ARRAY") && peek(1).is("(")) {
    next(), next();
    ASSIGN_OR_RETURN(Query q, query(&s));
    RETURN_IF_ERROR(expect(")"));
    if (q.columns.size() != 1) return error(t, "ARRAY subquery cannot have more than one column unless using SELECT AS STRUCT to build STRUCT values");
    Expr col = make("\"_a\"." + quote_ident(q.columns[0].name), q.columns[0]);
    Field el = q.columns[0];
    el.name.clear();
    return make("(SELECT json_group_array(" + as_json_arg(col) + ") FROM (" + q.sql + ") AS \"_a\")", el.array_of());
  }
  if (peek(1).is("(") && !is_reserved(t)) {
    next();
    return call(s, t, upper(t.text));
  }
  // CURRENT_TIMESTAMP and friends may be written without parentheses.
  if ((t.is("CURRENT_TIMESTAMP") || t.is("CURRENT_DATE") || t.is("CURRENT_DATETIME") || t.is("CURRENT_TIME")) && !peek(1).is(".")) {
    bool shadowed = false;
    for (const auto& src : s.sources)
      for (const auto& c : src.columns) shadowed = shadowed || iequals(c.name, t.text);
    if (!shadowed) {
      next();
      const char* sql = t.is("CURRENT_TIMESTAMP") ? "bq_now()" : t.is("CURRENT_DATE") ? "bq_date_of(bq_now())"
                        : t.is("CURRENT_DATETIME") ? "bq_datetime_of(bq_now())" : "substr(bq_datetime_of(bq_now()), 12)";
      Kind k = t.is("CURRENT_TIMESTAMP") ? Kind::kTimestamp : t.is("CURRENT_DATE") ? Kind::kDate
               : t.is("CURRENT_DATETIME") ? Kind::kDatetime : Kind::kTime;
      return make(sql, scalar(k));
    }
  }
  if (peek(1).is(".") && peek(2).kind == Tok::kIdent && peek(3).is("(") && (t.is("SAFE") || t.is("NET"))) {
    next(), next();
    const Token& fn = next();
    return call(s, fn, upper(t.text) + "." + upper(fn.text));
  }
  if (is_reserved(t)) return syntax(t);
  return identifier(s);
}

}  // namespace gcpsim::services::bigquery::sql
