// The edge: one port for gRPC and HTTP/1.1. Each accepted connection is sniffed without
// consuming bytes: the HTTP/2 preface goes to the gRPC host, anything else to an HTTP
// session (net/http_session.h). The edge knows no services: it hands requests to `route`.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "net/http.h"

namespace boost::asio { class io_context; }

namespace gcpsim::net {

struct EdgeHandlers {
  // Takes over a connection that speaks HTTP/2 (gRPC).
  std::function<void(int fd)> grpc;
  // Routes one request; `done` may be called on any thread, once. The session keeps `req`
  // alive until then.
  std::function<void(HttpRequest& req, std::function<void(HttpResponse)> done)> route;
  // A fresh file path for a request body too large to keep in memory.
  std::function<std::string()> spool_path;
  // Runs on the engine thread (a streamed response body starts there).
  std::function<void(std::function<void()>)> post_engine;
};

class Edge {
 public:
  Edge(boost::asio::io_context& io, EdgeHandlers handlers);
  ~Edge();
  Edge(const Edge&) = delete;
  Edge& operator=(const Edge&) = delete;

  // Binds and listens ("localhost" means 127.0.0.1; port 0 = any free port).
  core::Status listen(const std::string& host, uint16_t port);
  uint16_t port() const;
  // Also serves HTTP/1.1 on 127.0.0.1:`port` as if every request there named `host` (an
  // HTTP stub's own port): the same sessions, no gRPC. Before start().
  core::Status listen_pinned(uint16_t port, const std::string& host);
  // Starts accepting on the I/O context.
  void start();
  // Stops accepting; I/O thread (or before it runs).
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gcpsim::net
