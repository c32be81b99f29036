// The Run service's routes on the edge: /_gcpsim/run (list, :kill, :restart) behind the
// control guard, and the Host fallback that sends SERVICE.run.localhost to the service.
#include <nlohmann/json.hpp>

#include "net/http.h"
#include "services/run/revision.h"
#include "services/run/service.h"

namespace gcpsim::services::run {
namespace {

using nlohmann::json;

json describe(const Revision& rev) {
  json instances = json::array();
  for (const auto& i : rev.instances()) {
    json j = {{"id", i.id}, {"state", i.state}, {"inFlight", i.in_flight}, {"served", i.served}, {"port", i.port}};
    if (i.pid) j["pid"] = *i.pid;
    if (i.cold_start_ms >= 0) j["coldStartMs"] = i.cold_start_ms;
    instances.push_back(std::move(j));
  }
  const auto& c = rev.config();
  return {{"name", rev.name()},
          {"revision", rev.revision_name()},
          {"url", rev.url()},
          {"port", rev.port()},
          {"concurrency", c.concurrency},
          {"minInstances", c.min_instances},
          {"maxInstances", c.max_instances},
          {"timeout", core::format_duration(c.timeout)},
          {"queued", rev.queued()},
          {"labels", c.labels},
          {"serviceAccount", c.service_account},
          {"instances", std::move(instances)}};
}

}  // namespace

void RunService::add_routes(net::Router& router) {
  router.add_guarded("GET", "/_gcpsim/run", [this](net::HttpRequest&, net::Reply reply) {
    json list = json::array();
    for (const auto& [name, rev] : revisions_) list.push_back(describe(*rev));
    reply(net::HttpResponse::json(200, json{{"services", std::move(list)}}.dump()));
  });
  // POST /_gcpsim/run/{service}:kill — crash every instance; :restart — replace them.
  router.add_guarded("POST", "/_gcpsim/run/{target}", [this](net::HttpRequest& req, net::Reply reply) {
    std::string target = req.param("target");
    auto colon = target.rfind(':');
    std::string verb = colon == std::string::npos ? "" : target.substr(colon + 1);
    Revision* rev = colon == std::string::npos ? nullptr : find(target.substr(0, colon));
    if (!rev) return reply(net::HttpResponse::error(core::Status::not_found("Run service [" + target.substr(0, colon) + "] not found.")));
    if (verb == "kill") {
      rev->kill_instances();
    } else if (verb == "restart") {
      rev->restart();
    } else {
      return reply(net::HttpResponse::error(core::Status::invalid_argument("expected :kill or :restart, got :" + verb)));
    }
    reply(net::HttpResponse::json(200, describe(*rev).dump()));
  });
  router.add_fallback([this](net::HttpRequest& req, net::Reply& reply) {
    auto host = req.header("Host");
    Revision* rev = host ? find_by_host(*host) : nullptr;
    if (!rev) return false;
    rev->handle_edge(req, std::move(reply));
    return true;
  });
}

}  // namespace gcpsim::services::run
