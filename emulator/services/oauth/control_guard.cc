// Loopback, same-origin and content-type checks for emulator-only routes.
#include "services/oauth/control_guard.h"

namespace gcpsim::services::oauth {

std::optional<core::Status> refuse_control(const net::HttpRequest& req) {
  if (!req.loopback) return core::Status::permission_denied("the control API only answers loopback clients");
  if (auto origin = req.header("Origin")) {
    auto host = req.header("Host").value_or("");
    if (host.empty() || *origin != "http://" + host) {
      return core::Status::permission_denied("cross-origin requests to the control API are refused (Origin: " + *origin + ")");
    }
  }
  if (auto site = req.header("Sec-Fetch-Site"); site && *site != "same-origin" && *site != "none") {
    return core::Status::permission_denied("cross-site requests to the control API are refused");
  }
  if ((req.method == "POST" || req.method == "PUT") && !req.body.empty() &&
      req.header("Content-Type").value_or("").rfind("application/json", 0) != 0) {
    return core::Status::invalid_argument("the control API takes Content-Type: application/json");
  }
  return std::nullopt;
}

core::StatusOr<nlohmann::json> control_body(const net::HttpRequest& req) {
  if (req.body.empty()) return nlohmann::json::object();
  try {
    auto j = nlohmann::json::parse(req.body);
    if (!j.is_object()) return core::Status::invalid_argument("the request body must be a JSON object");
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    return core::Status::invalid_argument(std::string("Invalid JSON payload received. ") + e.what());
  }
}

}  // namespace gcpsim::services::oauth
