// Who may call a Run service, as Cloud Run decides before a request reaches an instance:
// ingress ("internal" admits only gcpsim's own callers) and, unless the service allows
// unauthenticated calls, a Google ID token for the service URL signed by gcpsim's issuer.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "services/run/config.h"
#include "core/time.h"
#include "net/http.h"

namespace gcpsim::services::iam { class Issuer; }

namespace gcpsim::services::run {

// gcpsim's own deliveries (push, tasks, triggers) carry this header with the emulator's
// internal token; the router strips it before the instance sees the request.
constexpr const char* kInternalHeader = "X-Gcpsim-Internal";

struct AccessPolicy {
  bool allow_unauthenticated = true;
  Ingress ingress = Ingress::kAll;
  std::vector<std::string> audiences;  // the service's URLs; a path on them is accepted too
};

// nullopt when admitted; otherwise Cloud Run's refusal (404 ingress, 403 no token, 401 bad
// token). Any valid token counts as an invoker: gcpsim does not model IAM bindings.
std::optional<net::HttpResponse> check_access(const AccessPolicy& policy, const iam::Issuer* issuer, core::Time now,
                                              const net::Headers& headers, const std::string& path, bool internal);

}  // namespace gcpsim::services::run
