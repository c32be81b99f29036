// Identity: tokens minted by gcpsim's issuer, Google's certs endpoints and the default
// service account's key file. The metadata server that serves these tokens is services/metadata.
#include "services/iam/service.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"
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
