// The authorization-code flow, token grants, revocation and token introspection.
#include "services/oauth/domain.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <openssl/evp.h>

#include "core/clock.h"
#include "core/ids.h"
#include "services/iam/service.h"

namespace gcpsim::services::oauth {
namespace {

constexpr auto kAccessLifetime = std::chrono::seconds(3600);
constexpr auto kCodeLifetime = std::chrono::minutes(10);
constexpr const char* kDefaultPicture = "https://lh3.googleusercontent.com/a/default-user=s96-c";

core::Status oauth_error(core::Code code, std::string error, std::string description) {
  core::Status s(code, std::move(description));
  s.with(core::ErrorInfo{std::move(error), "oauth2", {}});
  return s;
}
core::Status invalid_grant(std::string d = "Bad Request") { return oauth_error(core::Code::kInvalidArgument, "invalid_grant", std::move(d)); }
core::Status invalid_request(std::string d) { return oauth_error(core::Code::kInvalidArgument, "invalid_request", std::move(d)); }

std::string field(const Form& f, const std::string& k) {
  auto it = f.find(k);
  return it == f.end() ? std::string() : it->second;
}

std::string capitalized(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

bool has_scope(const std::string& scopes, const std::string& s) {
  std::istringstream in(scopes);
  for (std::string w; in >> w;) {
    if (w == s) return true;
  }
  return false;
}

int64_t seconds(core::Time t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

}  // namespace

std::string normalize_scope(const std::string& scope) {
  std::istringstream in(scope);
  std::string out;
  for (std::string w; in >> w;) {
    if (w == "email") w = "https://www.googleapis.com/auth/userinfo.email";
    else if (w == "profile") w = "https://www.googleapis.com/auth/userinfo.profile";
    if (!has_scope(out, w)) out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

std::string s256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return iam::base64url(std::string(reinterpret_cast<char*>(digest), len));
}

User OAuthServer::make_user(const std::string& email, const std::string& name) {
  User u;
  u.email = email;
  std::string local = email.substr(0, email.find('@'));
  std::string first = local.substr(0, local.find_first_of("._+-"));
  std::string last = local.size() > first.size() ? local.substr(first.size() + 1) : "";
  u.given_name = capitalized(first);
  u.family_name = capitalized(last.substr(0, last.find_first_of("._+-")));
  u.name = name.empty() ? u.given_name + (u.family_name.empty() ? "" : " " + u.family_name) : name;
  u.picture = kDefaultPicture;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : email) h = (h ^ c) * 1099511628211ull;
  std::string digits = std::to_string(h);
  u.sub = "1" + std::string(20 - std::min<size_t>(20, digits.size()), '0') + digits.substr(0, 20);
  return u;
}

OAuthServer::OAuthServer(core::Clock& clock, core::Ids& ids, const iam::Issuer& issuer, std::vector<std::string> emails)
    : clock_(clock), ids_(ids), issuer_(issuer) {
  if (emails.empty()) emails.push_back("user@example.com");
  for (const auto& e : emails) users_.push_back(make_user(e));
}

const User* OAuthServer::find_user(const std::string& email) const {
  for (const auto& u : users_) {
    if (u.email == email) return &u;
  }
  return nullptr;
}

void OAuthServer::add_user(User u) {
  for (auto& existing : users_) {
    if (existing.email == u.email) {
      existing = std::move(u);
      return;
    }
  }
  users_.push_back(std::move(u));
}

void OAuthServer::add_client(Client c) { clients_[c.id] = std::move(c); }

core::Status OAuthServer::set_consent(const std::string& email, bool deny) {
  if (!email.empty() && !find_user(email)) return core::Status::not_found("no test user " + email);
  consent_user_ = email;
  deny_ = deny;
  return core::Status::ok();
}

core::StatusOr<Redirect> OAuthServer::authorize(const AuthorizeRequest& r) {
  if (r.client_id.empty()) return invalid_request("Missing required parameter: client_id");
  if (r.redirect_uri.empty()) return invalid_request("Missing required parameter: redirect_uri");
  if (r.response_type.empty()) return invalid_request("Missing required parameter: response_type");
  if (r.scope.empty()) return invalid_request("Missing required parameter: scope");
  if (auto c = clients_.find(r.client_id); c != clients_.end() && !c->second.redirect_uris.empty() &&
      std::find(c->second.redirect_uris.begin(), c->second.redirect_uris.end(), r.redirect_uri) == c->second.redirect_uris.end()) {
    return oauth_error(core::Code::kInvalidArgument, "redirect_uri_mismatch",
                       "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy.");
  }
  Redirect out{r.redirect_uri, {}};
  if (!r.state.empty()) out.params.emplace_back("state", r.state);
  auto refuse = [&out](const char* error) {
    out.params.emplace_back("error", error);
    return out;
  };
  if (r.response_type != "code") return refuse("unsupported_response_type");
  if (deny_) return refuse("access_denied");
  std::string email = !r.login_hint.empty() ? r.login_hint : !consent_user_.empty() ? consent_user_ : default_user().email;
  if (!find_user(email)) {
    if (email.find('@') == std::string::npos) return refuse("access_denied");
    add_user(make_user(email));
  }
  std::string grant_id = ids_.hex("oauth.grant", 8);
  Grant& g = grants_[grant_id] = Grant{email, r.client_id, normalize_scope(r.scope), r.nonce, r.access_type == "offline", false};
  std::string code = "4/0A" + ids_.token("oauth.code", 48);
  std::string method = r.code_challenge_method.empty() ? "plain" : r.code_challenge_method;
  codes_[code] = Code{grant_id, r.redirect_uri, r.code_challenge, method, clock_.now() + kCodeLifetime, false};
  out.params.emplace_back("code", code);
  out.params.emplace_back("scope", g.scope);
  out.params.emplace_back("authuser", "0");
  out.params.emplace_back("prompt", "consent");
  return out;
}

core::Status OAuthServer::check_client(const Form& form) const {
  std::string id = field(form, "client_id");
  if (id.empty()) return invalid_request("Could not determine client ID from request.");
  auto c = clients_.find(id);
  if (c != clients_.end() && !c->second.secret.empty() && c->second.secret != field(form, "client_secret")) {
    return oauth_error(core::Code::kUnauthenticated, "invalid_client", "Unauthorized");
  }
  return core::Status::ok();
}

core::StatusOr<TokenResponse> OAuthServer::token(const Form& form) {
  std::string type = field(form, "grant_type");
  if (type == "authorization_code") return exchange_code(form);
  if (type == "refresh_token") return refresh(form);
  if (type.empty()) return invalid_request("Missing required parameter: grant_type");
  return oauth_error(core::Code::kInvalidArgument, "unsupported_grant_type", "Invalid grant_type: " + type);
}

core::StatusOr<TokenResponse> OAuthServer::exchange_code(const Form& form) {
  RETURN_IF_ERROR(check_client(form));
  std::string code = field(form, "code");
  if (code.empty()) return invalid_request("Missing required parameter: code");
  auto it = codes_.find(code);
  if (it == codes_.end()) return invalid_grant("Malformed auth code.");
  Code& c = it->second;
  const Grant& g = grants_.at(c.grant);
  if (c.used || g.revoked || clock_.now() >= c.expires || g.client_id != field(form, "client_id")) return invalid_grant();
  if (field(form, "redirect_uri") != c.redirect_uri) {
    return oauth_error(core::Code::kInvalidArgument, "redirect_uri_mismatch", "Bad Request");
  }
  if (!c.challenge.empty()) {
    std::string verifier = field(form, "code_verifier");
    if (verifier.empty()) return invalid_grant("Missing code verifier.");
    if ((c.challenge_method == "S256" ? s256(verifier) : verifier) != c.challenge) return invalid_grant("Invalid code verifier.");
  }
  c.used = true;
  return mint(c.grant, g.offline);
}

core::StatusOr<TokenResponse> OAuthServer::refresh(const Form& form) {
  RETURN_IF_ERROR(check_client(form));
  std::string token = field(form, "refresh_token");
  if (token.empty()) return invalid_request("Missing required parameter: refresh_token");
  auto it = refresh_.find(token);
  if (it == refresh_.end() || grants_.at(it->second).revoked) return invalid_grant("Token has been expired or revoked.");
  if (grants_.at(it->second).client_id != field(form, "client_id")) return oauth_error(core::Code::kUnauthenticated, "unauthorized_client", "Unauthorized");
  return mint(it->second, false);
}

TokenResponse OAuthServer::mint(const std::string& grant_id, bool with_refresh) {
  const Grant& g = grants_.at(grant_id);
  TokenResponse r;
  r.access_token = "ya29.a0" + ids_.token("oauth.access_token", 96);
  access_[r.access_token] = Access{grant_id, clock_.now() + kAccessLifetime};
  if (with_refresh) {
    r.refresh_token = "1//0" + ids_.token("oauth.refresh_token", 72);
    refresh_[r.refresh_token] = grant_id;
  }
  r.scope = g.scope;
  if (has_scope(g.scope, "openid")) r.id_token = id_token(g, r.access_token);
  return r;
}

std::string OAuthServer::id_token(const Grant& g, const std::string& access_token) const {
  const User& u = *find_user(g.user);
  int64_t now = seconds(clock_.now());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(access_token.data(), access_token.size(), digest, &len, EVP_sha256(), nullptr);
  nlohmann::ordered_json claims = {{"iss", "https://accounts.google.com"}, {"azp", g.client_id}, {"aud", g.client_id},
                                   {"sub", u.sub}};
  if (has_scope(g.scope, "https://www.googleapis.com/auth/userinfo.email")) {
    claims["email"] = u.email;
    claims["email_verified"] = true;
  }
  claims["at_hash"] = iam::base64url(std::string(reinterpret_cast<char*>(digest), len / 2));
  if (!g.nonce.empty()) claims["nonce"] = g.nonce;
  if (has_scope(g.scope, "https://www.googleapis.com/auth/userinfo.profile")) {
    claims["name"] = u.name;
    claims["picture"] = u.picture;
    claims["given_name"] = u.given_name;
    if (!u.family_name.empty()) claims["family_name"] = u.family_name;
  }
  claims["iat"] = now;
  claims["exp"] = now + std::chrono::duration_cast<std::chrono::seconds>(kAccessLifetime).count();
  return issuer_.sign_jwt(claims.dump());
}

core::Status OAuthServer::revoke(const std::string& token) {
  std::string grant;
  if (auto a = access_.find(token); a != access_.end()) grant = a->second.grant;
  if (auto r = refresh_.find(token); r != refresh_.end()) grant = r->second;
  if (grant.empty() || grants_.at(grant).revoked) return oauth_error(core::Code::kInvalidArgument, "invalid_token", "Token expired or revoked");
  grants_.at(grant).revoked = true;
  return core::Status::ok();
}

std::optional<core::StatusOr<std::string>> OAuthServer::identify(const std::string& token) const {
  auto a = access_.find(token);
  if (a == access_.end()) return std::nullopt;
  if (grants_.at(a->second.grant).revoked || clock_.now() >= a->second.expires) {
    return core::StatusOr<std::string>(core::Status::unauthenticated(
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
        "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."));
  }
  return core::StatusOr<std::string>(grants_.at(a->second.grant).user);
}

core::StatusOr<User> OAuthServer::user_for_access_token(const std::string& token, std::string* scope) const {
  auto who = identify(token);
  if (!who || !who->ok()) return oauth_error(core::Code::kUnauthenticated, "invalid_request", "Invalid Credentials");
  if (scope) *scope = grants_.at(access_.at(token).grant).scope;
  return *find_user(**who);
}

core::StatusOr<nlohmann::json> OAuthServer::token_info(const std::string& access_token, const std::string& id_token) const {
  auto invalid = oauth_error(core::Code::kInvalidArgument, "invalid_token", "Invalid Value");
  if (!id_token.empty()) {
    auto v = issuer_.verify(id_token, clock_.now());
    if (!v.ok()) return invalid;
    nlohmann::json claims = nlohmann::json::parse(v->payload_json);
    nlohmann::json out = nlohmann::json::object();
    for (auto& [k, val] : claims.items()) out[k] = val.is_string() ? val.get<std::string>() : val.dump();
    out["alg"] = "RS256";
    out["kid"] = issuer_.kid();
    out["typ"] = "JWT";
    return out;
  }
  auto a = access_.find(access_token);
  auto who = identify(access_token);
  if (!who || !who->ok()) return invalid;
  const Grant& g = grants_.at(a->second.grant);
  const User& u = *find_user(g.user);
  int64_t left = seconds(a->second.expires) - seconds(clock_.now());
  nlohmann::json out = {{"azp", g.client_id}, {"aud", g.client_id}, {"sub", u.sub}, {"scope", g.scope},
                        {"exp", std::to_string(seconds(a->second.expires))}, {"expires_in", std::to_string(left)}};
  if (has_scope(g.scope, "https://www.googleapis.com/auth/userinfo.email")) {
    out["email"] = u.email;
    out["email_verified"] = "true";
  }
  out["access_type"] = g.offline ? "offline" : "online";
  return out;
}

}  // namespace gcpsim::services::oauth
