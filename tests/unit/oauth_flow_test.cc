// Specification of the OAuth sign-in stub: the code flow with automatic consent, PKCE,
// refresh and revocation, ID tokens from gcpsim's issuer, expiry on the virtual clock.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/ids.h"
#include "services/iam/issuer.h"
#include "services/oauth/domain.h"

namespace oauth_flow_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::oauth;
using core::Code;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-01T00:00:00Z")};
  core::Ids ids{7};
  std::unique_ptr<services::iam::Issuer> issuer = services::iam::Issuer::create().value();
  OAuthServer server{clock, ids, *issuer, {"alice@example.com", "bob.smith@example.com"}};

  static AuthorizeRequest request(std::string scope = "openid email profile") {
    AuthorizeRequest r;
    r.client_id = "app.apps.googleusercontent.com";
    r.redirect_uri = "http://localhost:3000/callback";
    r.response_type = "code";
    r.scope = std::move(scope);
    r.state = "xyz";
    r.access_type = "offline";
    return r;
  }

  static std::string param(const Redirect& r, const std::string& key) {
    for (const auto& [k, v] : r.params) {
      if (k == key) return v;
    }
    return "";
  }

  TokenResponse exchange(const AuthorizeRequest& r, Form extra = {}) {
    auto redirect = server.authorize(r);
    REQUIRE(redirect.ok());
    Form form = {{"grant_type", "authorization_code"}, {"code", param(*redirect, "code")},
                 {"client_id", r.client_id}, {"redirect_uri", r.redirect_uri}};
    for (auto& [k, v] : extra) form[k] = v;
    auto t = server.token(form);
    INFO(t.status().to_string());
    REQUIRE(t.ok());
    return *t;
  }
};

std::string reason(const core::Status& s) { return std::get<core::ErrorInfo>(s.details().at(0)).reason; }

}  // namespace

TEST_CASE("the code flow signs in the default test user and returns Google-shaped tokens") {
  Fixture f;
  auto redirect = f.server.authorize(Fixture::request());
  REQUIRE(redirect.ok());
  REQUIRE(redirect->uri == "http://localhost:3000/callback");
  REQUIRE(Fixture::param(*redirect, "state") == "xyz");
  REQUIRE(Fixture::param(*redirect, "code").rfind("4/0A", 0) == 0);
  REQUIRE(Fixture::param(*redirect, "scope") ==
          "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile");
  auto t = f.exchange(Fixture::request());
  REQUIRE(t.access_token.rfind("ya29.", 0) == 0);
  REQUIRE(t.refresh_token.rfind("1//", 0) == 0);
  REQUIRE(t.expires_in == 3599);
  auto v = f.issuer->verify(t.id_token, f.clock.now(), "app.apps.googleusercontent.com");
  REQUIRE(v.ok());
  auto claims = nlohmann::json::parse(v->payload_json);
  REQUIRE(claims["email"] == "alice@example.com");
  REQUIRE(claims["email_verified"] == true);
  REQUIRE(claims["name"] == "Alice");
  REQUIRE(claims["iss"] == "https://accounts.google.com");
  REQUIRE(f.server.identify(t.access_token)->value() == "alice@example.com");
}

TEST_CASE("login_hint and the consent control choose the user, a denial redirects with access_denied") {
  Fixture f;
  auto hinted = Fixture::request();
  hinted.login_hint = "bob.smith@example.com";
  auto t = f.exchange(hinted);
  auto u = f.server.user_for_access_token(t.access_token);
  REQUIRE(u->name == "Bob Smith");
  REQUIRE(u->family_name == "Smith");

  REQUIRE(f.server.set_consent("bob.smith@example.com", false).is_ok());
  REQUIRE(f.server.identify(f.exchange(Fixture::request()).access_token)->value() == "bob.smith@example.com");

  REQUIRE(f.server.set_consent("", true).is_ok());
  auto denied = f.server.authorize(Fixture::request());
  REQUIRE(Fixture::param(*denied, "error") == "access_denied");
  REQUIRE(Fixture::param(*denied, "code").empty());
  REQUIRE(f.server.set_consent("nobody@example.com", false).code() == Code::kNotFound);
}

TEST_CASE("codes are single use and bound to their redirect URI and client") {
  Fixture f;
  auto r = Fixture::request();
  auto redirect = f.server.authorize(r);
  Form form = {{"grant_type", "authorization_code"}, {"code", Fixture::param(*redirect, "code")},
               {"client_id", r.client_id}, {"redirect_uri", "http://evil.example/cb"}};
  REQUIRE(reason(f.server.token(form).status()) == "redirect_uri_mismatch");
  form["redirect_uri"] = r.redirect_uri;
  REQUIRE(f.server.token(form).ok());
  auto again = f.server.token(form).status();
  REQUIRE(reason(again) == "invalid_grant");
  REQUIRE(again.message() == "Bad Request");
  REQUIRE(reason(f.server.token({{"grant_type", "password"}, {"client_id", "x"}}).status()) == "unsupported_grant_type");
}

