// The OAuth sign-in stub as the emulator hosts it: the server (test users from the stack's
// calendar users), its Google-shaped endpoints, and the identity other stubs use to turn a
// bearer token into a user.
#pragma once
#include <memory>
#include <string>

#include "services/oauth/domain.h"
#include "services/service.h"

namespace gcpsim::net { struct HttpRequest; }
namespace gcpsim::services::iam { class IamService; }

namespace gcpsim::services::oauth {

class OAuthService : public Service {
 public:
  explicit OAuthService(Context& ctx);
  OAuthServer& server() { return *server_; }

  // The user a request's bearer token stands for: a signed-in user for tokens from the
  // code flow, the default test user for the metadata server's service-account tokens.
  // UNAUTHENTICATED (Google's wording) without a valid token.
  core::StatusOr<std::string> user_for_request(const net::HttpRequest& req) const;

 private:
  core::Env& env_;
  const iam::IamService* iam_;
  std::unique_ptr<OAuthServer> server_;
};

// Registers every route (routes.cc).
void add_routes(net::Router& router, core::Env& env, OAuthServer& server);

std::unique_ptr<Service> create(Context& ctx);

}  // namespace gcpsim::services::oauth
