// The harness's own HTTP/1.1 client for requests that leave the process (Cloud Run
// service ports, URLs). Runs on the harness thread: nothing happens between poll() calls.
// The only harness file that includes Asio/Beast.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "harness/request.h"

namespace gcpsim::harness {

class SocketClient {
 public:
  SocketClient();
  ~SocketClient();
  SocketClient(const SocketClient&) = delete;
  SocketClient& operator=(const SocketClient&) = delete;

  using Id = uint64_t;
  // Starts the exchange; `guard` bounds its real I/O (connect, write, read).
  Id start(Request req, std::chrono::milliseconds guard);
  // The response once the exchange has finished.
  std::optional<Response> take(Id id);
  size_t outstanding() const;
  // Runs socket I/O for at most `d` of real time (returns early when an exchange ends).
  void poll(std::chrono::microseconds d);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gcpsim::harness
