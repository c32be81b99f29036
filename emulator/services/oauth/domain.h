// Google's OAuth 2.0 sign-in as a stub: test users who consent automatically (or on a
// consent screen when the app sends prompt=consent), the authorization-code flow with
// PKCE, refresh tokens, revocation, userinfo and tokeninfo, ID tokens signed by gcpsim's
// issuer. Tokens live in memory on the virtual clock.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"

namespace gcpsim::core { class Clock; class Ids; }
namespace gcpsim::services::iam { class Issuer; }

namespace gcpsim::services::oauth {

struct User {
  std::string email, name, given_name, family_name, picture;
  std::string sub;  // a stable 21-digit id derived from the email
};

// Registered clients get their secret and redirect URIs checked; others are accepted.
struct Client {
  std::string id, secret;
  std::vector<std::string> redirect_uris;
};

struct AuthorizeRequest {
  std::string client_id, redirect_uri, response_type, scope, state, login_hint, nonce;
  std::string code_challenge, code_challenge_method, access_type, prompt;
};

// What Google's consent screen shows: the app, the account it preselects, the accounts to
// choose from, and the scopes asked for (normalized).
struct ConsentScreen {
  std::string client_id, user;
  std::vector<std::string> accounts, scopes;
};

// Where the browser goes next: redirect_uri with these query parameters added (code and
// state, or error=access_denied).
struct Redirect {
  std::string uri;
  std::vector<std::pair<std::string, std::string>> params;
};

struct TokenResponse {
  std::string access_token, refresh_token, scope, id_token;
  int expires_in = 3599;
};

// Form fields of a token request (client_secret may come from HTTP Basic auth).
using Form = std::map<std::string, std::string>;

class OAuthServer {
 public:
  OAuthServer(core::Clock& clock, core::Ids& ids, const iam::Issuer& issuer, std::vector<std::string> emails);

  static User make_user(const std::string& email, const std::string& name = "");
  const std::vector<User>& users() const { return users_; }
  void add_user(User u);
  void add_client(Client c);
  // Scenario control: whom the next sign-ins choose (without login_hint) and whether
  // they are refused.
  core::Status set_consent(const std::string& email, bool deny);
  bool denying() const { return deny_; }

  // Errors here are shown to the user on Google's page (400), not redirected.
  core::StatusOr<Redirect> authorize(const AuthorizeRequest& r);
  // `prompt=consent` or `select_account` shows the consent screen (unless the control denies
  // sign-ins, which answers at once); otherwise consent is taken as already granted.
  static bool wants_screen(const AuthorizeRequest& r);
  core::StatusOr<ConsentScreen> screen(const AuthorizeRequest& r) const;
  // The screen's answer: Allow as `user` (empty: the preselected one), or Cancel.
  core::StatusOr<Redirect> decide(const AuthorizeRequest& r, bool allow, const std::string& user);
  // Errors carry the OAuth error code ("invalid_grant") as ErrorInfo reason.
  core::StatusOr<TokenResponse> token(const Form& form);
  core::Status revoke(const std::string& token);
  // tokeninfo: the claims of an access token or a (verified) ID token, as strings.
  core::StatusOr<nlohmann::json> token_info(const std::string& access_token, const std::string& id_token) const;
  core::StatusOr<User> user_for_access_token(const std::string& token, std::string* scope = nullptr) const;
  // Known: a valid token's user; expired or revoked: UNAUTHENTICATED; unknown: nullopt.
  std::optional<core::StatusOr<std::string>> identify(const std::string& token) const;
  const User& default_user() const { return users_.front(); }

 private:
  struct Grant {
    std::string user, client_id, scope, nonce;
    bool offline = false;  // access_type=offline: the code also yields a refresh token
    bool revoked = false;
  };
  struct Code {
    std::string grant, redirect_uri, challenge, challenge_method;
    core::Time expires{};
    bool used = false;
  };
  struct Access {
    std::string grant;
    core::Time expires{};
  };

  const User* find_user(const std::string& email) const;
  core::Status check(const AuthorizeRequest& r) const;
  std::string chosen_user(const AuthorizeRequest& r) const;
  core::StatusOr<Redirect> grant(const AuthorizeRequest& r, const std::string& email);
  core::Status check_client(const Form& form) const;
  core::StatusOr<TokenResponse> exchange_code(const Form& form);
  core::StatusOr<TokenResponse> refresh(const Form& form);
  TokenResponse mint(const std::string& grant_id, bool with_refresh);
  std::string id_token(const Grant& g, const std::string& access_token) const;

  core::Clock& clock_;
  core::Ids& ids_;
  const iam::Issuer& issuer_;
  std::vector<User> users_;
  std::map<std::string, Client> clients_;
  std::string consent_user_;
  bool deny_ = false;
  std::map<std::string, Grant> grants_;
  std::map<std::string, Code> codes_;
  std::map<std::string, Access> access_;
  std::map<std::string, std::string> refresh_;  // refresh token → grant
};

// Google's short scopes as it reports them back ("email" → ".../auth/userinfo.email").
std::string normalize_scope(const std::string& scope);
// base64url(SHA-256(text)), PKCE's S256 transform.
std::string s256(const std::string& text);

}  // namespace gcpsim::services::oauth
