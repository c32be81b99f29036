// Identity for the emulated project: the token issuer, Google's certs endpoints and the
// service-account key file. The metadata server (services/metadata) serves its tokens.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/time.h"
#include "services/iam/issuer.h"
#include "services/service.h"

namespace gcpsim::services::iam {

struct AccessToken {
  std::string email;
  std::string scopes;
  core::Time expires{};
};

class IamService final : public Service {
 public:
  static std::unique_ptr<Service> create(Context& ctx);

  const Issuer& issuer() const { return *issuer_; }
  // The default service account every Run service and delivery acts as.
  std::string default_email() const;
  // An ID token for `audience` signed now by the issuer.
  std::string id_token(const std::string& audience, const std::string& email = "") const;
  // An opaque OAuth access token valid for an hour on the clock.
  std::string access_token(const std::string& email, const std::string& scopes);
  std::optional<AccessToken> lookup_access_token(const std::string& token) const;

 private:
  IamService(Context& ctx, std::unique_ptr<Issuer> issuer);
  void add_routes(net::Router& router);

  core::Env& env_;
  std::unique_ptr<Issuer> issuer_;
  std::map<std::string, AccessToken> access_tokens_;
};

// Its row in the services table.
inline std::unique_ptr<Service> create(Context& ctx) { return IamService::create(ctx); }

}  // namespace gcpsim::services::iam
