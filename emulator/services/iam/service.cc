// Identity: tokens minted by gcpsim's issuer, Google's certs endpoints and the default
// service account's key file. The metadata server that serves these tokens is services/metadata.
#include "services/iam/service.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "core/ids.h"
#include "core/stack.h"
#include "net/http.h"
#include "net/route.h"

namespace gcpsim::services::iam {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;
using nlohmann::json;

constexpr auto kAccessTokenLifetime = std::chrono::seconds(3600);

// Standard (padded) base64, as the IAM Credentials API's JSON carries bytes.
std::string base64_std(const std::string& bytes) {
  std::string s = base64url(bytes);
  for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s.push_back('=');
  return s;
}

std::optional<std::string> base64_std_decode(std::string text) {
  for (auto& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!text.empty() && text.back() == '=') text.pop_back();
  return base64url_decode(text);
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
  // Google's public keys, as googleapis.com/oauth2/v1/certs (PEM) and v3/certs (JWKS).
  router.add("GET", "/oauth2/v1/certs", [this](HttpRequest&, Reply reply) {
    reply(HttpResponse::json(200, issuer_->pem_certs_json()).header("Cache-Control", "public, max-age=3600"));
  });
  router.add("GET", "/oauth2/v3/certs", [this](HttpRequest&, Reply reply) {
    reply(HttpResponse::json(200, issuer_->jwks_json()).header("Cache-Control", "public, max-age=3600"));
  });

  // IAM Service Account Credentials' signBlob: how code on Cloud Run, which has no key file,
  // signs (google-auth-library's sign(), so getSignedUrl with `signingEndpoint`). The caller
  // needs an access token from the metadata server; only the default account has a key.
  net::add_route(router, env_, "POST", "/v1/projects/{project}/serviceAccounts/{name**}",
                 {"iamcredentials.signBlob", "iam", [](const HttpRequest& r) { return r.path; }},
                 [this](HttpRequest& req) { return sign_blob(req); });

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

net::RouteResult IamService::sign_blob(HttpRequest& req) const {
  std::string name = req.params["name"];
  const std::string verb = ":signBlob";
  if (name.size() <= verb.size() || name.compare(name.size() - verb.size(), verb.size(), verb) != 0)
    return core::Status::not_found("Method not found.");
  std::string email = name.substr(0, name.size() - verb.size());
  std::string auth = req.header("Authorization").value_or("");
  if (auth.rfind("Bearer ", 0) != 0 || !lookup_access_token(auth.substr(7)))
    return core::Status::unauthenticated(
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
        "authentication credential.");
  if (email != default_email())
    return core::Status::permission_denied(
        "Permission 'iam.serviceAccounts.signBlob' denied on resource (or it may not exist).");
  auto body = json::parse(req.body, nullptr, false);
  auto payload = body.is_object() && body.contains("payload") && body["payload"].is_string()
                     ? base64_std_decode(body["payload"].get<std::string>())
                     : std::nullopt;
  if (!payload) return core::Status::invalid_argument("Invalid value at 'payload' (TYPE_BYTES): a base64 payload is required.");
  json out = {{"keyId", issuer_->kid()}, {"signedBlob", base64_std(issuer_->sign_bytes(*payload))}};
  return HttpResponse::json(200, out.dump());
}

}  // namespace gcpsim::services::iam
