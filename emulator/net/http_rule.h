// A method's google.api.http bindings, read from its compiled proto options: the HTTP
// method, the compiled path template, and where the body and response body go.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gcpsim::net {

struct UnaryMethod;

// A google.api.http path template: "/v1/{topic=projects/*/topics/*}:publish".
class PathTemplate {
 public:
  // nullopt when `text` is not a valid template.
  static std::optional<PathTemplate> parse(std::string_view text);

  // The variables' field paths in template order ("topic", "subscription.name").
  const std::vector<std::string>& variables() const { return variables_; }
  // Matches a raw (percent-encoded) request path. On success, returns each variable's value
  // in template order: its segments percent-decoded and joined with '/'.
  std::optional<std::vector<std::string>> match(std::string_view raw_path) const;
  // Literal segments plus the custom verb: the more, the more specific the template.
  int literal_count() const;
  bool has_double_wildcard() const;
  const std::string& verb() const { return verb_; }  // "publish"; "" when none
  const std::string& text() const { return text_; }

 private:
  struct Segment {
    enum class Kind { kLiteral, kStar, kDoubleStar } kind = Kind::kLiteral;
    std::string literal;
    int variable = -1;  // index into variables_, or -1
  };
  bool match_from(size_t seg, size_t part, const std::vector<std::string>& parts,
                  std::vector<std::pair<size_t, size_t>>& spans) const;

  std::string text_;
  std::vector<Segment> segments_;
  std::vector<std::string> variables_;
  std::string verb_;
};

struct HttpBinding {
  std::string http_method;  // "GET", "POST", … or a custom kind
  PathTemplate path;
  std::string body;           // "" (no body), "*" (the whole request) or a field path
  std::string response_body;  // "" (the whole response) or a field path
};

// The method's primary binding then its additional_bindings; templates that fail to parse
// are left out. Empty when the method has no google.api.http option.
std::vector<HttpBinding> http_bindings(const UnaryMethod& m);

}  // namespace gcpsim::net
