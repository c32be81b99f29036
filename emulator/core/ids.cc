// Seeded randomness and identifiers: xoshiro256** streams keyed by name, counters, uuids, tokens.
#include "core/ids.h"

namespace gcpsim::core {
namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// FNV-1a: unlike std::hash, the same on every platform and standard library, so a seed
// replays the same values everywhere.
uint64_t stream_seed(uint64_t seed, std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](unsigned char byte) {
    h ^= byte;
    h *= 0x100000001b3ULL;
  };
  for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(seed >> (8 * i)));
  for (char c : name) mix(static_cast<unsigned char>(c));
  return h;
}

std::string random_bytes(Rng& rng, size_t n) {
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    uint64_t v = rng.next();
    for (int i = 0; i < 8 && out.size() < n; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace

Rng::Rng(uint64_t seed) {
  uint64_t state = seed;
  for (auto& s : s_) s = splitmix64(state);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

// Rejection sampling keeps every value in [0, n) equally likely.
uint64_t Rng::below(uint64_t n) {
  if (n == 0) return 0;
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    uint64_t r = next();
    if (r >= threshold) return r % n;
  }
}

Ids::Ids(uint64_t seed) : seed_(seed) {}

void Ids::reseed(uint64_t seed) {
  seed_ = seed;
  counters_.clear();
  streams_.clear();
}

uint64_t Ids::next_numeric(std::string_view stream) {
  auto it = counters_.find(stream);
  if (it == counters_.end()) it = counters_.emplace(std::string(stream), 0).first;
  return ++it->second;
}

Rng& Ids::rng(std::string_view stream) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) it = streams_.emplace(std::string(stream), Rng(stream_seed(seed_, stream))).first;
  return it->second;
}

std::string Ids::hex(std::string_view stream, size_t bytes) { return to_hex(random_bytes(rng(stream), bytes)); }

std::string Ids::uuid(std::string_view stream) {
  std::string b = random_bytes(rng(stream), 16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string h = to_hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

std::string Ids::token(std::string_view stream, size_t bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string b = random_bytes(rng(stream), bytes);
  std::string out;
  out.reserve((bytes * 4 + 2) / 3);
  for (size_t i = 0; i < b.size(); i += 3) {
    uint32_t chunk = static_cast<unsigned char>(b[i]) << 16;
    size_t n = b.size() - i;
    if (n > 1) chunk |= static_cast<unsigned char>(b[i + 1]) << 8;
    if (n > 2) chunk |= static_cast<unsigned char>(b[i + 2]);
    out.push_back(kAlphabet[(chunk >> 18) & 63]);
    out.push_back(kAlphabet[(chunk >> 12) & 63]);
    if (n > 1) out.push_back(kAlphabet[(chunk >> 6) & 63]);
    if (n > 2) out.push_back(kAlphabet[chunk & 63]);
  }
  return out;
}

}  // namespace gcpsim::core
