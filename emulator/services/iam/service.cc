// The metadata server as google-auth-library and gcp-metadata expect it, Google's certs
// endpoints, and tokens minted by gcpsim's issuer.
#include "services/iam/service.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/dispatch.h"
#include "core/env.h"
#include "core/ids.h"
#include "core/stack.h"
#include "net/http.h"

namespace gcpsim::services::iam {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;
using nlohmann::json;

constexpr auto kAccessTokenLifetime = std::chrono::seconds(3600);
constexpr const char* kDefaultScopes = "https://www.googleapis.com/auth/cloud-platform";

HttpResponse metadata_text(std::string body) {
  return HttpResponse::text(200, std::move(body), "application/text").header("Metadata-Flavor", "Google");
}
HttpResponse metadata_json(const json& j) {
  return HttpResponse::json(200, j.dump()).header("Metadata-Flavor", "Google");
}

}  // namespace

std::unique_ptr<Service> IamService::create(Context& ctx) {
  auto issuer = Issuer::create();
  if (!issuer.ok()) throw std::runtime_error(issuer.status().message());
  std::unique_ptr<IamService> svc(new IamService(ctx, std::move(issuer).value()));
  svc->add_routes(ctx.router);
  return svc;
}

IamService::IamService(Context& ctx, std::unique_ptr<Issuer> issuer) : env_(ctx.env), issuer_(std::move(issuer)) {}

std::string IamService::default_email() const {
  return env_.project_number + "-compute@developer.gserviceaccount.com";
}

std::string IamService::id_token(const std::string& audience, const std::string& email) const {
  IdTokenClaims c;
  c.audience = audience;
  c.email = email.empty() ? default_email() : email;
  c.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(env_.clock.now());
  return issuer_->sign_id_token(c);
}

std::string IamService::access_token(const std::string& email, const std::string& scopes) {
  std::string token = "ya29.gcpsim-" + env_.ids.token("iam.access_token", 24);
  access_tokens_[token] = AccessToken{email, scopes, env_.clock.now() + kAccessTokenLifetime};
  return token;
}

std::optional<AccessToken> IamService::lookup_access_token(const std::string& token) const {
  auto it = access_tokens_.find(token);
  if (it == access_tokens_.end() || env_.clock.now() >= it->second.expires) return std::nullopt;
  return it->second;
}

