// OAuth's route table: Google's authorization, token, revoke, tokeninfo and userinfo
// endpoints, OpenID discovery, and the /_gcpsim/oauth control routes.
#include <memory>

#include "core/env.h"
#include "net/guard.h"
#include "net/http.h"
#include "net/route.h"
#include "services/iam/service.h"
#include "services/oauth/service.h"

namespace gcpsim::services::oauth {
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;
using nlohmann::json;

using net::RouteResult;

std::string reason_of(const core::Status& s) {
  for (const auto& d : s.details()) {
    if (const auto* info = std::get_if<core::ErrorInfo>(&d)) return info->reason;
  }
  return "invalid_request";
}

// OAuth 2.0's error shape: {"error": "invalid_grant", "error_description": "Bad Request"}.
HttpResponse oauth_failure(const core::Status& s) {
  return HttpResponse::json(core::http_status(s.code()), json{{"error", reason_of(s)}, {"error_description", s.message()}}.dump());
}

// The consent page's refusal: a plain-text 400 page, as Google shows it in the browser.
HttpResponse authorize_failure(const core::Status& s) {
  return HttpResponse::text(400, "Error 400: " + reason_of(s) + "\n\n" + s.message() + "\n");
}

Form query_form(const HttpRequest& req) {
  Form f;
  for (const auto& [k, v] : req.query) f[k] = v;
  return f;
}

// Query parameters, then a form-encoded or JSON body, then HTTP Basic client credentials.
Form request_form(const HttpRequest& req) {
  Form f = query_form(req);
  if (req.header("Content-Type").value_or("").rfind("application/json", 0) == 0) {
    auto j = json::parse(req.body, nullptr, false);
    if (j.is_object()) {
      for (auto& [k, v] : j.items()) f[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  } else {
    size_t pos = 0;
    while (pos < req.body.size()) {
      size_t amp = req.body.find('&', pos);
      std::string pair = req.body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      size_t eq = pair.find('=');
      if (!pair.empty()) f[net::percent_decode(pair.substr(0, eq), true)] = eq == std::string::npos ? "" : net::percent_decode(pair.substr(eq + 1), true);
      pos = amp == std::string::npos ? req.body.size() : amp + 1;
    }
  }
  std::string auth = req.header("Authorization").value_or("");
  if (auth.rfind("Basic ", 0) == 0) {
    std::string b64 = auth.substr(6);
    for (auto& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    if (auto creds = iam::base64url_decode(b64); creds && creds->find(':') != std::string::npos) {
      f.emplace("client_id", net::percent_decode(creds->substr(0, creds->find(':'))));
      f.emplace("client_secret", net::percent_decode(creds->substr(creds->find(':') + 1)));
    }
  }
  return f;
}

std::string field(const Form& f, const char* k) {
  auto it = f.find(k);
  return it == f.end() ? "" : it->second;
}

RouteResult authorize(OAuthServer& server, const HttpRequest& req) {
  Form q = query_form(req);
  AuthorizeRequest r{field(q, "client_id"), field(q, "redirect_uri"), field(q, "response_type"), field(q, "scope"),
                     field(q, "state"), field(q, "login_hint"), field(q, "nonce"), field(q, "code_challenge"),
                     field(q, "code_challenge_method"), field(q, "access_type")};
  auto redirect = server.authorize(r);
  if (!redirect.ok()) return redirect.status();
  std::string location = redirect->uri;
  char sep = location.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : redirect->params) {
    location += sep + k + "=" + net::percent_encode(v);
    sep = '&';
  }
  HttpResponse res = HttpResponse::text(302, "");
  res.header("Location", location);
  return res;
}

RouteResult token(OAuthServer& server, const HttpRequest& req) {
  auto t = server.token(request_form(req));
  if (!t.ok()) return t.status();
  json body = {{"access_token", t->access_token}, {"expires_in", t->expires_in}};
  if (!t->refresh_token.empty()) body["refresh_token"] = t->refresh_token;
  body["scope"] = t->scope;
  body["token_type"] = "Bearer";
  if (!t->id_token.empty()) body["id_token"] = t->id_token;
  return HttpResponse::json(200, body.dump()).header("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
}

RouteResult userinfo(OAuthServer& server, const HttpRequest& req, bool v3) {
  std::string auth = req.header("Authorization").value_or("");
  std::string token = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : field(query_form(req), "access_token");
  std::string scope;
  auto u = server.user_for_access_token(token, &scope);
  if (!u.ok()) return u.status();
  bool email = scope.find("userinfo.email") != std::string::npos, profile = scope.find("userinfo.profile") != std::string::npos;
  json body = {{v3 ? "sub" : "id", u->sub}};
  if (profile) {
    body["name"] = u->name;
    body["given_name"] = u->given_name;
    if (!u->family_name.empty()) body["family_name"] = u->family_name;
    body["picture"] = u->picture;
  }
  if (email) {
    body["email"] = u->email;
    body[v3 ? "email_verified" : "verified_email"] = true;
  }
  return HttpResponse::json(200, body.dump());
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void add_control_routes(net::Router& router, OAuthServer& server) {
  auto with_json = [](auto fn) {
    return [fn](HttpRequest& req, Reply reply) {
      auto body = net::json_body(req);
      if (!body.ok()) return reply(HttpResponse::error(body.status()));
      fn(*body, std::move(reply));
    };
  };
  auto users = [&server] {
    json list = json::array();
    for (const auto& u : server.users()) list.push_back({{"email", u.email}, {"name", u.name}, {"sub", u.sub}});
    return HttpResponse::json(200, json{{"users", list}}.dump());
  };
  router.add_guarded("GET", "/_gcpsim/oauth/users", with_json([users](const json&, Reply reply) { reply(users()); }));
  router.add_guarded("POST", "/_gcpsim/oauth/users", with_json([&server, users](const json& b, Reply reply) {
    std::string email = text(b, "email");
    if (email.find('@') == std::string::npos) return reply(HttpResponse::error(core::Status::invalid_argument("email is required")));
    server.add_user(OAuthServer::make_user(email, text(b, "name")));
    reply(users());
  }));
  router.add_guarded("POST", "/_gcpsim/oauth/consent", with_json([&server](const json& b, Reply reply) {
    auto deny = b.find("deny");
    auto st = server.set_consent(text(b, "user"), deny != b.end() && deny->is_boolean() && deny->get<bool>());
    reply(st.is_ok() ? HttpResponse::json(200, b.dump()) : HttpResponse::error(st));
  }));
  router.add_guarded("POST", "/_gcpsim/oauth/clients", with_json([&server](const json& b, Reply reply) {
    Client c{text(b, "client_id"), text(b, "client_secret"), {}};
    if (auto uris = b.find("redirect_uris"); uris != b.end() && uris->is_array()) {
      for (const auto& u : *uris) {
        if (u.is_string()) c.redirect_uris.push_back(u.get<std::string>());
      }
    }
    if (c.id.empty()) return reply(HttpResponse::error(core::Status::invalid_argument("client_id is required")));
    server.add_client(c);
    reply(HttpResponse::json(200, b.dump()));
  }));
}

json discovery(const HttpRequest& req) {
  std::string base = "http://" + req.header("Host").value_or("127.0.0.1");
  return {{"issuer", "https://accounts.google.com"},
          {"authorization_endpoint", base + "/o/oauth2/v2/auth"},
          {"token_endpoint", base + "/token"},
          {"userinfo_endpoint", base + "/v1/userinfo"},
          {"revocation_endpoint", base + "/revoke"},
          {"jwks_uri", base + "/oauth2/v3/certs"},
          {"response_types_supported", {"code"}},
          {"subject_types_supported", {"public"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"scopes_supported", {"openid", "email", "profile"}},
          {"token_endpoint_auth_methods_supported", {"client_secret_post", "client_secret_basic"}},
          {"claims_supported", {"aud", "email", "email_verified", "exp", "family_name", "given_name", "iat", "iss", "name", "picture", "sub"}},
          {"code_challenge_methods_supported", {"plain", "S256"}},
          {"grant_types_supported", {"authorization_code", "refresh_token"}}};
}

}  // namespace

void add_routes(net::Router& router, core::Env& env, OAuthServer& server) {
  // Failures (and injected faults) answer in OAuth 2.0's error shape; the consent page in its own.
  auto route = [&router, &env](const char* method, const char* path, const char* id, net::RouteFn fn) {
    net::RouteErrors errors{std::string(id) == "authorize" ? authorize_failure : oauth_failure};
    net::add_route(router, env, method, path, {std::string("oauth.") + id, "oauth", nullptr, errors}, std::move(fn));
  };
  auto authz = [&server](const HttpRequest& req) { return authorize(server, req); };
  auto tokens = [&server](const HttpRequest& req) { return token(server, req); };
  auto revoke = [&server](const HttpRequest& req) -> RouteResult {
    auto st = server.revoke(field(request_form(req), "token"));
    if (!st.is_ok()) return st;
    return HttpResponse::json(200, "{}");
  };
  auto info = [&server](const HttpRequest& req) -> RouteResult {
    Form f = request_form(req);
    // google-auth-library's getTokenInfo sends the token as a bearer credential.
    std::string bearer = req.header("Authorization").value_or("");
    if (bearer.rfind("Bearer ", 0) == 0) f.emplace("access_token", bearer.substr(7));
    auto r = server.token_info(field(f, "access_token"), field(f, "id_token"));
    if (!r.ok()) return r.status();
    return HttpResponse::json(200, r->dump());
  };
  auto user_v3 = [&server](const HttpRequest& req) { return userinfo(server, req, true); };
  auto user_v2 = [&server](const HttpRequest& req) { return userinfo(server, req, false); };

  route("GET", "/o/oauth2/v2/auth", "authorize", authz);
  route("GET", "/o/oauth2/auth", "authorize", authz);
  route("POST", "/token", "token", tokens);
  route("POST", "/oauth2/v4/token", "token", tokens);
  route("POST", "/o/oauth2/token", "token", tokens);
  route("POST", "/revoke", "revoke", revoke);
  route("GET", "/revoke", "revoke", revoke);
  route("POST", "/o/oauth2/revoke", "revoke", revoke);
  route("GET", "/o/oauth2/revoke", "revoke", revoke);
  route("GET", "/tokeninfo", "tokeninfo", info);
  route("POST", "/tokeninfo", "tokeninfo", info);
  route("GET", "/oauth2/v3/tokeninfo", "tokeninfo", info);
  route("POST", "/oauth2/v3/tokeninfo", "tokeninfo", info);
  route("GET", "/oauth2/v3/userinfo", "userinfo", user_v3);
  route("GET", "/v1/userinfo", "userinfo", user_v3);
  route("GET", "/oauth2/v2/userinfo", "userinfo", user_v2);
  route("GET", "/oauth2/v1/userinfo", "userinfo", user_v2);
  router.add("GET", "/.well-known/openid-configuration",
             [](HttpRequest& req, Reply reply) { reply(HttpResponse::json(200, discovery(req).dump())); });
  add_control_routes(router, server);
}

}  // namespace gcpsim::services::oauth
