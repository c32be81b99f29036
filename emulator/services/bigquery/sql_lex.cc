// The GoogleSQL lexer: strings ('…', "…", triple-quoted, r/b prefixes), backticked names,
// numbers, @params, comments (--, #, /* */).
#include "services/bigquery/sql_lex.h"

#include <cctype>

#include "services/bigquery/errors.h"
#include "services/bigquery/schema.h"

namespace gcpsim::services::bigquery::sql {

bool Token::is(const char* kw) const {
  if (kind == Tok::kOp) return text == kw;
  return kind == Tok::kIdent && iequals(text, kw);
}

namespace {

core::Status at(const std::string& m, int line, int col) {
  return errors::invalid_query("Syntax error: " + m + " at [" + std::to_string(line) + ":" + std::to_string(col) + "]");
}

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

core::StatusOr<std::vector<Token>> lex(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  int line = 1;
  size_t line_start = 0;
  auto col = [&](size_t p) { return int(p - line_start) + 1; };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') { ++line; line_start = ++i; continue; }
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if ((c == '-' && i + 1 < s.size() && s[i + 1] == '-') || c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      if (end == std::string::npos) return at("Unclosed comment", line, col(i));
      for (size_t k = i; k < end; ++k)
        if (s[k] == '\n') { ++line; line_start = k + 1; }
      i = end + 2;
      continue;
    }
    Token t;
    t.line = line;
    t.col = col(i);
    bool raw = false, bytes = false;
    size_t q = i;
    while (q < s.size() && q < i + 2 && (s[q] == 'r' || s[q] == 'R' || s[q] == 'b' || s[q] == 'B')) ++q;
    if (q > i && q < s.size() && (s[q] == '\'' || s[q] == '"')) {
      for (size_t k = i; k < q; ++k) (s[k] == 'r' || s[k] == 'R' ? raw : bytes) = true;
      i = q;
      c = s[i];
    }
    if (c == '\'' || c == '"') {
      bool triple = s.compare(i, 3, std::string(3, c)) == 0;
      std::string close = triple ? std::string(3, c) : std::string(1, c);
      i += close.size();
      std::string v;
      while (true) {
        if (i >= s.size()) return at("Unclosed string literal", t.line, t.col);
        if (s.compare(i, close.size(), close) == 0) { i += close.size(); break; }
        if (s[i] == '\n') {
          if (!triple) return at("Unclosed string literal", t.line, t.col);
          ++line, line_start = i + 1;
        }
        if (s[i] == '\\' && !raw && i + 1 < s.size()) {
          char e = s[i + 1];
          i += 2;
          switch (e) {
            case 'n': v += '\n'; break;
            case 't': v += '\t'; break;
            case 'r': v += '\r'; break;
            case '0': v += '\0'; break;
            default: v += e;
          }
          continue;
        }
        v += s[i++];
      }
      t.kind = bytes ? Tok::kBytes : Tok::kString;
      t.text = v;
    } else if (c == '`') {
      size_t end = s.find('`', i + 1);
      if (end == std::string::npos) return at("Unclosed identifier literal", t.line, t.col);
      t.kind = Tok::kQuoted;
      t.text = s.substr(i + 1, end - i - 1);
      i = end + 1;
    } else if (ident_start(c)) {
      size_t b = i;
      while (i < s.size() && (ident_char(s[i]) || (s[i] == '-' && i + 1 < s.size() && std::isalnum(static_cast<unsigned char>(s[i + 1])) && false))) ++i;
      t.kind = Tok::kIdent;
      t.text = s.substr(b, i - b);
    } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t b = i;
      bool is_float = false;
      if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        i += 2;
        while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
        t.kind = Tok::kInt;
        t.text = std::to_string(std::stoll(s.substr(b + 2, i - b - 2), nullptr, 16));
        out.push_back(t);
        continue;
      }
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      if (i < s.size() && s[i] == '.') { is_float = true; ++i; while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i; }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = i + 1;
        if (e < s.size() && (s[e] == '+' || s[e] == '-')) ++e;
        if (e < s.size() && std::isdigit(static_cast<unsigned char>(s[e]))) {
          is_float = true;
          i = e;
          while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        }
      }
      t.kind = is_float ? Tok::kFloat : Tok::kInt;
      t.text = s.substr(b, i - b);
    } else if (c == '@' && i + 1 < s.size() && s[i + 1] != '@') {
      size_t b = ++i;
      if (i < s.size() && s[i] == '`') {
        size_t end = s.find('`', i + 1);
        if (end == std::string::npos) return at("Unclosed identifier literal", t.line, t.col);
        t.text = s.substr(i + 1, end - i - 1);
        i = end + 1;
      } else {
        while (i < s.size() && ident_char(s[i])) ++i;
        t.text = s.substr(b, i - b);
      }
      if (t.text.empty()) return at("Unexpected \"@\"", t.line, t.col);
      t.kind = Tok::kParam;
    } else if (c == '?') {
      t.kind = Tok::kPositional;
      t.text = "?";
      ++i;
    } else {
      static const char* kOps[] = {"<=", ">=", "<>", "!=", "||", "=>", "(", ")", ",", ".", ";", "+", "-",
                                   "*", "/", "=", "<", ">", "[", "]", "&", "|", "^", "~", ":"};
      bool found = false;
      for (const char* op : kOps) {
        std::string o(op);
        if (s.compare(i, o.size(), o) == 0) {
          t.kind = Tok::kOp;
          t.text = o;
          i += o.size();
          found = true;
          break;
        }
      }
      if (!found) return at(std::string("Illegal input character \"") + c + "\"", t.line, t.col);
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.line = line;
  end.col = col(i);
  out.push_back(end);
  return out;
}

}  // namespace gcpsim::services::bigquery::sql
