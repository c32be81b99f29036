// Tokens and OAuth: the first byte picks (0) a JWT / ID token verified as given, (1) claims
// JSON signed by gcpsim's issuer and then verified, so the claim checks behind the
// signature are reached, or (2) an OAuth request ("METHOD target", headers, form body) to
// the sign-in stub's routes (authorize, token, revoke, tokeninfo, userinfo).
#include <memory>

#include "control/emulator.h"
#include "core/time.h"
#include "fuzz.h"
#include "services/iam/issuer.h"
#include "storage_bodies.h"

using namespace gcpsim;

GCPSIM_FUZZ_TARGET(tokens) {
  if (input.empty()) return;
  int mode = static_cast<unsigned char>(input[0]) % 3;
  input.remove_prefix(1);
  static const auto issuer = std::move(services::iam::Issuer::create().value());
  static const core::Time now = *core::parse_rfc3339("2026-01-05T09:00:00Z");
  if (mode == 0) {
    (void)services::iam::base64url_decode(std::string(input));
    (void)issuer->verify(std::string(input), now, "https://svc.example");
    return;
  }
  if (mode == 1) {
    (void)issuer->verify(issuer->sign_jwt(std::string(input)), now);
    return;
  }
  auto& world = fuzz::World::get();
  auto req = std::make_shared<net::HttpRequest>(fuzz::request_from(input));
  if (req->path.rfind("/_gcpsim/snapshot", 0) == 0) return;
  world.emulator().handle(*req, [req](net::HttpResponse) {});
  world.tick();
  world.maybe_rebuild();
}
