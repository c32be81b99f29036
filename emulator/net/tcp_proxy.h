// The TCP fault proxy in front of every backing server (toxiproxy's model): clients connect
// to the proxy's own listener (TCP, and optionally a unix socket), the proxy connects to the
// server's private port and moves bytes both ways. While armed (some fault rule could match),
// it asks `check` for a verdict when a connection opens and before forwarding each chunk the
// client sends: pass, latency and/or bandwidth, reset, or black hole. Delays are real time
// (real bytes move); whoever answers `check` records what was applied, on its own clock.
// Runs on the I/O thread; start/close/setters may be called from another thread.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace boost::asio { class io_context; }

namespace gcpsim::net {

struct ProxyVerdict {
  enum class Kind { kPass, kSlow, kReset, kBlackhole };
  Kind kind = Kind::kPass;
  std::chrono::nanoseconds latency{};  // kSlow: added before each client chunk is forwarded
  int64_t bandwidth_kbps = 0;          // kSlow: KB/s each way; 0 is unlimited
  bool operator==(const ProxyVerdict&) const = default;
};

struct TcpProxyOptions {
  std::string name;                // for messages: "redis"
  uint16_t port = 0;               // public loopback port; 0 picks one
  std::string unix_path;           // also listen on this unix socket; empty: no
  uint16_t upstream_port = 0;      // the server's private loopback port
  // Connections opened while the server (re)starts wait for it this long (wall time).
  std::chrono::milliseconds upstream_wait{std::chrono::seconds(90)};
  // `phase` is "connect" or "data". `done` may be called on any thread.
  std::function<void(const char* phase, std::function<void(ProxyVerdict)> done)> check;
};

class TcpProxy {
 public:
  TcpProxy(boost::asio::io_context& io, TcpProxyOptions options);
  ~TcpProxy();  // close()
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // Binds the listeners (on the calling thread) and starts accepting on the I/O thread.
  core::Status start();
  uint16_t port() const;
  void set_armed(bool armed);            // false: every connection passes untouched
  void set_upstream(uint16_t port);      // the server moved (restarted on another port)
  // Stops accepting and closes every connection; waits (bounded) for the I/O thread.
  void close();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gcpsim::net
