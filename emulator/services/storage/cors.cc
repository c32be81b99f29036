// CORS matching: origins compare exactly (or "*"), methods case-sensitively as configured.
#include "services/storage/cors.h"

#include "services/storage/errors.h"

namespace gcpsim::services::storage {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& e : v)
    if (e == s || e == "*") return true;
  return false;
}

}  // namespace

const CorsEntry* match_cors(const std::vector<CorsEntry>& cors, const std::string& origin, const std::string& method) {
  for (const auto& c : cors)
    if (contains(c.origins, origin) && contains(c.methods, method)) return &c;
  return nullptr;
}

net::HttpResponse preflight(const std::vector<CorsEntry>& cors, const net::HttpRequest& req) {
  auto origin = req.header("Origin");
  auto method = req.header("Access-Control-Request-Method");
  const CorsEntry* c = origin && method ? match_cors(cors, *origin, *method) : nullptr;
  if (!c) {
    auto r = net::HttpResponse::text(403, errors::xml_body("AccessDenied", "CORS request not allowed."),
                                     "application/xml; charset=UTF-8");
    return r;
  }
  net::HttpResponse r;
  r.status = 200;
  r.header("Access-Control-Allow-Origin", *origin);
  r.header("Access-Control-Allow-Methods", join(c->methods));
  if (auto h = req.header("Access-Control-Request-Headers")) r.header("Access-Control-Allow-Headers", *h);
  if (c->max_age_seconds) r.header("Access-Control-Max-Age", std::to_string(*c->max_age_seconds));
  r.header("Vary", "Origin");
  return r;
}

void add_cors_headers(const std::vector<CorsEntry>& cors, const net::HttpRequest& req, net::HttpResponse& res) {
  auto origin = req.header("Origin");
  if (!origin) return;
  const CorsEntry* c = match_cors(cors, *origin, req.method);
  if (!c) return;
  res.header("Access-Control-Allow-Origin", *origin);
  if (!c->response_headers.empty()) res.header("Access-Control-Expose-Headers", join(c->response_headers));
  res.header("Vary", "Origin");
}

}  // namespace gcpsim::services::storage
