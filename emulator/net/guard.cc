// Loopback, local-host, same-origin and content-type checks for emulator-only routes.
#include "net/guard.h"

#include <cctype>

namespace gcpsim::net {
namespace {

// 127.0.0.1, localhost, [::1] or NAME.localhost, with or without a port: a page whose own
// name resolves to 127.0.0.1 (DNS rebinding) still sends its own name as Host.
bool local_host(std::string host) {
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host.rfind("[::1]", 0) == 0) return host.size() == 5 || host[5] == ':';
  if (auto colon = host.rfind(':'); colon != std::string::npos) host.resize(colon);
  constexpr std::string_view kSuffix = ".localhost";
  return host == "127.0.0.1" || host == "localhost" ||
         (host.size() > kSuffix.size() && host.compare(host.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0);
}

}  // namespace

std::optional<core::Status> refuse(const net::HttpRequest& req) {
  if (!req.loopback) return core::Status::permission_denied("the control API only answers loopback clients");
  auto host = req.header("Host").value_or("");
  auto origin = req.header("Origin");
  auto site = req.header("Sec-Fetch-Site");
  if (origin && *origin != "http://" + host)
    return core::Status::permission_denied("cross-origin requests to the control API are refused (Origin: " + *origin + ")");
  if (site && *site != "same-origin" && *site != "none")
    return core::Status::permission_denied("cross-site requests to the control API are refused");
  // A browser (it sends Origin or Sec-Fetch-Site) on a page whose own name now resolves to
  // 127.0.0.1 looks same-origin; only its Host gives it away. Other clients may use any name.
  if ((origin || site) && !local_host(host))
    return core::Status::permission_denied("browser requests to the control API must use a local host name (Host: " + host + ")");
  if ((req.method == "POST" || req.method == "PUT") && !req.body.empty() &&
      req.header("Content-Type").value_or("").rfind("application/json", 0) != 0)
    return core::Status::invalid_argument("the control API takes Content-Type: application/json");
  return std::nullopt;
}

core::StatusOr<nlohmann::json> json_body(const net::HttpRequest& req) {
  if (req.body.empty()) return nlohmann::json::object();
  try {
    auto j = nlohmann::json::parse(req.body);
    if (!j.is_object()) return core::Status::invalid_argument("the request body must be a JSON object");
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    return core::Status::invalid_argument(std::string("Invalid JSON payload received. ") + e.what());
  }
}

void Router::add_guarded(std::string method, std::string pattern, HttpHandler h) {
  add(std::move(method), std::move(pattern), [h = std::move(h)](HttpRequest& req, Reply reply) {
    if (auto denied = refuse(req)) return reply(HttpResponse::error(*denied));
    h(req, std::move(reply));
  });
}

}  // namespace gcpsim::net
