// The stack file (gcpsim.yaml) as typed, validated configuration: the shared keys (project,
// region, seed, faults) and each service's own section, read by the service's parser
// (core/stack_section.h). Loading checks types, ranges, names and cross-references, so every
// consumer can trust what it reads here.
#pragma once
#include <any>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/faults.h"
#include "core/stack_section.h"
#include "core/status.h"
#include "core/time.h"

namespace gcpsim::core {

// ---- The whole stack ----

struct StackConfig {
  std::string file;      // the stack file's path as given; empty for default_stack()
  std::string base_dir;  // relative paths in the file were resolved against this
  std::string project = "demo-project";
  std::string region = "us-central1";
  uint64_t seed = 42;
  std::vector<FaultRule> faults;
  // Every other top-level key is a service's own section (core/stack_section.h), by key:
  // run, functions, pubsub, storage, secrets, tasks, …
  std::map<std::string, std::any> sections;
  // Resources one section implies in another service, by kind ("pubsub.topics" → topic ids):
  // a function's trigger topic or a bucket notification's topic, which gcloud creates when
  // missing. The owning service creates them with its declared ones.
  std::map<std::string, std::set<std::string>> implied;

  // The section's typed config, or nullptr when the file has none.
  template <class T>
  const T* section(const std::string& key) const {
    auto it = sections.find(key);
    return it == sections.end() ? nullptr : std::any_cast<T>(&it->second);
  }
  // The section's typed config, or an empty one (the type's defaults) when the file has none.
  template <class T>
  const T& section_or_empty(const std::string& key) const {
    static const T kEmpty;
    const T* s = section<T>(key);
    return s ? *s : kEmpty;
  }
  // The same as section(), to adjust before serving (the harness preloads libfaketime into processes).
  template <class T>
  T* section(const std::string& key) {
    auto it = sections.find(key);
    return it == sections.end() ? nullptr : std::any_cast<T>(&it->second);
  }
  // Whether `name` of `kind` ("pubsub.topics") was implied by some section.
  bool implies(const std::string& kind, const std::string& name) const {
    auto it = implied.find(kind);
    return it != implied.end() && it->second.count(name);
  }
};


// The shared `faults` key as a section, so that the services table can place it in the
// file's key order; parse_stack moves its rules into StackConfig::faults.
StackSection fault_section();

// What gcpsim serves without a stack file.
StackConfig default_stack();

// Reads and parses the file; relative paths resolve against its directory.
// `sections` are the services' own top-level keys (services::stack_sections()), read in that
// order; a key that is neither core's nor one of them is an error. fault_section() places
// `faults` among them (it is read last when absent).
StatusOr<StackConfig> load_stack(const std::string& path, const std::vector<StackSection>& sections = {});

// `file_name` only labels error messages ("gcpsim.yaml:12: …"). Errors are
// INVALID_ARGUMENT naming the file, line and key.
StatusOr<StackConfig> parse_stack(std::string_view yaml_text, const std::string& file_name,
                                  const std::string& base_dir,
                                  const std::vector<StackSection>& sections = {});

}  // namespace gcpsim::core
