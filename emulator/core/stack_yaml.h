// The readers every stack-file section parser uses (core's and the services'): typed reads of
// YAML nodes whose errors name the file line and dotted key.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/stack.h"

namespace gcpsim::core::stackfile {

// Thrown by the readers and turned into one Status by parse_stack: a recursive-descent
// reader stays readable when each check is one line rather than a RETURN_IF_ERROR chain.
struct StackError {
  int line;
  std::string message;
};

// A node and where it sits: its dotted path for messages and the line to blame.
struct Field {
  YAML::Node node;
  std::string path;  // "run.task-api.port"; empty for the document itself
  int line = 1;      // the value's own line, or its key's when the value is empty
  int key_line = 1;  // where the key was written: blamed for what is missing under it
};

[[noreturn]] void fail(int line, std::string message);
[[noreturn]] void fail(const Field& f, const std::string& message);        // at the value
[[noreturn]] void fail_under(const Field& f, const std::string& message);  // at its key

// The keys of one mapping, checked against what it may contain: unknown and duplicate
// keys are errors. An empty value (`redis:`) reads as an empty mapping.
class Map {
 public:
  Map(const Field& f, const std::vector<std::string_view>& allowed);
  std::optional<Field> get(const std::string& key) const;
  bool has(const std::string& key) const { return fields_.count(key) != 0; }
  Field require(const std::string& key) const;

 private:
  std::string where() const;

  Field field_;
  std::map<std::string, Field> fields_;
};

// A mapping whose keys are names the user chose (services, topics, …), in file order.
std::vector<std::pair<std::string, Field>> entries(const Field& f);
std::vector<Field> items(const Field& f);

std::string describe(const YAML::Node& n);  // "'abc'", "a mapping", "a list", "nothing"
std::string text(const Field& f);
int64_t integer(const Field& f, int64_t lo, int64_t hi);
int small_int(const Field& f, int lo, int hi);
double number(const Field& f, double lo, double hi);
bool boolean(const Field& f);
Duration duration(const Field& f, Duration lo, Duration hi);
Time timestamp(const Field& f);
std::string one_of(const Field& f, const std::vector<std::string_view>& allowed);
Code error_code(const Field& f);  // a canonical name other than OK
std::map<std::string, std::string> string_map(const Field& f);
std::vector<std::string> strings(const Field& f);
// The node as JSON text; plain scalars are typed as YAML 1.2's core schema types them.
std::string json_text(const YAML::Node& n);
// A name the user chose for a resource: letters, digits and `extra`, at most max_len.
void check_plain_name(const Field& f, const std::string& name, std::string_view extra, size_t max_len);

// A `faults` entry (stack_entries.cc).
FaultRule read_fault(const Field& f);

}  // namespace gcpsim::core::stackfile
