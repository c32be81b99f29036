// Scenario files → Scenario: top-level keys, steps with their lines, and the check that
// every ${var} is defined before the step that uses it.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/stack_yaml.h"
#include "core/utf8.h"
#include "harness/scenario.h"
#include "harness/step_kinds.h"
#include "harness/vars.h"

namespace gcpsim::harness {
namespace {

namespace sf = core::stackfile;
namespace fs = std::filesystem;

constexpr std::string_view kDefaultStart = "2026-01-01T00:00:00Z";
constexpr int64_t kMaxRepeat = 10000;

Json to_json(const YAML::Node& n) { return Json::parse(sf::json_text(n)); }

int step_line(const sf::Field& f) { return f.node.Mark().line >= 0 ? f.node.Mark().line + 1 : f.line; }

std::map<std::string, std::string> read_capture(const sf::Field& f) {
  std::map<std::string, std::string> out;
  static const std::regex kName("[A-Za-z_][A-Za-z0-9_]*");
  for (auto& [name, path] : sf::entries(f)) {
    if (!std::regex_match(name, kName)) sf::fail(path, "variable names are letters, digits and '_'");
    out[name] = sf::text(path);
  }
  return out;
}

// One entry of `steps:`: its kind key plus the modifiers expect/capture/name/repeat.
Step read_step(const sf::Field& f, int index, const std::string& file) {
  if (!f.node.IsMap()) sf::fail(f, "a step is a mapping like {advance: 30s}, got " + sf::describe(f.node));
  std::vector<std::string_view> allowed = {"expect", "capture", "name", "repeat"};
  for (const auto& k : step_kinds()) allowed.push_back(k.name);
  const StepKind* kind = nullptr;
  for (auto it = f.node.begin(); it != f.node.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (key == "expect" || key == "capture" || key == "name" || key == "repeat") continue;
    const StepKind* k = find_step_kind(key);
    int line = it->first.Mark().line + 1;
    if (!k) sf::fail(line, "unknown step kind '" + key + "' (expected one of: " + step_kind_names() + ")");
    if (kind) sf::fail(line, "one step does one thing: '" + std::string(kind->name) + "' and '" + key + "' both given");
    kind = k;
  }
  // Paths inside a step start at its kind ("http.json"), not at "steps[3]".
  sf::Map m(sf::Field{f.node, "", f.line, f.key_line}, allowed);
  Step step;
  step.index = index;
  step.line = step_line(f);
  step.file = file;
  if (auto n = m.get("name")) step.label = sf::text(*n);
  if (!kind && !m.has("expect")) sf::fail(step.line, "a step needs a kind (one of: " + step_kind_names() + ")");
  if (!kind) kind = find_step_kind("expect");
  step.kind = std::string(kind->name);
  if (kind->name == "expect") {
    if (auto c = m.get("capture")) sf::fail(c->key_line, "an expect step has no response to capture from");
    auto value = m.require("expect");
    kind->check(value);
    step.params = to_json(value.node);
    return step;
  }
  auto value = m.require(step.kind);
  kind->check(value);
  step.params = to_json(value.node);
  if (auto e = m.get("expect")) {
    if (!kind->answers) sf::fail(e->key_line, "'" + step.kind + "' has no response to expect on; use a separate expect step");
    check_expect_value(*e, true);
    step.expect = to_json(e->node);
  }
  if (auto c = m.get("capture")) {
    if (!kind->answers) sf::fail(c->key_line, "'" + step.kind + "' has no response to capture from");
    step.capture = read_capture(*c);
  }
  if (auto r = m.get("repeat")) {
    if (step.kind != "http") sf::fail(r->key_line, "repeat: sends copies of an http step; '" + step.kind + "' cannot repeat");
    if (!step.capture.empty()) sf::fail(r->key_line, "a repeated step has many responses; capture: needs one");
    step.repeat = static_cast<int>(sf::integer(*r, 1, kMaxRepeat));
  }
  return step;
}

// Every ${name} a step uses must be a builtin, a `vars:` entry, an earlier capture, or `i` in a
// repeated step.
void check_vars(const Step& step, std::set<std::string>& defined) {
  for (const Json* j : {&step.params, &step.expect}) {
    for (const auto& name : references(*j)) {
      if (!defined.count(name) && !(step.repeat && name == "i")) {
        sf::fail(step.line, "${" + name + "} is not defined (declare it under vars: or capture it in an earlier step)");
      }
    }
  }
  for (const auto& [name, path] : step.capture) defined.insert(name);
}

class Loader {
 public:
  explicit Loader(std::string path) : path_(std::move(path)), file_(fs::path(path_).filename().string()) {}