TEST_CASE("PKCE S256: the verifier must hash to the challenge") {
  Fixture f;
  auto r = Fixture::request();
  r.code_challenge = s256("a-long-random-verifier-string-of-43-characters");
  r.code_challenge_method = "S256";
  auto redirect = f.server.authorize(r);
  Form form = {{"grant_type", "authorization_code"}, {"code", Fixture::param(*redirect, "code")},
               {"client_id", r.client_id}, {"redirect_uri", r.redirect_uri}, {"code_verifier", "wrong"}};
  REQUIRE(f.server.token(form).status().message() == "Invalid code verifier.");
  REQUIRE(f.exchange(r, {{"code_verifier", "a-long-random-verifier-string-of-43-characters"}}).access_token.size() > 20);
}

TEST_CASE("registered clients have their secret checked") {
  Fixture f;
  f.server.add_client(Client{"app.apps.googleusercontent.com", "s3cret", {}});
  auto r = Fixture::request();
  auto redirect = f.server.authorize(r);
  Form form = {{"grant_type", "authorization_code"}, {"code", Fixture::param(*redirect, "code")},
               {"client_id", r.client_id}, {"client_secret", "nope"}, {"redirect_uri", r.redirect_uri}};
  auto st = f.server.token(form).status();
  REQUIRE(st.code() == Code::kUnauthenticated);
  REQUIRE(reason(st) == "invalid_client");
  form["client_secret"] = "s3cret";
  REQUIRE(f.server.token(form).ok());
}

TEST_CASE("access tokens expire after an hour on the virtual clock, refresh mints new ones, revoke ends the grant") {
  Fixture f;
  auto t = f.exchange(Fixture::request());
  f.clock.advance(59min);
  REQUIRE(f.server.identify(t.access_token)->ok());
  f.clock.advance(1min);
  REQUIRE(f.server.identify(t.access_token)->status().code() == Code::kUnauthenticated);
  REQUIRE(f.server.token_info(t.access_token, "").status().code() == Code::kInvalidArgument);

  Form refresh = {{"grant_type", "refresh_token"}, {"refresh_token", t.refresh_token}, {"client_id", "app.apps.googleusercontent.com"}};
  auto fresh = f.server.token(refresh);
  REQUIRE(fresh.ok());
  REQUIRE(fresh->refresh_token.empty());
  auto info = f.server.token_info(fresh->access_token, "");
  REQUIRE((*info)["email"] == "alice@example.com");
  REQUIRE((*info)["expires_in"] == "3600");

  REQUIRE(f.server.revoke(t.refresh_token).is_ok());
  REQUIRE(f.server.identify(fresh->access_token)->status().code() == Code::kUnauthenticated);
  REQUIRE(f.server.token(refresh).status().message() == "Token has been expired or revoked.");
  REQUIRE(reason(f.server.revoke(t.refresh_token)) == "invalid_token");
  REQUIRE_FALSE(f.server.identify("ya29.someone-elses").has_value());
}

TEST_CASE("missing parameters are refused on the authorization page") {
  Fixture f;
  auto r = Fixture::request();
  r.client_id.clear();
  REQUIRE(f.server.authorize(r).status().message() == "Missing required parameter: client_id");
  auto s = Fixture::request();
  s.scope.clear();
  REQUIRE(f.server.authorize(s).status().message() == "Missing required parameter: scope");
}

TEST_CASE("prompt=consent shows the consent screen, Allow grants as the chosen account and Cancel is access_denied") {
  Fixture f;
  auto r = Fixture::request("openid email https://www.googleapis.com/auth/calendar.readonly");
  REQUIRE_FALSE(OAuthServer::wants_screen(r));
  r.prompt = "consent";
  REQUIRE(OAuthServer::wants_screen(r));
  auto screen = f.server.screen(r);
  REQUIRE(screen.ok());
  REQUIRE(screen->user == "alice@example.com");
  REQUIRE(screen->accounts == std::vector<std::string>{"alice@example.com", "bob.smith@example.com"});
  REQUIRE(screen->scopes == std::vector<std::string>{"openid", "https://www.googleapis.com/auth/userinfo.email",
                                                     "https://www.googleapis.com/auth/calendar.readonly"});

  auto cancelled = f.server.decide(r, false, "");
  REQUIRE(cancelled.ok());
  REQUIRE(Fixture::param(*cancelled, "error") == "access_denied");
  REQUIRE(Fixture::param(*cancelled, "state") == "xyz");
  REQUIRE(Fixture::param(*cancelled, "code").empty());

  auto allowed = f.server.decide(r, true, "bob.smith@example.com");
  REQUIRE(allowed.ok());
  Form form = {{"grant_type", "authorization_code"}, {"code", Fixture::param(*allowed, "code")},
               {"client_id", r.client_id}, {"redirect_uri", r.redirect_uri}};
  auto t = f.server.token(form);
  REQUIRE(t.ok());
  REQUIRE_FALSE(t->refresh_token.empty());
  REQUIRE(f.server.identify(t->access_token)->value() == "bob.smith@example.com");

  r.client_id.clear();
  REQUIRE(f.server.screen(r).status().code() == Code::kInvalidArgument);
}

}  // namespace oauth_flow_test
