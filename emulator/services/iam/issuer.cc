// gcpsim's token issuer over OpenSSL: RS256 JWTs, JWKS and PEM certs, signBlob.
#include "services/iam/issuer.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

namespace gcpsim::services::iam {
namespace {

using nlohmann::json;

// A fixed key, so tokens and signatures are the same on every run for the same inputs. It
// signs only what this local emulator issues; it protects nothing and must not be trusted
// anywhere else. A stack file can bring its own key.
constexpr const char* kBuiltinKey = R"PEM(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCuzbk7eTHhRHnr
qWN41gendBrf03Fmb9WaWcuzQDL54VtiRnzUXprngtwTd26lY9RAHyaYKPeT8b7U
OLsXopGrTjc7HTnrAN9j7xExWWV7swcPLW4LwwxbgqgHs7HFrZ67uw9i+HZROKX3
wq9OOHZHhNa+AcuQX0waYFp/iJeEA3QSd6XARyKiazVSFhjjrk1dHhrEUXrM90W5
NqAMi++NzA28UPo9e1hrtG+bVLJKk4aPLV7gypOZa4mYAaPL+Xr5B2exoHTbXEIS
mWE0Y8lR/6U7rCo/WPlXOx/ELcbzWesMoNkwldNOp+eS9gJKGv/4lhbGXlSieP5v
zUiNa1F3AgMBAAECggEAJEwamQNm/KBT8r/nJFnJGBfvVqfYxc0WHSllN3DuxN1r
NOJvHEgSwVz2ZuJnatdqZPAy+uiS1DkgB4BKNTOwLNKefFtqweYZ/O3Q857dCE0Z
+6hS0AVt5Pih/ItvMB2HtvK2VLZEF0R8jhByh3sI8HvgfW7w/qcTLezxDcdmsuYO
Q7TbnoaXqkJ767+iwYK7IUWlFSBE2iXkqR/RDNJp6JWlGoiTeqHQLcAj9rHEaAwG
MCKnbeSSMq16iWDTFm/jZc5TpKnBxq5PG5crlvtq2E/YipsZHvf+xSfgtCsUNdnk
GgUutJpVgBJ/aSsZNYKNNVxre6qoaN+KvTLcpEbxuQKBgQDs1hu+Mh2Ba/gODqW9
sNlDPJ+TnDNZF6AKZsCb4y6xtMY+UpuIbJ+G2KFl9gWhqeI5aC80fNRNexGkZ/Sg
4UJZIMNCagOJAYWKJ8LmKsPEPzYzfCo3sCo8jLIRGcjJf+810+CWIG6O/RiAC1Ti
KI/3gVu4KTzmKK3N7F2weT4IyQKBgQC88qb1FUsB9HvI2ihh372nZK6HZ9OZj0oR
LIvae0MPiH92X5p8sc3pMQV60gn1QCuyHLJErdX47d6xZGWuazp6psl5movqpe0S
HyXrWbTndZeWI+5/Hp7Bz6FuOoGTqgaG1WHEJOSC6DlEACpoHyPDAUHIy5L/LOH3
7E9E3ynoPwKBgAv+f+Mu+I2QYTydA0nLBgXAsTgxhewyJRnBwGlkpP288PlBB71t
+tpCaFIYlopsZxePLizTUZEm9WrFFP98yPZokVrwsYMjv5aSku1DJyzuIpmS5TRy
yIDOg0oYazHBN+Ua+NnBhLfbG32IlWDquvfG5lU6SWpCjyLJoKkKStj5AoGBAIth
E/fGdUZD6uwGwbMxMN3CT1xjIpwsLx7sFV5dfuJ+dkgDzhodrx9NohUvy1i2tYT1
1isDcMvn7FY/ESLQxpqjXgvuDThSnca4Y2hxDBmRjPicGNp84+9kElkVn3AmBBqC
XVQrQsWuOFAJLz8PeXnn+3b7dLv3h9ky4GaVmHxRAoGARiUzAZT51FCnR4UezFPr
r9xj/bBpfT2sdg9T6KL6GX+/BUUXKu7qevYj75R7Kg74okInJAjVc8wx0UfyzspL
c5yCMETRhfB668WlkeB4Tud7Kikx+PUMllIvl0zZ9OyQ48h7/8fubfFwbmbM72Yp
HNwayKfReurZTJze+Z1ZYmY=
-----END PRIVATE KEY-----
)PEM";

constexpr int64_t kTokenLifetimeSeconds = 3600;

std::string hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(d[p[i] >> 4]);
    s.push_back(d[p[i] & 15]);
  }
  return s;
}

std::string bn_bytes(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return {};
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

// A stable Google-style numeric subject for an email.
std::string subject_for(const std::string& email) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : email) h = (h ^ c) * 1099511628211ull;
  std::string digits = std::to_string(h);
  return "10" + std::string(19 - std::min<size_t>(19, digits.size()), '0') + digits;
}

}  // namespace

struct Issuer::Key {
  EVP_PKEY* pkey = nullptr;
  std::string cert_pem;
  ~Key() { EVP_PKEY_free(pkey); }
};

