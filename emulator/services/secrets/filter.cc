// A recursive-descent parser and evaluator for Secret Manager list filters.
#include "services/secrets/filter.h"

#include <cctype>
#include <optional>

#include "core/time.h"
#include "services/secrets/errors.h"
#include "services/secrets/fields.h"

namespace gcpsim::services::secrets {

struct Filter::Node {
  enum class Kind { kAnd, kOr, kNot, kTerm };
  Kind kind = Kind::kTerm;
  std::vector<std::shared_ptr<const Node>> children;
  std::string field, op, value;
};

namespace {

using Node = Filter::Node;
using NodePtr = std::shared_ptr<const Node>;

class Parser {
 public:
  Parser(std::string_view text, const Filter::Known& known) : text_(text), known_(known) {}

  core::StatusOr<NodePtr> parse() {
    auto node = parse_or();
    if (!error_.empty()) return errors::bad_filter(text_, error_);
    skip_space();
    if (pos_ != text_.size()) return errors::bad_filter(text_, "unexpected '" + rest() + "'");
    return node;
  }

 private:
  std::string rest() const { return std::string(text_.substr(pos_, 20)); }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool keyword(std::string_view word) {
    skip_space();
    if (text_.substr(pos_, word.size()) != word) return false;
    size_t end = pos_ + word.size();
    if (end < text_.size() && !std::isspace(static_cast<unsigned char>(text_[end])) &&
        text_[end] != '(') {
      return false;
    }
    pos_ = end;
    return true;
  }
  bool at_end_of_group() {
    skip_space();
    return pos_ >= text_.size() || text_[pos_] == ')';
  }

  NodePtr combine(Node::Kind kind, NodePtr left, NodePtr right) {
    // AND/OR chains grow the tree one level per term: parsing, matching and freeing it recurse.
    if (++nodes_ > kMaxNodes) return fail("the filter has more than " + std::to_string(kMaxNodes) + " terms");
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->children = {std::move(left), std::move(right)};
    return n;
  }

  NodePtr parse_or() {
    NodePtr left = parse_and();
    while (error_.empty() && keyword("OR")) left = combine(Node::Kind::kOr, left, parse_and());
    return left;
  }

  // Juxtaposed terms are joined by AND too.
  NodePtr parse_and() {
    NodePtr left = parse_unary();
    while (error_.empty() && !at_end_of_group()) {
      size_t save = pos_;
      if (keyword("OR")) {
        pos_ = save;
        break;
      }
      keyword("AND");
      left = combine(Node::Kind::kAnd, left, parse_unary());
    }
    return left;
  }

  NodePtr parse_unary() {
    // Parentheses and NOT/- nest by recursion: bounded so the stack cannot run out.
    if (depth_ >= kMaxDepth) return fail("the filter nests deeper than " + std::to_string(kMaxDepth) + " levels");
    ++depth_;
    NodePtr n = parse_unary_inner();
    --depth_;
    return n;
  }

  NodePtr parse_unary_inner() {
    skip_space();
    bool negate = keyword("NOT");
    if (!negate && pos_ < text_.size() && text_[pos_] == '-') {
      negate = true;
      ++pos_;
    }
    if (negate) {
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::kNot;
      n->children = {parse_unary()};
      return n;
    }
    return parse_primary();
  }

  NodePtr parse_primary() {
    skip_space();
    if (pos_ >= text_.size()) return fail("expected a term");
    if (text_[pos_] == '(') {
      ++pos_;
      NodePtr inner = parse_or();
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ')') return fail("missing ')'");
      ++pos_;
      return inner;
    }
    return parse_term();
  }

