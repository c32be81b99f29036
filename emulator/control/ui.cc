// Serves the embedded console and streams the event log as server-sent events.
#include "control/ui.h"

#include <memory>

#include "control/ui_assets.h"
#include "core/env.h"
#include "core/events.h"
#include "net/http.h"

namespace gcpsim::control {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;

constexpr std::string_view kPrefix = "/_gcpsim/ui/";

std::string content_type(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

// The console loads nothing from anywhere but gcpsim, and no other page may frame it (its
// buttons kill servers and move the clock).
HttpResponse asset_response(const UiAsset& a) {
  auto r = HttpResponse::text(200, std::string(a.body), content_type(a.path));
  r.header("Content-Security-Policy",
           "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'");
  r.header("X-Content-Type-Options", "nosniff");
  r.header("X-Frame-Options", "DENY");
  r.header("Cache-Control", "no-cache");
  return r;
}

void serve_asset(HttpRequest& req, Reply reply) {
  // Relative module imports need the trailing slash on the console's own address.
  if (req.path.size() < kPrefix.size()) {
    HttpResponse r;
    r.status = 308;
    r.header("Location", std::string(kPrefix));
    return reply(std::move(r));
  }
  std::string path = req.param("path");
  if (path.empty()) path = "index.html";
  for (const auto& a : ui_assets())
    if (a.path == path) return reply(asset_response(a));
  reply(HttpResponse::error(core::Status::not_found("The console has no file " + path + ".")));
}

std::string sse_frame(const core::Event& e) {
  return "id: " + std::to_string(e.seq) + "\ndata: " + core::Events::to_json(e) + "\n\n";
}

// Events after `since` from the log, then each new one as it is recorded. A client that
// went away is noticed at the next event, which unsubscribes it.
void stream_events(HttpRequest& req, Reply reply, core::Events& events) {
  uint64_t since = 0;
  try {
    // EventSource resumes after a dropped connection from the last id it saw.
    since = std::stoull(req.header("Last-Event-ID").value_or(req.query_param("since").value_or("0")));
  } catch (const std::exception&) {
    return reply(HttpResponse::error(core::Status::invalid_argument("since must be a non-negative integer")));
  }
  HttpResponse r;
  r.header("Content-Type", "text/event-stream");
  r.header("Cache-Control", "no-store");
  r.stream = [&events, since](std::shared_ptr<net::BodyWriter> w) {
    std::string backlog = ": gcpsim events\n\n";
    for (const auto& e : events.query(core::EventQuery{.since_seq = since})) backlog += sse_frame(e);
    if (!w->write(std::move(backlog))) return;
    auto id = std::make_shared<uint64_t>(0);
    *id = events.subscribe([&events, w, id](const core::Event& e) {
      if (!w->write(sse_frame(e))) events.unsubscribe(*id);
    });
  };
  reply(std::move(r));
}

}  // namespace

void add_ui_routes(net::Router& router, core::Env& env) {
  router.add_guarded("GET", "/_gcpsim/ui", serve_asset);
  router.add_guarded("GET", "/_gcpsim/ui/", serve_asset);
  router.add_guarded("GET", "/_gcpsim/ui/{path**}", serve_asset);
  router.add_guarded("GET", "/_gcpsim/events/stream", [&env](HttpRequest& req, Reply reply) {
    stream_events(req, std::move(reply), env.events);
  });
}

}  // namespace gcpsim::control
