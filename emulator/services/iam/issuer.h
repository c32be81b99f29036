// gcpsim's token issuer: one RSA key (fixed by default, so tokens are reproducible; a stack
// file may bring its own) that signs Google-style ID tokens and OAuth access tokens, and
// verifies them. Its public keys are served like Google's certs endpoints.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace gcpsim::services::iam {

struct IdTokenClaims {
  std::string audience;        // "aud": the service URL for Cloud Run
  std::string email;           // the service account (or signed-in user)
  std::string subject;         // "sub"; defaults to a stable numeric id derived from email
  core::Time issued_at{};      // "iat"; "exp" = iat + 1h
  std::map<std::string, std::string> extra;  // more string claims (name, azp, …)
};

struct VerifiedToken {
  std::string header_kid;
  std::string payload_json;    // the decoded claims
  std::string audience, email, subject, issuer;
  core::Time expires{};
};

class Issuer {
 public:
  // private_key_pem empty = gcpsim's built-in key.
  static core::StatusOr<std::unique_ptr<Issuer>> create(const std::string& private_key_pem = "");
  ~Issuer();

  const std::string& kid() const { return kid_; }
  static constexpr const char* kIssuer = "https://accounts.google.com";

  // RS256 JWT: {"alg":"RS256","kid":…,"typ":"JWT"} . claims. Deterministic for equal inputs.
  std::string sign_id_token(const IdTokenClaims& c) const;
  // Signs arbitrary claims JSON (object text), e.g. for OAuth or signed-URL tests.
  std::string sign_jwt(const std::string& claims_json) const;
  // Checks signature, issuer (accounts.google.com or https://accounts.google.com), expiry
  // against `now`, and audience when `audience` is non-empty.
  core::StatusOr<VerifiedToken> verify(const std::string& jwt, core::Time now,
                                       const std::string& audience = "") const;

  // RSASSA-PKCS1-v1_5 SHA-256 over bytes (signed URLs, signBlob).
  std::string sign_bytes(const std::string& data) const;
  bool verify_bytes(const std::string& data, const std::string& signature) const;

  // {"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":…,"n":…,"e":"AQAB"}]}
  std::string jwks_json() const;
  // {"<kid>": "-----BEGIN CERTIFICATE-----…"} as googleapis.com/oauth2/v1/certs answers.
  std::string pem_certs_json() const;
  std::string public_key_pem() const;
  // The key as a service-account key file carries it (PKCS#8 PEM).
  std::string private_key_pem() const;

 private:
  Issuer() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  std::string kid_;
};

std::string base64url(const std::string& bytes);
std::optional<std::string> base64url_decode(const std::string& text);

}  // namespace gcpsim::services::iam
