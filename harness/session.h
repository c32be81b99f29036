// One fresh emulator for one scenario run, and the discrete-event driver: virtual time
// moves from timer to timer only while nothing real is in flight.
//
// "In flight": an outbound request of the emulator (push, dispatch) on the wire; a socket
// request of the harness whose target has not called back into the emulator; more requests
// routed to Run processes than are waiting on the emulator; a service's work off the engine
// thread (a backup, a BigQuery query on a worker); and, when the stack runs real
// processes, any event recorded since the last look (a process is busy).
// Requests to the edge are handed to the engine in process, so they are never in flight.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/events.h"
#include "core/stack.h"
#include "core/status.h"
#include "harness/request.h"
#include "harness/socket_client.h"
#include "app/server.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::harness {

struct SessionOptions {
  core::StackConfig stack;
  core::Time start_time{};
  std::string faketime_file;  // written on every clock move when set
};

class Session {
 public:
  explicit Session(SessionOptions options);
  ~Session();

  core::Status start();
  uint16_t port() const { return server_.port(); }
  const core::StackConfig& stack() const { return options_.stack; }

  // Runs fn on the engine thread with the emulator's Env and returns its result.
  template <class F>
  auto on_engine(F&& fn) {
    using R = decltype(fn(std::declval<core::Env&>()));
    if constexpr (std::is_void_v<R>) {
      server_.run_on_engine([&] { fn(server_.env()); });
    } else {
      std::optional<R> out;
      server_.run_on_engine([&] { out.emplace(fn(server_.env())); });
      return std::move(*out);
    }
  }

  core::Time now();
  // Sends a request and drives virtual time until it is answered or `limit` passes.
  core::StatusOr<Response> exchange(Request req, core::Time limit);
  // Sends every request at once (they are in flight together) and drives virtual time until
  // all are answered or `limit` passes; the responses come back in the requests' order.
  core::StatusOr<std::vector<Response>> exchange_all(std::vector<Request> reqs, core::Time limit);

  // What drive() waits for: checked on the engine thread between timers, and on the
  // harness thread after real I/O has settled. Either may be empty.
  struct Until {
    std::function<bool(core::Env&)> engine;
    std::function<bool()> harness;
  };
  // Drives virtual time until a condition holds (true) or the clock reaches `limit`
  // (false). While nothing real can be in flight, timers run back to back on the engine.
  core::StatusOr<bool> drive(const Until& until, core::Time limit);
  // Leaves the clock where it is while processes work on their own (a queue worker): true
  // once the condition holds, false when `real` (real time, counted in polls) has passed.
  core::StatusOr<bool> hold(const std::function<bool(core::Env&)>& until, core::Duration real);
  // Waits (bounded, in real time) until nothing real is in flight.
  core::Status settle();

  std::vector<core::Event> events_since(uint64_t seq);

  // WebSockets, by the scenario's name for each. Like socket requests, a connection holds the
  // clock only while the harness waits on it (its handshake, or a frame it awaits).
  struct Frames {
    std::vector<std::string> frames;  // received since the last look, in order
    bool closed = false;
    int close_code = 0;
    bool stopped = false;  // `stop` held for one of them
  };
  bool ws_open_now(const std::string& name);
  // Opens (or reopens) a connection; the handshake's answer (101 or the refusal).
  core::StatusOr<Response> ws_open(const std::string& name, Request req, core::Time limit);
  // Sends frames in order, then (with `stop`) drives virtual time until a frame for which it
  // holds arrives, the connection ends or `limit` passes; with `close`, closes and waits for
  // the end. Ended connections are recorded by the router before this returns.
  // `stop(frame, n)` sees each frame with its position n (from 0) in this step's frames; frames
  // after the one it holds for stay for the next step.
  using Stop = std::function<bool(const std::string& frame, size_t n)>;
  core::StatusOr<Frames> ws_exchange(const std::string& name, const std::vector<std::string>& send, Stop stop,
                                     bool close, core::Time limit);

 private:
  enum class Jump { kDone, kMoved, kIdle, kBusy };  // kBusy: real work resumed, settle again
  Jump run_timers(const Until& until, core::Time limit);
  core::StatusOr<Jump> wait_on_processes(const std::function<bool()>& holds, core::Time limit);
  size_t run_requests(const std::string& service, const std::string& path);
  void await_run_requests(const std::string& service, const std::string& path, size_t total);
  void write_faketime();
  static bool busy(const app::Server::Activity& a, size_t sockets);

  struct WebSocket {
    SocketClient::Id id = 0;
    std::string service, path;  // the Run service and path, when it goes through the router
    size_t routed_before = 0;   // that path's run.request events when it opened
    bool recorded = false;
    std::vector<std::string> unread;  // received after a step's awaited frame
  };
  void await_ws_recorded(WebSocket& ws);

  SessionOptions options_;
  app::Server server_;
  SocketClient sockets_;
  std::map<std::string, WebSocket> websockets_;
  bool has_processes_;
};

}  // namespace gcpsim::harness
