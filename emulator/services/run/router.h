// The Cloud Run front end's I/O: one listener per service port; each request is read (413
// over 32 MiB), handed to the engine for a decision (admission, auth, autoscaling), then
// proxied to the chosen instance over pooled keep-alive connections with the response
// streamed back unbuffered (SSE, chunked) and WebSocket upgrades pumped both ways. The
// engine can also send requests itself (fetch) and abort any request (timeouts). The load
// balancer (services/compute) is another frontend of the same router.
// Everything, sockets included, runs on the engine thread: admission is a direct call.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "net/http.h"

namespace gcpsim::services { struct Runtime; }

namespace gcpsim::services::run {

// A request as the engine sees it when it arrives on a service's port.
struct Arrival {
  std::string method, target;  // target: "/path?query"
  net::Headers headers;
  std::string remote_ip;
  uint64_t body_size = 0;
  bool websocket = false;      // an Upgrade: websocket request
};

struct Decision {
  enum class Kind { kForward, kRespond, kDrop };
  Kind kind = Kind::kRespond;
  uint64_t ticket = 0;
  uint16_t port = 0;          // kForward: the instance
  uint32_t host = 0;          // kForward: its IPv4 address in host order; 0 is 127.0.0.1
  net::Headers set_headers;   // kForward: added (replacing same-named ones) on the way in
  std::string target;         // kForward: replaces the request target when not empty
  net::Headers response_headers;              // kForward: added to the instance's response
  std::optional<net::HttpResponse> failed;    // kForward: the answer when the instance fails
  net::HttpResponse response; // kRespond (status, headers, body)
};

// How a proxied or fetched request ended.
struct Outcome {
  int status = 0;              // what the client got; 0 when the connection was cut
  bool upstream_error = false; // the instance refused, reset or vanished
  bool aborted = false;        // abort() cut it
  bool websocket = false;      // a 101 whose byte pump has now ended
  uint64_t bytes = 0;          // response body bytes passed on
};

// A request the engine sends itself (in-process callers, the edge Host fallback).
struct FetchRequest {
  std::string method = "GET";
  std::string target = "/";
  net::Headers headers;
  std::string body;
};

// The engine side of the router: one per service.
class Frontend {
 public:
  virtual ~Frontend() = default;
  // A request arrived on the service's port; decide() exactly once (now or later).
  virtual void admit(Arrival arrival, std::function<void(Decision)> decide) = 0;
  // A forwarded request (or its WebSocket) ended.
  virtual void finished(uint64_t ticket, Outcome outcome) = 0;
  // A fetch's response: headers first, then body chunks, then finished().
  virtual void fetch_head(uint64_t ticket, int status, net::Headers headers, bool streaming) = 0;
  virtual void fetch_data(uint64_t ticket, std::string chunk) = 0;
};

class Router {
 public:
  explicit Router(Runtime& runtime);
  ~Router();  // closes listeners and connections
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Binds host:port now (host 0 is 127.0.0.1, port 0 picks a free port) and accepts on the
  // engine thread.
  core::StatusOr<uint16_t> listen(uint16_t port, std::weak_ptr<Frontend> frontend, uint32_t host = 0);
  void fetch(uint64_t ticket, uint16_t instance_port, FetchRequest request, std::weak_ptr<Frontend> frontend);
  // Cuts a forwarded request or fetch: the client gets `reply` when nothing was sent yet
  // (otherwise its connection is closed); the instance connection is closed.
  void abort(uint64_t ticket, std::optional<net::HttpResponse> reply);
  // Drops pooled connections to an instance that went away.
  void forget_instance(uint16_t instance_port, uint32_t host = 0);

 private:
  struct Impl;
  Runtime& runtime_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gcpsim::services::run
