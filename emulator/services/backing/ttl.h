// Firestore TTL policies (stack file `firestore.ttl`): on gcpsim's clock, every `ttl_sweep`,
// documents of each policy's collection group whose TTL field holds a timestamp at or before
// now are found with a collection-group query and deleted through the emulator's REST API,
// each deletion an event. The real service deletes expired documents within about a day;
// gcpsim deletes them at the first sweep after expiry, so tests can count on it.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "services/backing/config.h"

namespace gcpsim::net { class HttpClient; }

namespace gcpsim::services::backing {

class Servers;

class TtlSweeper {
 public:
  TtlSweeper(core::Env& env, net::HttpClient& http, const FirestoreConfig& config, std::shared_ptr<Servers> servers);
  ~TtlSweeper();
  void start();
  size_t in_flight() const { return sweeping_ ? 1 : 0; }

 private:
  void sweep();
  void query(size_t policy, std::string now);
  void remove(size_t policy, std::string now, std::shared_ptr<std::vector<std::string>> names, size_t i);
  void done();
  std::string base() const;

  core::Env& env_;
  net::HttpClient& http_;
  const FirestoreConfig& config_;
  std::shared_ptr<Servers> servers_;
  std::optional<uint64_t> timer_;
  bool sweeping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gcpsim::services::backing