void IamService::add_routes(net::Router& router) {
  // Every metadata request needs Metadata-Flavor: Google and passes the dispatch wrapper.
  auto md = [this, &router](std::string path, std::string id,
                            std::function<HttpResponse(HttpRequest&)> fn) {
    router.add("GET", "/computeMetadata/v1" + path, [this, id, fn](HttpRequest& req, Reply reply) {
      if (req.header("Metadata-Flavor").value_or("") != "Google")
        return reply(HttpResponse::text(403, "Missing required header \"Metadata-Flavor\": \"Google\"\n")
                         .header("Metadata-Flavor", "Google"));
      if (req.header("X-Forwarded-For"))
        return reply(HttpResponse::text(403, "Request had an X-Forwarded-For header and was rejected.\n"));
      auto response = std::make_shared<HttpResponse>();
      core::dispatch(env_, core::Call{"metadata." + id, "metadata", req.path, {}, core::Boundary::kApi},
                     [&req, fn, response](core::Done done) {
                       *response = fn(req);
                       done(core::Status::ok());
                     },
                     [reply, response](core::Status st) {
                       reply(st.is_ok() ? std::move(*response) : HttpResponse::error(st));
                     });
    });
  };
  const std::string sa = "/instance/service-accounts/{account}";
  auto account_ok = [this](const HttpRequest& req) {
    auto a = req.param("account");
    return a == "default" || a == default_email();
  };
  auto unknown_account = [](const HttpRequest& req) {
    return HttpResponse::text(404, "Service account " + req.param("account") + " not found\n").header("Metadata-Flavor", "Google");
  };

  md("/project/project-id", "project-id", [this](HttpRequest&) { return metadata_text(env_.project); });
  md("/project/numeric-project-id", "numeric-project-id", [this](HttpRequest&) { return metadata_text(env_.project_number); });
  md("/instance/region", "region", [this](HttpRequest&) {
    return metadata_text("projects/" + env_.project_number + "/regions/" + env_.region);
  });
  md("/instance/zone", "zone", [this](HttpRequest&) {
    return metadata_text("projects/" + env_.project_number + "/zones/" + env_.region + "-1");
  });
  md("/instance/id", "instance-id", [this](HttpRequest&) { return metadata_text("00" + env_.ids.hex("iam.instance", 16)); });
  md("/instance", "instance", [this](HttpRequest&) {
    return metadata_json({{"id", "gcpsim"}, {"region", "projects/" + env_.project_number + "/regions/" + env_.region}});
  });
  md("/instance/service-accounts", "service-accounts", [this](HttpRequest&) {
    return metadata_text("default/\n" + default_email() + "/\n");
  });
  md(sa, "service-account", [this, account_ok, unknown_account](HttpRequest& req) {
    if (!account_ok(req)) return unknown_account(req);
    return metadata_json({{"aliases", {"default"}}, {"email", default_email()}, {"scopes", {kDefaultScopes}}});
  });
  md(sa + "/email", "email", [this, account_ok, unknown_account](HttpRequest& req) {
    return account_ok(req) ? metadata_text(default_email()) : unknown_account(req);
  });
  md(sa + "/scopes", "scopes", [account_ok, unknown_account](HttpRequest& req) {
    return account_ok(req) ? metadata_text(std::string(kDefaultScopes) + "\n") : unknown_account(req);
  });
  md(sa + "/token", "token", [this, account_ok, unknown_account](HttpRequest& req) {
    if (!account_ok(req)) return unknown_account(req);
    std::string scopes = req.query_param("scopes").value_or(kDefaultScopes);
    std::string token = access_token(default_email(), scopes);
    return metadata_json({{"access_token", token}, {"expires_in", 3599}, {"token_type", "Bearer"}});
  });
  md(sa + "/identity", "identity", [this, account_ok, unknown_account](HttpRequest& req) {
    if (!account_ok(req)) return unknown_account(req);
    auto audience = req.query_param("audience");
    if (!audience || audience->empty())
      return HttpResponse::text(400, "non-empty audience parameter required\n").header("Metadata-Flavor", "Google");
    return metadata_text(id_token(*audience));
  });

  // Google's public keys, as googleapis.com/oauth2/v1/certs (PEM) and v3/certs (JWKS).
  router.add("GET", "/oauth2/v1/certs", [this](HttpRequest&, Reply reply) {
    reply(HttpResponse::json(200, issuer_->pem_certs_json()).header("Cache-Control", "public, max-age=3600"));
  });
  router.add("GET", "/oauth2/v3/certs", [this](HttpRequest&, Reply reply) {
    reply(HttpResponse::json(200, issuer_->jwks_json()).header("Cache-Control", "public, max-age=3600"));
  });

  // The default service account's key file, for clients that sign locally (getSignedUrl).
  router.add("GET", "/_gcpsim/service-account.json", [this](HttpRequest& req, Reply reply) {
    if (!req.loopback) return reply(HttpResponse::error(core::Status::permission_denied("loopback only")));
    std::string host = req.header("Host").value_or("127.0.0.1:8085");
    json key = {{"type", "service_account"}, {"project_id", env_.project},
                {"private_key_id", issuer_->kid()}, {"private_key", issuer_->private_key_pem()},
                {"client_email", default_email()}, {"client_id", "100000000000000000001"},
                {"auth_uri", "http://" + host + "/o/oauth2/auth"}, {"token_uri", "http://" + host + "/token"}};
    reply(HttpResponse::json(200, key.dump(2)));
  });
}

}  // namespace gcpsim::services::iam
