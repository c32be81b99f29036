// SHA-256 over OpenSSL's EVP interface, digests of files (net::BodyHasher), base64 and hex.
#include "services/storage/hashes.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "services/storage/errors.h"

namespace gcpsim::services::storage {
namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kBlock = 1 << 20;

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}
}  // namespace

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(kB64[(v >> k) & 63]);
  }
  if (size_t rest = in.size() - i) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (rest == 2) v |= uint8_t(in[i + 1]) << 8;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kB64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = b64_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  auto val = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = val(text[i]), lo = val(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(char(hi * 16 + lo));
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return hex_encode(std::string_view(reinterpret_cast<char*>(md), len));
}

std::string crc32c_base64(uint32_t crc) {
  char be[4] = {char(crc >> 24), char(crc >> 16), char(crc >> 8), char(crc)};
  return base64_encode(std::string_view(be, 4));
}

std::optional<uint32_t> crc32c_from_base64(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw || raw->size() != 4) return std::nullopt;
  return (uint32_t(uint8_t((*raw)[0])) << 24) | (uint32_t(uint8_t((*raw)[1])) << 16) |
         (uint32_t(uint8_t((*raw)[2])) << 8) | uint32_t(uint8_t((*raw)[3]));
}

Digest digest_of(std::string_view bytes) {
  Hasher h;
  h.update(bytes);
  return h.finish();
}

core::StatusOr<Digest> digest_of_file(const std::string& path, uint64_t offset, uint64_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::Status::internal("cannot read " + path + ": " + std::strerror(errno));
  Hasher h;
  std::vector<char> block(kBlock);
  uint64_t done = 0;
  while (done < length) {
    size_t want = size_t(std::min<uint64_t>(block.size(), length - done));
    ssize_t n = ::pread(fd, block.data(), want, off_t(offset + done));
    if (n <= 0) {
      ::close(fd);
      return core::Status::internal("short read from " + path);
    }
    h.update(std::string_view(block.data(), size_t(n)));
    done += uint64_t(n);
  }
  ::close(fd);
  return h.finish();
}

ExpectedHashes parse_goog_hash(std::string_view header) {
  ExpectedHashes out;
  size_t i = 0;
  while (i < header.size()) {
    size_t j = header.find(',', i);
    if (j == std::string_view::npos) j = header.size();
    auto item = header.substr(i, j - i);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.substr(0, 7) == "crc32c=") out.crc32c_base64 = std::string(item.substr(7));
    if (item.substr(0, 4) == "md5=") out.md5_base64 = std::string(item.substr(4));
    i = j + 1;
  }
  return out;
}

core::Status verify(const ExpectedHashes& expected, const Digest& actual) {
  if (expected.md5_base64) {
    auto raw = base64_decode(*expected.md5_base64);
    if (!raw || raw->size() != 16) return errors::invalid("The MD5 hash \"" + *expected.md5_base64 + "\" is not valid.");
    if (*raw != actual.md5) return errors::md5_mismatch(*expected.md5_base64, base64_encode(actual.md5));
  }
  if (expected.crc32c_base64) {
    auto crc = crc32c_from_base64(*expected.crc32c_base64);
    if (!crc) return errors::invalid("The CRC32C \"" + *expected.crc32c_base64 + "\" is not valid.");
    if (*crc != actual.crc32c) return errors::crc32c_mismatch(*expected.crc32c_base64, crc32c_base64(actual.crc32c));
  }
  return core::Status::ok();
}

}  // namespace gcpsim::services::storage
