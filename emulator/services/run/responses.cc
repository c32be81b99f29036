// Cloud Run's own error pages: the Google front end's HTML for auth, ingress and size
// refusals, the proxy's plain text for timeouts and upstream resets.
#include "services/run/responses.h"

namespace gcpsim::services::run::responses {
namespace {

// The page Cloud Run's front end serves for 401/403/404/429.
net::HttpResponse front_end_page(int status, const std::string& title, const std::string& h1, const std::string& h2) {
  std::string body =
      "<html><head>\n<meta http-equiv=\"content-type\" content=\"text/html;charset=utf-8\">\n<title>" +
      std::to_string(status) + " " + title + "</title>\n</head>\n<body text=#000000 bgcolor=#ffffff>\n<h1>Error: " + h1 +
      "</h1>\n<h2>" + h2 + "</h2>\n<h2></h2>\n</body></html>\n";
  return net::HttpResponse::text(status, std::move(body), "text/html; charset=utf-8");
}

}  // namespace

net::HttpResponse forbidden(const std::string& path) {
  return front_end_page(403, "Forbidden", "Forbidden",
                        "Your client does not have permission to get URL <code>" + net::xml_escape(path) +
                            "</code> from this server.");
}

net::HttpResponse unauthorized(const std::string& path) {
  return front_end_page(401, "Unauthorized", "Unauthorized",
                        "Your client does not have permission to the requested URL <code>" + net::xml_escape(path) +
                            "</code>.")
      .header("WWW-Authenticate",
              "Bearer error=\"invalid_token\" error_description=\"The access token could not be verified\"");
}

net::HttpResponse ingress_blocked(const std::string& path) {
  return front_end_page(404, "Page not found", "Page not found",
                        "The requested URL <code>" + net::xml_escape(path) + "</code> was not found on this server.");
}

net::HttpResponse no_instance() {
  return front_end_page(429, "Too Many Requests", "Too Many Requests",
                        "The request was aborted because there was no available instance.");
}

net::HttpResponse request_timeout() { return net::HttpResponse::text(504, "upstream request timeout"); }

net::HttpResponse too_large() {
  return net::HttpResponse::text(
      413,
      "<!DOCTYPE html>\n<html lang=en>\n<meta charset=utf-8>\n<title>Error 413 (Request Entity Too Large)!!1</title>\n"
      "<p><b>413.</b> <ins>That\xE2\x80\x99s an error.</ins>\n"
      "<p>Your client issued a request that was too large.\n<ins>That\xE2\x80\x99s all we know.</ins>\n",
      "text/html; charset=UTF-8");
}

net::HttpResponse upstream_failed() {
  return net::HttpResponse::text(
      503, "upstream connect error or disconnect/reset before headers. reset reason: connection termination");
}

net::HttpResponse start_failed() {
  return net::HttpResponse::text(503, "Service Unavailable: the instance failed to start.");
}

}  // namespace gcpsim::services::run::responses
