// The only source of randomness and generated identifiers, from one seed. Named streams are
// independent, so a new caller of one stream never shifts the values another stream sees.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace gcpsim::core {

// xoshiro256** seeded through splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0);
  uint64_t next();
  double uniform();                        // [0, 1)
  uint64_t below(uint64_t n);              // [0, n)
 private:
  uint64_t s_[4];
};

class Ids {
 public:
  explicit Ids(uint64_t seed = 0);
  uint64_t seed() const { return seed_; }
  void reseed(uint64_t seed);

  // 1, 2, 3, … per stream ("pubsub.message", "storage.generation").
  uint64_t next_numeric(std::string_view stream);
  // Lowercase hex of `bytes` random bytes from the named stream.
  std::string hex(std::string_view stream, size_t bytes);
  // RFC 4122 version-4 form from the named stream.
  std::string uuid(std::string_view stream);
  // URL-safe base64 token (no padding) of `bytes` random bytes.
  std::string token(std::string_view stream, size_t bytes);
  // The generator behind a stream, for probabilities and jitter.
  Rng& rng(std::string_view stream);

 private:
  uint64_t seed_;
  std::map<std::string, uint64_t, std::less<>> counters_;
  std::map<std::string, Rng, std::less<>> streams_;
};

}  // namespace gcpsim::core
