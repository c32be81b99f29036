// A request target as handlers see it: the path, and the query split into decoded pairs.
#pragma once
#include <string>

#include "net/http.h"

namespace gcpsim::net {

// Sets req.target, req.path and req.query from `target` ("/p?a=1&b"): query keys and values
// are percent-decoded with '+' as space; empty parts ("a=1&&b") are skipped.
void set_target(HttpRequest& req, std::string target);

}  // namespace gcpsim::net
