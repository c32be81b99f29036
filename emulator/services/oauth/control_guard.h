// The guard the /_gcpsim control API applies, for the control routes the Gemini, Calendar
// and OAuth stubs add: loopback clients only, no cross-origin browser requests, JSON bodies.
#pragma once
#include <optional>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "net/http.h"

namespace gcpsim::services::oauth {

// The refusal, or nullopt when the request may drive the emulator.
std::optional<core::Status> refuse_control(const net::HttpRequest& req);
// The body as a JSON object ({} when empty).
core::StatusOr<nlohmann::json> control_body(const net::HttpRequest& req);

}  // namespace gcpsim::services::oauth
