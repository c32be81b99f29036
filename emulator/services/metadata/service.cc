// The metadata server's routes under /computeMetadata/v1: every request needs
// Metadata-Flavor: Google and passes the route adapter as metadata.ID.
#include "services/metadata/service.h"

#include <functional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/dispatch.h"
#include "core/env.h"
#include "core/ids.h"
#include "net/http.h"
#include "net/route.h"
#include "services/iam/service.h"

namespace gcpsim::services::metadata {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;
using nlohmann::json;

constexpr const char* kDefaultScopes = "https://www.googleapis.com/auth/cloud-platform";

HttpResponse metadata_text(std::string body) {
  return HttpResponse::text(200, std::move(body), "application/text").header("Metadata-Flavor", "Google");
}
// The metadata server says exactly "application/json" (no charset); older google-auth
// releases parse a body as JSON only when the content type is that string.
HttpResponse metadata_json(const json& j) {
  return HttpResponse::text(200, j.dump(), "application/json").header("Metadata-Flavor", "Google");
}

class MetadataService final : public Service {
 public:
  MetadataService(Context& ctx, iam::IamService& iam) : env_(ctx.env), iam_(iam) { add_routes(ctx.router); }

 private:
  void add_routes(net::Router& router);
  void md(net::Router& router, const std::string& path, const std::string& id, std::function<HttpResponse(HttpRequest&)> fn);

  core::Env& env_;
  iam::IamService& iam_;
};

void MetadataService::md(net::Router& router, const std::string& path, const std::string& id,
                         std::function<HttpResponse(HttpRequest&)> fn) {
  router.add("GET", "/computeMetadata/v1" + path, [this, id, fn](HttpRequest& req, Reply reply) {
    if (req.header("Metadata-Flavor").value_or("") != "Google")
      return reply(HttpResponse::text(403, "Missing required header \"Metadata-Flavor\": \"Google\"\n")
                       .header("Metadata-Flavor", "Google"));
    if (req.header("X-Forwarded-For"))
      return reply(HttpResponse::text(403, "Request had an X-Forwarded-For header and was rejected.\n"));
    net::serve(env_, core::Call{"metadata." + id, "metadata", req.path, {}, core::Boundary::kApi}, req,
               std::move(reply), [fn](HttpRequest& r, net::RouteDone done) { done(fn(r)); });
  });
}

void MetadataService::add_routes(net::Router& router) {
  const std::string sa = "/instance/service-accounts/{account}";
  auto account_ok = [this](const HttpRequest& req) {
    auto a = req.param("account");
    return a == "default" || a == iam_.default_email();
  };
  auto unknown_account = [](const HttpRequest& req) {
    return HttpResponse::text(404, "Service account " + req.param("account") + " not found\n").header("Metadata-Flavor", "Google");
  };

  md(router, "/project/project-id", "project-id", [this](HttpRequest&) { return metadata_text(env_.project); });
  md(router, "/project/numeric-project-id", "numeric-project-id", [this](HttpRequest&) { return metadata_text(env_.project_number); });
  md(router, "/instance/region", "region", [this](HttpRequest&) {
    return metadata_text("projects/" + env_.project_number + "/regions/" + env_.region);
  });
  md(router, "/instance/zone", "zone", [this](HttpRequest&) {
    return metadata_text("projects/" + env_.project_number + "/zones/" + env_.region + "-1");
  });
  md(router, "/instance/id", "instance-id", [this](HttpRequest&) { return metadata_text("00" + env_.ids.hex("iam.instance", 16)); });
  md(router, "/instance", "instance", [this](HttpRequest&) {
    return metadata_json({{"id", "gcpsim"}, {"region", "projects/" + env_.project_number + "/regions/" + env_.region}});
  });
  md(router, "/instance/service-accounts", "service-accounts", [this](HttpRequest&) {
    return metadata_text("default/\n" + iam_.default_email() + "/\n");
  });
  md(router, "/instance/service-accounts/", "service-accounts", [this](HttpRequest&) {
    return metadata_text("default/\n" + iam_.default_email() + "/\n");
  });
  md(router, sa, "service-account", [this, account_ok, unknown_account](HttpRequest& req) {
    if (!account_ok(req)) return unknown_account(req);
    return metadata_json({{"aliases", {"default"}}, {"email", iam_.default_email()}, {"scopes", {kDefaultScopes}}});
  });
  // The account's directory: a listing, or with ?recursive=true its values as JSON (what
  // google-auth's Compute Engine credentials read to learn the email and scopes).
  md(router, sa + "/", "service-account", [this, account_ok, unknown_account](HttpRequest& req) {
    if (!account_ok(req)) return unknown_account(req);
    if (req.query_param("recursive").value_or("") == "true")
      return metadata_json({{"aliases", {"default"}}, {"email", iam_.default_email()}, {"scopes", {kDefaultScopes}}});
    return metadata_text("aliases\nemail\nidentity\nscopes\ntoken\n");
  });
  md(router, sa + "/email", "email", [this, account_ok, unknown_account](HttpRequest& req) {
    return account_ok(req) ? metadata_text(iam_.default_email()) : unknown_account(req);
  });
  md(router, sa + "/scopes", "scopes", [account_ok, unknown_account](HttpRequest& req) {
    return account_ok(req) ? metadata_text(std::string(kDefaultScopes) + "\n") : unknown_account(req);
  });
  md(router, sa + "/token", "token", [this, account_ok, unknown_account](HttpRequest& req) {
    if (!account_ok(req)) return unknown_account(req);
    std::string scopes = req.query_param("scopes").value_or(kDefaultScopes);
    std::string token = iam_.access_token(iam_.default_email(), scopes);
    return metadata_json({{"access_token", token}, {"expires_in", 3599}, {"token_type", "Bearer"}});
  });
  md(router, sa + "/identity", "identity", [this, account_ok, unknown_account](HttpRequest& req) {
    if (!account_ok(req)) return unknown_account(req);
    auto audience = req.query_param("audience");
    if (!audience || audience->empty())
      return HttpResponse::text(400, "non-empty audience parameter required\n").header("Metadata-Flavor", "Google");
    return metadata_text(iam_.id_token(*audience));
  });
}

}  // namespace

std::unique_ptr<Service> create(Context& ctx) {
  auto* iam = ctx.registry.get<iam::IamService>("iam");
  if (!iam) throw std::logic_error("the metadata server needs iam before it in the services table");
  return std::make_unique<MetadataService>(ctx, *iam);
}

}  // namespace gcpsim::services::metadata
