// The subscription filter language (attributes only): `attributes:k`, `attributes.k = "v"`,
// `attributes.k != "v"`, `hasPrefix(attributes.k, "p")`, NOT / -, AND, OR and parentheses.
// AND and OR may not be mixed without parentheses, as in Pub/Sub.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "services/pubsub/message.h"

namespace gcpsim::services::pubsub {

class Filter {
 public:
  struct Node;
  static constexpr size_t kMaxBytes = 256;

  Filter() = default;  // matches everything
  // INVALID_ARGUMENT with the position and what was expected on bad syntax.
  static core::StatusOr<Filter> parse(std::string_view text);

  bool empty() const { return root_ == nullptr; }
  bool matches(const Attributes& attributes) const;

 private:
  explicit Filter(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

}  // namespace gcpsim::services::pubsub