  Scenario parse(const YAML::Node& root) {
    sf::Field doc{root, "", 1, 1};
    sf::Map m(doc, {"name", "description", "stack", "seed", "start_time", "vars", "faketime", "requires", "expect_failure",
                        "unordered_events", "steps"});
    Scenario s;
    s.path = path_;
    s.file = file_;
    s.name = m.has("name") ? sf::text(*m.get("name")) : fs::path(path_).stem().string();
    if (auto st = m.get("stack")) s.stack = resolve(sf::text(*st));
    if (auto seed = m.get("seed")) s.seed = static_cast<uint64_t>(sf::integer(*seed, 0, INT64_MAX));
    s.start_time = *core::parse_rfc3339(kDefaultStart);
    if (auto t = m.get("start_time")) s.start_time = sf::timestamp(*t);
    if (auto e = m.get("expect_failure")) s.expect_failure = sf::text(*e);
    if (auto f = m.get("faketime")) s.faketime = sf::strings(*f);
    if (auto r = m.get("requires")) s.needs = sf::strings(*r);
    if (auto u = m.get("unordered_events")) s.unordered_events = sf::boolean(*u);
    std::set<std::string> defined(builtin_vars().begin(), builtin_vars().end());
    if (auto v = m.get("vars")) {
      for (auto& [name, value] : sf::entries(*v)) {
        s.vars[name] = to_json(value.node);
        defined.insert(name);
      }
    }
    auto steps = m.require("steps");
    int index = 0;
    for (const auto& item : sf::items(steps)) {
      ++index;
      try {
        s.steps.push_back(read_step(item, index, file_));
        check_vars(s.steps.back(), defined);
      } catch (const sf::StackError& e) {
        throw sf::StackError{e.line, "step " + std::to_string(index) + ": " + e.message};
      }
    }
    if (s.steps.empty()) sf::fail(steps.line, "a scenario needs at least one step");
    return s;
  }

 private:
  std::string resolve(const std::string& p) const {
    fs::path rel(p);
    if (rel.is_absolute()) return rel.lexically_normal().string();
    return (fs::absolute(path_).parent_path() / rel).lexically_normal().string();
  }

  std::string path_, file_;
};

}  // namespace

const std::vector<std::string>& builtin_vars() {
  static const std::vector<std::string> kNames = {"project", "region", "endpoint", "seed", "start_time"};
  return kNames;
}

core::StatusOr<Scenario> parse_scenario(std::string_view yaml_text, const std::string& path) {
  std::string file = fs::path(path).filename().string();
  if (auto fault = core::yaml_text_fault(yaml_text); fault.line)
    return core::Status::invalid_argument(file + ":" + std::to_string(fault.line) + ": " + fault.why);
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root.IsMap()) return core::Status::invalid_argument(file + ":1: a scenario is a mapping with steps:");
    return Loader(path).parse(root);
  } catch (const sf::StackError& e) {
    return core::Status::invalid_argument(file + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return core::Status::invalid_argument(file + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
}

core::StatusOr<Scenario> load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Status::not_found("cannot read scenario file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

std::string read_expect_failure(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  // Only its own line is read: the rest of the file may be what fails to parse.
  while (std::getline(in, line)) {
    if (line.rfind("expect_failure:", 0) != 0) continue;
    try {
      YAML::Node n = YAML::Load(line);
      if (n["expect_failure"].IsScalar()) return n["expect_failure"].Scalar();
    } catch (const YAML::Exception&) {
    }
  }
  return "";
}

}  // namespace gcpsim::harness
