// The guard every emulator-only route passes (the /_gcpsim control API and the control
// routes services add): loopback clients only; no cross-origin, cross-site or DNS-rebound
// browser requests; JSON bodies.
#pragma once
#include <optional>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "net/http.h"

namespace gcpsim::net {

// The refusal, or nullopt when the request may drive the emulator.
std::optional<core::Status> refuse(const net::HttpRequest& req);
// The body as a JSON object ({} when empty).
core::StatusOr<nlohmann::json> json_body(const net::HttpRequest& req);

}  // namespace gcpsim::net
