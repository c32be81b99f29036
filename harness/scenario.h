// A scenario file as loaded: its settings and its steps, each step with the line it
// starts on, so every later error can name "step N (file.yaml:line)".
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"

namespace gcpsim::harness {

using Json = nlohmann::ordered_json;

struct Step {
  int index = 0;         // 1-based position in `steps:`
  int line = 0;          // where the step starts
  std::string file;      // the scenario file's base name, for messages
  std::string kind;      // a name from the step-kinds table: "http", "advance", …
  Json params;           // the kind's value, YAML typed by the core schema
  Json expect;           // `expect:` (null when absent)
  std::map<std::string, std::string> capture;  // variable → path ("body.id")
  std::string label;     // `name:` when given
  int repeat = 0;        // `repeat: N` (http only): N copies in flight at once, ${i} = 1..N

  // "step 3 (orders.yaml:12)"
  std::string where() const { return "step " + std::to_string(index) + " (" + file + ":" + std::to_string(line) + ")"; }
};

struct Scenario {
  std::string path;                 // as given on the command line
  std::string file;                 // base name
  std::string name;                 // `name:`, or the base name without .yaml
  std::string stack;                // absolute path of `stack:`, empty for the default stack
  std::optional<uint64_t> seed;
  core::Time start_time{};
  std::string expect_failure;       // the failure headline must contain this
  std::vector<std::string> faketime;  // Run services that see virtual time (libfaketime)
  std::vector<std::string> needs;     // `requires:` services; skipped when the build lacks one
  bool unordered_events = false;      // the transcript lists events sorted by time and content
  std::map<std::string, Json> vars;
  std::vector<Step> steps;
};

// Errors are INVALID_ARGUMENT "file.yaml:LINE: step N: message".
core::StatusOr<Scenario> load_scenario(const std::string& path);
core::StatusOr<Scenario> parse_scenario(std::string_view yaml_text, const std::string& path);

// The `expect_failure:` of a file that may not load (a scenario that must fail to load).
std::string read_expect_failure(const std::string& path);

// Variables every scenario has without declaring them.
const std::vector<std::string>& builtin_vars();

}  // namespace gcpsim::harness
