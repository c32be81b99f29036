// Internal to the Knative reader (knative*.cc): what one read of a service.yaml collects.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "services/run/config.h"
#include "core/stack_section.h"
#include "core/stack_yaml.h"

namespace gcpsim::services::run {

struct KnativeReader {
  std::string file;                      // as messages name it
  std::string service;                   // the run entry's name
  const core::stackfile::Field& entry;   // the run entry in the stack file
  const core::stackfile::Field& key;     // its service_yaml key: what later checks blame
  core::SectionContext& ctx;
  RunServiceConfig config;
  std::map<std::string, std::string> secret_aliases;  // run.googleapis.com/secrets: alias → secret
  std::optional<core::stackfile::Field> min_scale, max_scale;
  std::map<std::string, core::stackfile::Field> env_at;  // containers[0].env[i] by variable name

  void notice(const core::stackfile::Field& f, const std::string& why);
  // A failure found once the whole stack is read, at this file's line.
  [[noreturn]] void fail_later(const core::stackfile::Field& f, const std::string& message) const;
};

// spec.template.spec.containers[0]: command, env, ports, probes (knative_container.cc).
void read_container(const core::stackfile::Field& f, KnativeReader& r);

}  // namespace gcpsim::services::run
