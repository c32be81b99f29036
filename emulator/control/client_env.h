// The variables that point clients at a gcpsim: the official client libraries' emulator
// variables (`gcpsim env`) and the Google Cloud CLI's endpoint overrides and offline settings
// (`gcpsim env` and `gcpsim gcloud`).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gcpsim::control {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// The official client libraries' variables for a gcpsim at host:port serving `project`.
EnvVars library_env(const std::string& host_port, const std::string& project);

// What gcloud needs to talk to gcpsim and nothing else: an endpoint override for each API
// gcpsim serves that gcloud has commands for, the access token it sends (read from
// `token_file`), the project, and no calls to Google (usage reporting, update checks, the
// GCE metadata probe).
EnvVars gcloud_env(const std::string& host_port, const std::string& project, const std::string& token_file);

// Writes the placeholder access token gcloud sends (gcpsim does not check it) into a
// per-user directory under $XDG_RUNTIME_DIR or $TMPDIR (else /tmp); returns its path.
core::StatusOr<std::string> write_gcloud_token();

}  // namespace gcpsim::control
