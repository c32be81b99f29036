// Ingress and ID-token checks for Run services.
#include "services/run/auth.h"

#include <algorithm>

#include "services/iam/service.h"
#include "services/run/responses.h"

namespace gcpsim::services::run {
namespace {

// The service URL itself, or the URL of a path on it: Cloud Tasks and Cloud Scheduler use
// the full target URL as the audience when none is set, and Cloud Run accepts it.
bool audience_matches(const AccessPolicy& policy, std::string aud) {
  aud = aud.substr(0, aud.find_first_of("?#"));
  if (aud.size() > 1 && aud.back() == '/') aud.pop_back();
  for (const auto& url : policy.audiences)
    if (aud == url || (aud.size() > url.size() && aud.compare(0, url.size(), url) == 0 && aud[url.size()] == '/'))
      return true;
  return false;
}

}  // namespace

std::optional<net::HttpResponse> check_access(const AccessPolicy& policy, const iam::Issuer* issuer, core::Time now,
                                              const net::Headers& headers, const std::string& path, bool internal) {
  if (policy.ingress == Ingress::kInternal && !internal) return responses::ingress_blocked(path);
  if (policy.allow_unauthenticated) return std::nullopt;
  auto auth = net::find_header(headers, "Authorization");
  if (!auth || auth->empty()) return responses::forbidden(path);
  constexpr std::string_view kBearer = "Bearer ";
  if (auth->size() <= kBearer.size() || !std::equal(kBearer.begin(), kBearer.end(), auth->begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      }))
    return responses::unauthorized(path);
  if (!issuer) return responses::unauthorized(path);
  auto token = issuer->verify(auth->substr(kBearer.size()), now);
  if (!token.ok() || !audience_matches(policy, token->audience)) return responses::unauthorized(path);
  return std::nullopt;
}

}  // namespace gcpsim::services::run
