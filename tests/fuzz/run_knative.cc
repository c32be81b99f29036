// Knative service.yaml documents (a run entry's service_yaml), read as the stack loader reads
// them for a run entry named virtuoso-api with a command; failures are StackErrors.
#include <functional>
#include <vector>

#include "core/stack.h"
#include "core/stack_yaml.h"
#include "fuzz.h"
#include "services/run/knative.h"

using namespace gcpsim;

namespace {

// What the loader offers a section parser, without a stack file around it.
class Context final : public core::SectionContext {
 public:
  const core::StackConfig& stack() const override { return stack_; }
  std::string resolve(const std::string& path) const override { return "/nonexistent-gcpsim-fuzz/" + path; }
  int port(const core::stackfile::Field& f) override { return core::stackfile::small_int(f, 1, 65535); }
  void later(std::function<void()> check) override { checks_.push_back(std::move(check)); }
  void imply(const std::string& kind, const std::string& name) override { stack_.implied[kind].insert(name); }
  void run_checks() {
    for (auto& c : checks_) c();
  }

 private:
  core::StackConfig stack_;
  std::vector<std::function<void()>> checks_;
};

}  // namespace

GCPSIM_FUZZ_TARGET(run_knative) {
  static const YAML::Node entry = YAML::Load("{service_yaml: service.yaml, command: [node, server.js]}");
  core::stackfile::Field at{entry, "run.virtuoso-api", 1, 1};
  core::stackfile::Field key{entry["service_yaml"], "run.virtuoso-api.service_yaml", 1, 1};
  Context ctx;
  try {
    (void)services::run::read_knative(input, "service.yaml", "virtuoso-api", at, key, ctx);
    ctx.run_checks();
  } catch (const core::stackfile::StackError&) {
  } catch (const YAML::Exception&) {
  }
}
