// gcpsim's token issuer: reproducible RS256 tokens that verify, and every way one fails.
#include <catch2/catch.hpp>

#include "core/time.h"
#include "services/iam/issuer.h"

namespace iam_issuer_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using services::iam::IdTokenClaims;
using services::iam::Issuer;

namespace {

core::Time t0() { return *core::parse_rfc3339("2026-01-01T00:00:00Z"); }

std::unique_ptr<Issuer> issuer() { return std::move(Issuer::create()).value(); }

IdTokenClaims claims(std::string aud) {
  IdTokenClaims c;
  c.audience = std::move(aud);
  c.email = "123-compute@developer.gserviceaccount.com";
  c.issued_at = t0();
  return c;
}

}  // namespace

TEST_CASE("an ID token verifies for its audience until it expires an hour later") {
  auto iss = issuer();
  std::string jwt = iss->sign_id_token(claims("http://127.0.0.1:9001"));
  auto v = iss->verify(jwt, t0() + std::chrono::minutes(59), "http://127.0.0.1:9001");
  REQUIRE(v.ok());
  REQUIRE(v->email == "123-compute@developer.gserviceaccount.com");
  REQUIRE(v->issuer == "https://accounts.google.com");
  REQUIRE(v->header_kid == iss->kid());
  REQUIRE(iss->verify(jwt, t0() + std::chrono::hours(1)).status().message() == "The token has expired.");
}

TEST_CASE("a wrong audience, a tampered payload and garbage are rejected") {
  auto iss = issuer();
  std::string jwt = iss->sign_id_token(claims("http://a"));
  auto wrong = iss->verify(jwt, t0(), "http://b");
  REQUIRE(wrong.status().code() == core::Code::kUnauthenticated);
  REQUIRE(wrong.status().message() == "The token audience 'http://a' is not 'http://b'.");
  std::string tampered = jwt;
  tampered[jwt.find('.') + 5] ^= 1;
  REQUIRE_FALSE(iss->verify(tampered, t0()).ok());
  REQUIRE(iss->verify("not-a-jwt", t0()).status().message() == "The token is not a JWT.");
}

TEST_CASE("tokens are reproducible: same key and claims give the same bytes") {
  REQUIRE(issuer()->sign_id_token(claims("x")) == issuer()->sign_id_token(claims("x")));
  REQUIRE(issuer()->kid() == issuer()->kid());
  REQUIRE(issuer()->kid().size() == 40);
}

TEST_CASE("signBlob signatures verify only for the signed bytes") {
  auto iss = issuer();
  std::string sig = iss->sign_bytes("GOOG4-RSA-SHA256\n...");
  REQUIRE(sig.size() == 256);
  REQUIRE(iss->verify_bytes("GOOG4-RSA-SHA256\n...", sig));
  REQUIRE_FALSE(iss->verify_bytes("GOOG4-RSA-SHA256\n..!", sig));
}

TEST_CASE("public keys are published as JWKS and PEM certificates keyed by kid") {
  auto iss = issuer();
  REQUIRE(iss->jwks_json().find("\"kid\":\"" + iss->kid() + "\"") != std::string::npos);
  REQUIRE(iss->jwks_json().find("\"e\":\"AQAB\"") != std::string::npos);
  REQUIRE(iss->pem_certs_json().find("BEGIN CERTIFICATE") != std::string::npos);
  REQUIRE(iss->private_key_pem().find("BEGIN PRIVATE KEY") != std::string::npos);
}

TEST_CASE("a key that is not RSA PEM is refused") {
  REQUIRE(Issuer::create("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").status().code() ==
          core::Code::kInvalidArgument);
}

TEST_CASE("base64url round-trips every length") {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\xfe\x00"}) {
    REQUIRE(services::iam::base64url_decode(services::iam::base64url(s)) == s);
  }
  REQUIRE(services::iam::base64url("\xfb\xff") == "-_8");
}

}  // namespace iam_issuer_test