  NodePtr parse_term() {
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '_' || text_[pos_] == '.' || text_[pos_] == '-')) {
      ++pos_;
    }
    std::string word(text_.substr(start, pos_ - start));
    skip_space();
    std::string op = read_op();
    auto n = std::make_shared<Node>();
    if (op.empty()) {
      // A bare value searches the name.
      if (word.empty()) return fail("unexpected '" + rest() + "'");
      n->field = "name";
      n->op = ":";
      n->value = word;
      return n;
    }
    n->field = snake_case_path(word);
    if (!known_(n->field)) return fail("unknown field '" + word + "'");
    n->op = op;
    skip_space();
    auto value = read_value();
    if (!value) return fail("expected a value after '" + word + op + "'");
    n->value = *value;
    return n;
  }

  std::string read_op() {
    for (std::string_view op : {"!=", "<=", ">=", ":", "=", "<", ">"}) {
      if (text_.substr(pos_, op.size()) == op) {
        pos_ += op.size();
        return std::string(op);
      }
    }
    return "";
  }

  std::optional<std::string> read_value() {
    if (pos_ < text_.size() && text_[pos_] == '"') {
      std::string out;
      for (++pos_; pos_ < text_.size() && text_[pos_] != '"'; ++pos_) {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        out += text_[pos_];
      }
      if (pos_ >= text_.size()) return std::nullopt;
      ++pos_;
      return out;
    }
    size_t start = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
           text_[pos_] != ')' && text_[pos_] != '(') {
      ++pos_;
    }
    if (pos_ == start) return std::nullopt;
    return std::string(text_.substr(start, pos_ - start));
  }

  NodePtr fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return std::make_shared<Node>();
  }

  std::string_view text_;
  const Filter::Known& known_;
  size_t pos_ = 0;
  std::string error_;
  static constexpr int kMaxDepth = 100;
  static constexpr int kMaxNodes = 1000;
  int depth_ = 0;
  int nodes_ = 0;
};

bool glob(std::string_view pattern, std::string_view s) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == s;
  std::string_view head = pattern.substr(0, star);
  if (s.substr(0, head.size()) != head) return false;
  std::string_view tail = pattern.substr(star + 1);
  for (size_t i = head.size(); i <= s.size(); ++i) {
    if (glob(tail, s.substr(i))) return true;
  }
  return false;
}

bool has(const std::string& value, const std::string& want) {
  if (want.find('*') != std::string::npos) return glob(want, value);
  return value.find(want) != std::string::npos;
}

// Negative, zero or positive; times and numbers compare as such, the rest as text.
int compare(const std::string& a, const std::string& b) {
  auto ta = core::parse_rfc3339(a), tb = core::parse_rfc3339(b);
  if (ta && tb) return *ta < *tb ? -1 : (*ta > *tb ? 1 : 0);
  char* end_a = nullptr;
  char* end_b = nullptr;
  double na = std::strtod(a.c_str(), &end_a), nb = std::strtod(b.c_str(), &end_b);
  if (!a.empty() && !b.empty() && *end_a == '\0' && *end_b == '\0') {
    return na < nb ? -1 : (na > nb ? 1 : 0);
  }
  return a.compare(b);
}

bool term_matches(const Node& n, const std::vector<std::string>& values) {
  if (n.op == ":") {
    if (n.value == "*") return !values.empty();
    for (const auto& v : values) {
      if (has(v, n.value)) return true;
    }
    return false;
  }
  if (n.op == "!=") {
    for (const auto& v : values) {
      if (compare(v, n.value) == 0) return false;
    }
    return true;
  }
  for (const auto& v : values) {
    int c = compare(v, n.value);
    if ((n.op == "=" && c == 0) || (n.op == "<" && c < 0) || (n.op == "<=" && c <= 0) ||
        (n.op == ">" && c > 0) || (n.op == ">=" && c >= 0)) {
      return true;
    }
  }
  return false;
}

bool eval(const Node& n, const Filter::Fields& fields) {
  switch (n.kind) {
    case Node::Kind::kAnd: return eval(*n.children[0], fields) && eval(*n.children[1], fields);
    case Node::Kind::kOr: return eval(*n.children[0], fields) || eval(*n.children[1], fields);
    case Node::Kind::kNot: return !eval(*n.children[0], fields);
    case Node::Kind::kTerm: break;
  }
  return term_matches(n, fields(n.field));
}

}  // namespace

core::StatusOr<Filter> Filter::parse(std::string_view text, const Known& known) {
  Filter f;
  bool blank = true;
  for (char c : text) blank = blank && std::isspace(static_cast<unsigned char>(c));
  if (blank) return f;
  ASSIGN_OR_RETURN(f.root_, Parser(text, known).parse());
  return f;
}

bool Filter::matches(const Fields& fields) const { return !root_ || eval(*root_, fields); }

}  // namespace gcpsim::services::secrets
