// A Cloud Run service described by a Knative `serving.knative.dev/v1` Service document, as
// `gcloud run services replace` takes it and `gcloud run services describe --format export`
// writes it, read into the run config gcpsim serves. What Cloud Run would reject, and what
// gcpsim cannot honour, is an error naming the file, line and field; what has no effect on a
// local machine (CPU limits, VPC connectors, output-only fields) becomes a notice.
#pragma once
#include <string>
#include <string_view>

#include "core/stack_section.h"
#include "core/stack_yaml.h"
#include "services/run/config.h"

namespace gcpsim::services::run {

// Reads the document. `service` is the run entry's name (metadata.name must match it),
// `file` labels messages, `entry` is the run entry and `key` its service_yaml key. Failures
// are thrown as core::stackfile::StackError at the document's line ("field: why"); checks
// that run once the stack is read (declared secrets) fail at `key`, naming FILE:LINE.
RunServiceConfig read_knative(std::string_view yaml_text, const std::string& file, const std::string& service,
                                    const core::stackfile::Field& entry, const core::stackfile::Field& key,
                                    core::SectionContext& ctx);

// The entry `run.NAME` holding `service_yaml`: reads the file it names (relative to the stack
// file); the document's errors are reported at that key as FILE:LINE: field: why.
RunServiceConfig read_service_yaml(const core::stackfile::Field& entry, core::SectionContext& ctx);

}  // namespace gcpsim::services::run
