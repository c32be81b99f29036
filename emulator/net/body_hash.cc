#include "net/body_hash.h"

#include <openssl/evp.h>

#include "core/crc32c.h"

namespace gcpsim::net {

struct BodyHasher::Md5 {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Md5() { EVP_DigestInit_ex(ctx, EVP_md5(), nullptr); }
  ~Md5() { EVP_MD_CTX_free(ctx); }
};

BodyHasher::BodyHasher(Crc32c crc) : md5_(std::make_unique<Md5>()), with_crc_(crc == Crc32c::compute) {}
BodyHasher::~BodyHasher() = default;
BodyHasher::BodyHasher(BodyHasher&&) noexcept = default;
BodyHasher& BodyHasher::operator=(BodyHasher&&) noexcept = default;

void BodyHasher::update(std::string_view bytes) {
  EVP_DigestUpdate(md5_->ctx, bytes.data(), bytes.size());
  if (with_crc_) crc_ = core::crc32c(bytes, crc_);
  size_ += bytes.size();
}

BodyDigest BodyHasher::finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md5_->ctx, md, &len);
  return BodyDigest{size_, std::string(reinterpret_cast<char*>(md), len), crc_};
}

}  // namespace gcpsim::net
