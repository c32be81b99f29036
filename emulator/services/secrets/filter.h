// The list filter language of Secret Manager (cloud.google.com/secret-manager/docs/filtering):
// `field op value` terms — op one of : = != < <= > >= — joined by AND, OR, NOT, '-' and
// parentheses. ':' is "has": `field:*` for presence, else a substring, or a glob with '*'.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gcpsim::services::secrets {

class Filter {
 public:
  // The values of a field on one resource (none when absent). Field paths arrive in
  // snake_case ("create_time", "labels.env", "replication.user_managed.replicas.location").
  using Fields = std::function<std::vector<std::string>(const std::string& field)>;
  // Whether a field path exists on the resource type, checked once when parsing.
  using Known = std::function<bool(const std::string& field)>;

  // The empty filter matches everything.
  static core::StatusOr<Filter> parse(std::string_view text, const Known& known);
  bool matches(const Fields& fields) const;
  bool empty() const { return root_ == nullptr; }

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace gcpsim::services::secrets
