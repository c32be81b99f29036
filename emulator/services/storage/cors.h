// A bucket's CORS configuration applied on the path-style endpoint: preflight answers and the
// Access-Control-* headers on actual requests.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "net/http.h"
#include "services/storage/model.h"

namespace gcpsim::services::storage {

// The first entry allowing this origin and method.
const CorsEntry* match_cors(const std::vector<CorsEntry>& cors, const std::string& origin, const std::string& method);
// An OPTIONS preflight: 200 with the allowance, or 403 when no entry allows it.
net::HttpResponse preflight(const std::vector<CorsEntry>& cors, const net::HttpRequest& req);
// Adds Access-Control-Allow-Origin (and Expose-Headers) when the request's Origin is allowed.
void add_cors_headers(const std::vector<CorsEntry>& cors, const net::HttpRequest& req, net::HttpResponse& res);

}  // namespace gcpsim::services::storage
