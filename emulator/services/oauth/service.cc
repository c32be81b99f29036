// OAuth's row in the services table, and bearer-token identity for other stubs.
#include "services/oauth/service.h"

#include <stdexcept>

#include "core/env.h"
#include "core/stack.h"
#include "net/http.h"
#include "services/calendar/service.h"
#include "services/iam/service.h"

namespace gcpsim::services::oauth {
namespace {

std::vector<std::string> test_users(const core::StackConfig& stack) {
  std::vector<std::string> emails;
  // Calendar's users are the ones who can sign in.
  if (const auto* calendar = stack.section<calendar::CalendarConfig>("calendar")) {
    for (const auto& [email, _] : calendar->users) emails.push_back(email);
  }
  return emails;
}

}  // namespace

OAuthService::OAuthService(Context& ctx) : env_(ctx.env), iam_(ctx.registry.get<iam::IamService>("iam")) {
  if (!iam_) throw std::runtime_error("oauth: the iam service must come first in the services table");
  server_ = std::make_unique<OAuthServer>(env_.clock, env_.ids, iam_->issuer(), test_users(ctx.stack));
  add_routes(ctx.router, env_, *server_);
}

core::StatusOr<std::string> OAuthService::user_for_request(const net::HttpRequest& req) const {
  std::string auth = req.header("Authorization").value_or("");
  if (auth.rfind("Bearer ", 0) != 0) {
    return core::Status::unauthenticated(
        "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other "
        "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
  }
  std::string token = auth.substr(7);
  if (auto who = server_->identify(token)) return *who;
  if (iam_->lookup_access_token(token)) return server_->default_user().email;
  return core::Status::unauthenticated(
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
      "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
}

std::unique_ptr<Service> create(Context& ctx) { return std::make_unique<OAuthService>(ctx); }

}  // namespace gcpsim::services::oauth
