// Recursive-descent parser and evaluator for the subscription filter language.
#include "services/pubsub/filter.h"

#include <optional>
#include <vector>

#include "services/pubsub/errors.h"

namespace gcpsim::services::pubsub {

struct Filter::Node {
  enum class Op { kHas, kEq, kNe, kPrefix, kNot, kAnd, kOr };
  Op op;
  std::string key, value;
  std::vector<std::unique_ptr<const Node>> children;
};

namespace {

using Node = Filter::Node;
using Op = Node::Op;
using NodePtr = std::unique_ptr<const Node>;

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  core::StatusOr<NodePtr> parse_all() {
    auto node = expression();
    if (!error_.is_ok()) return error_;
    skip_space();
    if (pos_ != s_.size()) {
      fail("unexpected '" + std::string(1, s_[pos_]) + "'");
      return error_;
    }
    return node;
  }

 private:
  // expression := term (AND term)* | term (OR term)*
  NodePtr expression() {
    NodePtr first = term();
    if (!first) return nullptr;
    std::optional<Op> joiner;
    std::vector<NodePtr> terms;
    terms.push_back(std::move(first));
    while (true) {
      size_t save = pos_;
      std::optional<Op> op;
      if (keyword("AND")) op = Op::kAnd;
      else if (keyword("OR")) op = Op::kOr;
      if (!op) { pos_ = save; break; }
      if (joiner && *joiner != *op) {
        fail_at(save, "AND and OR must not be mixed without parentheses");
        return nullptr;
      }
      joiner = op;
      NodePtr next = term();
      if (!next) return nullptr;
      terms.push_back(std::move(next));
    }
    if (!joiner) return std::move(terms.front());
    auto node = std::make_unique<Node>(Node{*joiner, {}, {}, {}});
    node->children = std::move(terms);
    return node;
  }

  // term := (NOT | '-') term | '(' expression ')' | condition
  NodePtr term() {
    skip_space();
    if (keyword("NOT") || consume('-')) {
      NodePtr inner = term();
      if (!inner) return nullptr;
      auto node = std::make_unique<Node>(Node{Op::kNot, {}, {}, {}});
      node->children.push_back(std::move(inner));
      return node;
    }
    if (consume('(')) {
      NodePtr inner = expression();
      if (!inner) return nullptr;
      if (!consume(')')) return fail_null("expected ')'");
      return inner;
    }
    if (keyword_fn("hasPrefix")) return has_prefix();
    return condition();
  }

  // hasPrefix '(' attributes '.' key ',' string ')'   (after the name)
  NodePtr has_prefix() {
    if (!consume('(')) return fail_null("expected '(' after hasPrefix");
    skip_space();
    if (!word("attributes") || !consume_raw('.')) return fail_null("expected attributes.KEY");
    auto key = key_token();
    if (!key) return nullptr;
    if (!consume(',')) return fail_null("expected ','");
    auto prefix = string_literal();
    if (!prefix) return nullptr;
    if (!consume(')')) return fail_null("expected ')'");
    return std::make_unique<Node>(Node{Op::kPrefix, std::move(*key), std::move(*prefix), {}});
  }

  // attributes ':' key | attributes '.' key ('=' | '!=') string
  NodePtr condition() {
    skip_space();
    if (!word("attributes")) return fail_null("expected attributes, hasPrefix, NOT or '('");
    if (consume_raw(':')) {
      auto key = key_token();
      if (!key) return nullptr;
      return std::make_unique<Node>(Node{Op::kHas, std::move(*key), {}, {}});
    }
    if (!consume_raw('.')) return fail_null("expected ':' or '.' after attributes");
    auto key = key_token();
    if (!key) return nullptr;
    skip_space();
    Op op;
    if (consume_raw('=')) op = Op::kEq;
    else if (consume_raw('!') && consume_raw('=')) op = Op::kNe;
    else return fail_null("expected '=' or '!='");
    auto value = string_literal();
    if (!value) return nullptr;
    return std::make_unique<Node>(Node{op, std::move(*key), std::move(*value), {}});
  }

