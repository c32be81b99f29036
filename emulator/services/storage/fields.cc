// A small recursive-descent parser for field selectors, applied to JSON resources.
#include "services/storage/fields.h"

#include <map>
#include <memory>
#include <string>

#include "services/storage/errors.h"

namespace gcpsim::services::storage {
namespace {

// A selector tree: an empty `children` map selects the whole value.
struct Node {
  std::map<std::string, std::shared_ptr<Node>> children;
  bool all = false;
  Node& child(const std::string& name) {
    auto& c = children[name];
    if (!c) c = std::make_shared<Node>();
    return *c;
  }
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  bool parse(Node& root) { return list(root) && i_ == s_.size(); }

 private:
  bool list(Node& parent) {
    do {
      if (!item(parent)) return false;
    } while (eat(','));
    return true;
  }
  // path ("/" path)* ["(" list ")"]
  bool item(Node& parent) {
    Node* node = &parent;
    do {
      std::string name = ident();
      if (name.empty()) return false;
      node = &node->child(name);
    } while (eat('/'));
    if (eat('(')) {
      if (!list(*node) || !eat(')')) return false;
    } else {
      node->all = true;
    }
    return true;
  }
  std::string ident() {
    skip_space();
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '/' && s_[i_] != '(' && s_[i_] != ')' && s_[i_] != ' ') ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  bool eat(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void skip_space() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  std::string_view s_;
  size_t i_ = 0;
};

Json pick(const Json& j, const Node& n) {
  if (n.all || n.children.empty()) return j;
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& e : j) out.push_back(pick(e, n));
    return out;
  }
  if (!j.is_object()) return j;
  if (auto star = n.children.find("*"); star != n.children.end()) return pick(j, *star->second);
  Json out = Json::object();
  for (const auto& [key, value] : j.items()) {
    auto it = n.children.find(key);
    if (it != n.children.end()) out[key] = pick(value, *it->second);
  }
  return out;
}

}  // namespace

core::StatusOr<Json> select_fields(const Json& j, std::string_view fields) {
  Node root;
  if (!Parser(fields).parse(root)) return errors::invalid("Invalid field selection " + std::string(fields));
  return pick(j, root);
}

}  // namespace gcpsim::services::storage
