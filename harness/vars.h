// Scenario variables: ${name} substitution in step values and capture paths into a
// step's response ("body.id", "headers.location", "messages[0].data").
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "harness/scenario.h"

namespace gcpsim::harness {

// Names referenced as ${name} anywhere in j's strings (keys included), in order.
std::vector<std::string> references(const Json& j);

class Vars {
 public:
  void set(const std::string& name, Json value) { values_[name] = std::move(value); }
  const Json* get(const std::string& name) const;
  // A string that is exactly "${x}" becomes x's value with its type; elsewhere values are
  // spliced in as text. "$${" writes a literal "${". Unknown names are an error.
  core::StatusOr<Json> substitute(const Json& j) const;
  core::StatusOr<std::string> substitute_text(std::string_view text) const;

 private:
  std::map<std::string, Json> values_;
};

// Follows a dotted path with [index] steps; NOT_FOUND names the part that is missing.
core::StatusOr<Json> lookup_path(const Json& root, std::string_view path);

// A value as a user would write it in text: strings raw, everything else as JSON.
std::string as_text(const Json& j);

}  // namespace gcpsim::harness
