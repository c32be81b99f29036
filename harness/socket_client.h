// The harness's own HTTP/1.1 and WebSocket client for requests that leave the process (Cloud
// Run service ports, URLs). Runs on the harness thread: nothing happens between poll() calls.
// The only harness file that includes Asio/Beast.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
  // Exchanges running, plus WebSockets being awaited (the harness waits on their frames).
  size_t outstanding() const;

  // WebSockets (RFC 6455, text frames). open_websocket starts the opening handshake; take(id)
  // gives its answer like an exchange's (101, or the refusal with its body). After a 101 the
  // connection reads frames in the background until either side closes it.
  Id open_websocket(Request req, std::chrono::milliseconds guard);
  void ws_send(Id id, std::string text);
  void ws_close(Id id);  // a normal close (1000); the peer's close frame ends it
  // Frames received since the last call, in order.
  std::vector<std::string> ws_take(Id id);
  // Ended (closed by either side, or broken), with the close code (1006: no close frame).
  bool ws_closed(Id id) const;
  int ws_close_code(Id id) const;
  // Marks the connection awaited until a frame for which `stop` holds arrives (or it ends):
  // meanwhile it counts in outstanding(). `stop` sees each new frame once.
  void ws_await(Id id, std::function<bool(const std::string&)> stop);
  bool ws_awaited(Id id) const;
  // Runs socket I/O for at most `d` of real time (returns early when an exchange ends).
  void poll(std::chrono::microseconds d);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gcpsim::harness
