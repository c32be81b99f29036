// Every answer the Cloud Run front end gives on its own (not the instance's), in Cloud Run's
// wording: auth refusals, ingress, 429/504/413, an instance that failed or crashed.
#pragma once
#include <string>

#include "net/http.h"

namespace gcpsim::services::run::responses {

net::HttpResponse forbidden(const std::string& path);        // 403: no credentials, or not allowed
net::HttpResponse unauthorized(const std::string& path);     // 401: a token that does not verify
net::HttpResponse ingress_blocked(const std::string& path);  // 404: ingress "internal"
net::HttpResponse no_instance();                             // 429: nothing took it in time
net::HttpResponse request_timeout();                         // 504: the service's timeout elapsed
net::HttpResponse too_large();                               // 413: body over 32 MiB
net::HttpResponse upstream_failed();                         // 503: the instance reset or vanished
net::HttpResponse start_failed();                            // 503: an instance could not start

}  // namespace gcpsim::services::run::responses
