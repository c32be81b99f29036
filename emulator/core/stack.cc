// Reads gcpsim.yaml into core::StackConfig: the shared keys here, every other section by the
// parser its service registered, then the cross-references between sections. Errors name
// the file, line and key.
#include "core/stack.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/stack_section.h"
#include "core/stack_yaml.h"
#include "core/utf8.h"

namespace gcpsim::core {
namespace {

namespace fs = std::filesystem;
using namespace stackfile;

// ASCII only: the rules are about ASCII, whatever the locale says.
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool lower_digit_hyphen(char c) { return is_lower(c) || (c >= '0' && c <= '9') || c == '-'; }
template <class Pred>
bool every(std::string_view s, Pred ok) { return std::all_of(s.begin(), s.end(), ok); }

class Parser final : public SectionContext {
 public:
  Parser(std::string file_name, std::string base_dir, const std::vector<StackSection>& sections)
      : file_name_(std::move(file_name)), sections_(sections) {
    bool faults = std::any_of(sections_.begin(), sections_.end(), [](auto& s) { return s.key == "faults"; });
    if (!faults) sections_.push_back(fault_section());
    base_dir_ = fs::absolute(base_dir.empty() ? "." : base_dir).lexically_normal();
    if (!base_dir_.has_filename()) base_dir_ = base_dir_.parent_path();
  }

  StackConfig parse(const YAML::Node& root) {
    cfg_.file = file_name_;
    cfg_.base_dir = base_dir_.string();
    Field doc{root, "", 1, 1};
    std::vector<std::string_view> keys = {"project", "region", "seed"};
    for (auto& s : sections_) keys.push_back(s.key);
    Map top(doc, keys);
    if (auto f = top.get("project")) project(*f);
    if (auto f = top.get("region")) region(*f);
    if (auto f = top.get("seed")) cfg_.seed = seed(*f);
    for (auto& s : sections_) {
      if (auto f = top.get(s.key)) cfg_.sections[s.key] = s.parse(*f, *this);
    }
    // References are checked once everything is declared, so sections may come in any order.
    for (auto& check : checks_) check();
    if (auto* rules = cfg_.section<std::vector<FaultRule>>("faults")) {
      cfg_.faults = std::move(*rules);
      cfg_.sections.erase("faults");
    }
    return std::move(cfg_);
  }

 private:
  void project(const Field& f) {
    std::string p = text(f);
    bool ok = p.size() >= 6 && p.size() <= 30 && is_lower(p[0]) && p.back() != '-' &&
              every(p, lower_digit_hyphen);
    if (!ok) {
      fail(f, "invalid project ID '" + p + "': 6 to 30 lowercase letters, digits or hyphens, starting "
              "with a letter and not ending with a hyphen");
    }
    cfg_.project = p;
  }

  void region(const Field& f) {
    std::string r = text(f);
    if (r.empty() || !every(r, lower_digit_hyphen)) fail(f, "invalid region '" + r + "'");
    cfg_.region = r;
  }

  static uint64_t seed(const Field& f) {
    std::string s = f.node.IsScalar() ? f.node.Scalar() : "";
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      fail(f, "expected a non-negative integer, got " + describe(f.node));
    }
    return v;
  }

  const StackConfig& stack() const override { return cfg_; }

  std::string resolve(const std::string& p) const override {
    fs::path out = (base_dir_ / p).lexically_normal();  // an absolute p replaces base_dir_
    return (out.has_filename() ? out : out.parent_path()).string();
  }

  void later(std::function<void()> check) override { checks_.push_back(std::move(check)); }

  void imply(const std::string& kind, const std::string& name) override { cfg_.implied[kind].insert(name); }

  int port(const Field& f) override {
    int p = small_int(f, 1, 65535);
    auto [it, fresh] = ports_.emplace(p, f.path.substr(0, f.path.rfind('.')));
    if (!fresh) fail(f, "port " + std::to_string(p) + " is already used by " + it->second);
    return p;
  }

  std::string file_name_;
  fs::path base_dir_;
  StackConfig cfg_;
  std::map<int, std::string> ports_;  // port → the key that claimed it
  std::vector<std::function<void()>> checks_;
  std::vector<StackSection> sections_;  // in the order they are read and listed
};

}  // namespace

StackSection fault_section() {
  return {"faults", [](const Field& section, SectionContext&) -> std::any {
            std::vector<FaultRule> rules;
            for (auto& f : items(section)) rules.push_back(read_fault(f));
            return rules;
          }};
}

StackConfig default_stack() { return StackConfig{}; }

StatusOr<StackConfig> parse_stack(std::string_view yaml_text, const std::string& file_name,
                                  const std::string& base_dir,
                                  const std::vector<StackSection>& sections) {
  if (auto fault = yaml_text_fault(yaml_text); fault.line)
    return Status::invalid_argument(file_name + ":" + std::to_string(fault.line) + ": " + fault.why);
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    return Parser(file_name, base_dir, sections).parse(root);
  } catch (const StackError& e) {
    return Status::invalid_argument(file_name + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return Status::invalid_argument(file_name + ":" + std::to_string(e.mark.line + 1) +
                                    ": invalid YAML: " + e.msg);
  }
}

StatusOr<StackConfig> load_stack(const std::string& path, const std::vector<StackSection>& sections) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!fs::is_regular_file(path, ec) || !in) {
    return Status::not_found("cannot read stack file '" + path + "'");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_stack(text, path, fs::absolute(path).parent_path().string(), sections);
}

}  // namespace gcpsim::core
