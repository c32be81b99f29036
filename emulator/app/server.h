// One gcpsim process: the engine thread that owns all state, the I/O thread, the edge
// listener (gRPC and HTTP/1.1 on one port) and the emulator instance behind them.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/stack.h"
#include "core/status.h"
#include "net/http.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::app {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8085;                 // 0 = any free port (tests)
  std::string data_dir;                 // empty = in-memory state
  core::Clock::Mode clock_mode = core::Clock::Mode::kReal;
  core::Time start_time{};              // virtual clocks start here
  core::StackConfig stack;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the store, creates the services, binds the port and starts the threads.
  core::Status start();
  uint16_t port() const;
  // Stops accepting, shuts gRPC down, stops services, joins threads. Idempotent.
  void stop();
  // Runs fn on the engine thread and waits for it (CLI and tests).
  void run_on_engine(std::function<void()> fn);

  // Engine thread only, for the scenario harness (gcpsim test), which drives one server:
  core::Env& env();
  // Routes a request as if it had arrived on the edge; `req` must outlive the reply.
  void handle(net::HttpRequest& req, net::Reply reply);
  // Work that real I/O will finish: edge HTTP requests the engine has not answered yet,
  // outbound requests (push, dispatch) still on the wire, and requests Cloud Run routers
  // handed to user processes, and the services' work off the engine thread (read on the
  // engine thread). Virtual time may move only while outbound and background are 0.
  struct Activity {
    size_t inbound = 0;
    size_t outbound = 0;
    size_t in_processes = 0;
    size_t held = 0;  // inbound requests the engine has started and not answered (a timer holds them)
    size_t background = 0;  // backups, TTL sweeps, BigQuery queries on worker threads
  };
  Activity activity() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gcpsim::app