  std::optional<std::string> key_token() {
    if (pos_ < s_.size() && s_[pos_] == '"') return string_literal();
    size_t start = pos_;
    while (pos_ < s_.size() && ident_char(s_[pos_])) ++pos_;
    if (pos_ == start) {
      fail("expected an attribute key");
      return std::nullopt;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  std::optional<std::string> string_literal() {
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != '"') {
      fail("expected a string literal");
      return std::nullopt;
    }
    ++pos_;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c != '\\') { out += c; continue; }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '\\': case '"': case '\'': case '?': case '`': out += e; break;
        case 'x': case 'u': case 'U': {
          size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t cp = 0;
          for (size_t i = 0; i < digits; ++i) {
            int v = pos_ < s_.size() ? hex_value(s_[pos_]) : -1;
            if (v < 0) { fail("bad escape sequence"); return std::nullopt; }
            cp = cp * 16 + static_cast<uint32_t>(v);
            ++pos_;
          }
          if (e == 'x') out += static_cast<char>(cp);
          else append_utf8(out, cp);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = static_cast<uint32_t>(e - '0');
            for (int i = 0; i < 2; ++i) {
              if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '7') {
                fail("bad octal escape sequence");
                return std::nullopt;
              }
              v = v * 8 + static_cast<uint32_t>(s_[pos_++] - '0');
            }
            out += static_cast<char>(v);
          } else {
            fail("bad escape sequence");
            return std::nullopt;
          }
      }
    }
    if (pos_ >= s_.size()) {
      fail("unterminated string literal");
      return std::nullopt;
    }
    ++pos_;
    return out;
  }

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool consume(char c) {
    skip_space();
    return consume_raw(c);
  }
  bool consume_raw(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) { ++pos_; return true; }
    return false;
  }
  // A whole word (not followed by an identifier character).
  bool word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    size_t end = pos_ + w.size();
    if (end < s_.size() && ident_char(s_[end])) return false;
    pos_ = end;
    return true;
  }
  bool keyword(std::string_view w) {
    size_t save = pos_;
    skip_space();
    if (word(w)) return true;
    pos_ = save;
    return false;
  }
  bool keyword_fn(std::string_view w) {
    size_t save = pos_;
    if (word(w)) {
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == '(') return true;
    }
    pos_ = save;
    return false;
  }
  void fail(std::string why) { fail_at(pos_, std::move(why)); }
  void fail_at(size_t at, std::string why) {
    if (error_.is_ok()) {
      error_ = errors::invalid_filter(why + " at position " + std::to_string(at + 1) + " in \"" +
                                      std::string(s_) + "\"");
    }
  }
  NodePtr fail_null(std::string why) {
    fail(std::move(why));
    return nullptr;
  }

  std::string_view s_;
  size_t pos_ = 0;
  core::Status error_;
};

bool eval(const Node& n, const Attributes& attrs) {
  switch (n.op) {
    case Op::kHas: return attrs.find(n.key).has_value();
    case Op::kEq: {
      auto v = attrs.find(n.key);
      return v && *v == n.value;
    }
    case Op::kNe: {
      auto v = attrs.find(n.key);
      return !v || *v != n.value;
    }
    case Op::kPrefix: {
      auto v = attrs.find(n.key);
      return v && v->starts_with(n.value);
    }
    case Op::kNot: return !eval(*n.children.front(), attrs);
    case Op::kAnd:
      for (const auto& c : n.children) {
        if (!eval(*c, attrs)) return false;
      }
      return true;
    case Op::kOr:
      for (const auto& c : n.children) {
        if (eval(*c, attrs)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace

core::StatusOr<Filter> Filter::parse(std::string_view text) {
  if (text.size() > kMaxBytes) {
    return errors::invalid_filter("the filter is " + std::to_string(text.size()) +
                                  " bytes long; the maximum is " + std::to_string(kMaxBytes));
  }
  bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) return Filter();
  Parser p(text);
  auto root = p.parse_all();
  if (!root.ok()) return root.status();
  return Filter(std::shared_ptr<const Node>(std::move(*root)));
}

bool Filter::matches(const Attributes& attributes) const {
  return root_ == nullptr || eval(*root_, attributes);
}

}  // namespace gcpsim::services::pubsub