std::string base64url(const std::string& bytes) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(t[(v >> k) & 63]);
  }
  if (i + 1 == bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    out.push_back(t[(v >> 18) & 63]);
    out.push_back(t[(v >> 12) & 63]);
  } else if (i + 2 == bytes.size()) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out.push_back(t[(v >> 18) & 63]);
    out.push_back(t[(v >> 12) & 63]);
    out.push_back(t[(v >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> base64url_decode(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-' || c == '+') v = 62;
    else if (c == '_' || c == '/') v = 63;
    else if (c == '=') break;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

core::StatusOr<std::unique_ptr<Issuer>> Issuer::create(const std::string& private_key_pem) {
  const std::string& pem = private_key_pem.empty() ? std::string(kBuiltinKey) : private_key_pem;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    return core::Status::invalid_argument("the issuer key must be an RSA private key in PEM form");
  }
  std::unique_ptr<Issuer> issuer(new Issuer());
  issuer->key_ = std::make_unique<Key>();
  issuer->key_->pkey = pkey;

  // kid: SHA-1 of the public key (40 hex digits, the shape of Google's key ids).
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(der, static_cast<size_t>(len), digest);
  OPENSSL_free(der);
  issuer->kid_ = hex(digest, sizeof digest);

  // A self-signed certificate with fixed validity: signing with PKCS#1 v1.5 is
  // deterministic, so the certificate is the same on every run.
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  ASN1_TIME_set_string(X509_getm_notBefore(cert), "20200101000000Z");
  ASN1_TIME_set_string(X509_getm_notAfter(cert), "21000101000000Z");
  X509_set_pubkey(cert, pkey);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("gcpsim.local"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, pkey, EVP_sha256());
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(out, cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(out, &data);
  issuer->key_->cert_pem.assign(data, static_cast<size_t>(n));
  BIO_free(out);
  X509_free(cert);
  return issuer;
}

Issuer::~Issuer() = default;

std::string Issuer::sign_bytes(const std::string& data) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1) {
    sig.resize(len);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  return sig;
}

bool Issuer::verify_bytes(const std::string& data, const std::string& signature) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string Issuer::sign_jwt(const std::string& claims_json) const {
  json header = {{"alg", "RS256"}, {"kid", kid_}, {"typ", "JWT"}};
  std::string signing_input = base64url(header.dump()) + "." + base64url(claims_json);
  return signing_input + "." + base64url(sign_bytes(signing_input));
}

std::string Issuer::sign_id_token(const IdTokenClaims& c) const {
  int64_t iat = std::chrono::duration_cast<std::chrono::seconds>(c.issued_at.time_since_epoch()).count();
  std::string sub = c.subject.empty() ? subject_for(c.email) : c.subject;
  json claims = {{"aud", c.audience}, {"azp", sub}, {"exp", iat + kTokenLifetimeSeconds},
                 {"iat", iat}, {"iss", kIssuer}, {"sub", sub}};
  if (!c.email.empty()) {
    claims["email"] = c.email;
    claims["email_verified"] = true;
  }
  for (const auto& [k, v] : c.extra) claims[k] = v;
  return sign_jwt(claims.dump());
}

core::StatusOr<VerifiedToken> Issuer::verify(const std::string& jwt, core::Time now, const std::string& audience) const {
  auto d1 = jwt.find('.');
  auto d2 = d1 == std::string::npos ? std::string::npos : jwt.find('.', d1 + 1);
  if (d2 == std::string::npos) return core::Status::unauthenticated("The token is not a JWT.");
  auto header = base64url_decode(jwt.substr(0, d1));
  auto payload = base64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1));
  auto sig = base64url_decode(jwt.substr(d2 + 1));
  if (!header || !payload || !sig) return core::Status::unauthenticated("The token is not valid base64url.");
  json h = json::parse(*header, nullptr, false), p = json::parse(*payload, nullptr, false);
  if (!h.is_object() || !p.is_object()) return core::Status::unauthenticated("The token is not valid JSON.");
  // A claim of another type than the string expected reads as absent: json::value would throw.
  auto text = [](const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (text(h, "alg") != "RS256") return core::Status::unauthenticated("The token is not signed with RS256.");
  if (!verify_bytes(jwt.substr(0, d2), *sig)) return core::Status::unauthenticated("The token signature is invalid.");
  VerifiedToken v;
  v.header_kid = text(h, "kid");
  v.payload_json = *payload;
  v.issuer = text(p, "iss");
  if (v.issuer != kIssuer && v.issuer != "accounts.google.com")
    return core::Status::unauthenticated("The token issuer is not accounts.google.com.");
  if (p.contains("aud") && p["aud"].is_string()) v.audience = p["aud"];
  v.email = text(p, "email");
  v.subject = text(p, "sub");
  if (!p.contains("exp") || !p["exp"].is_number_integer()) return core::Status::unauthenticated("The token has no expiry.");
  v.expires = core::from_seconds(p["exp"].get<int64_t>());
  if (now >= v.expires) return core::Status::unauthenticated("The token has expired.");
  if (!audience.empty() && v.audience != audience)
    return core::Status::unauthenticated("The token audience '" + v.audience + "' is not '" + audience + "'.");
  return v;
}

std::string Issuer::jwks_json() const {
  json key = {{"kty", "RSA"}, {"alg", "RS256"}, {"use", "sig"}, {"kid", kid_},
              {"n", base64url(bn_bytes(key_->pkey, OSSL_PKEY_PARAM_RSA_N))},
              {"e", base64url(bn_bytes(key_->pkey, OSSL_PKEY_PARAM_RSA_E))}};
  return json{{"keys", json::array({key})}}.dump();
}

std::string Issuer::pem_certs_json() const { return json{{kid_, key_->cert_pem}}.dump(); }

std::string Issuer::public_key_pem() const {
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(out, key_->pkey);
  char* data = nullptr;
  long n = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(out);
  return pem;
}

std::string Issuer::private_key_pem() const {
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(out, key_->pkey, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(out);
  return pem;
}

}  // namespace gcpsim::services::iam
