// Internal to router.cc and proxy.cc (the only two translation units with Beast in them):
// the router's socket state, served on the engine thread's context (a request's admission,
// proxying and outcome cost no thread hop) — listeners, sessions waiting on engine decisions, requests
// in flight (so the engine can abort them) and the keep-alive pools to instances.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "services/run/router.h"

namespace gcpsim::services::run {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using error_code = boost::system::error_code;

// A connection to an instance, pooled between requests.
struct Upstream {
  explicit Upstream(asio::io_context& io) : sock(io) {}
  tcp::socket sock;
  beast::flat_buffer buf;
  bool reused = false;
};

// A request in flight to an instance, as abort() finds it.
struct Flight {
  tcp::socket* upstream = nullptr;
  tcp::socket* client = nullptr;  // set while a WebSocket is pumped
  bool aborted = false;
  std::optional<net::HttpResponse> reply;
};

// A session waiting for the engine's decision. A forward decision registers its flight
// as it arrives, so an abort() posted right after it always finds the flight.
struct Waiter {
  asio::steady_timer* wake = nullptr;
  std::optional<Decision> decision;
};

using UpstreamRequest = http::request<http::string_body>;

struct Router::Impl : std::enable_shared_from_this<Impl> {
  explicit Impl(asio::io_context& c) : io(c) {}

  asio::io_context& io;
  bool closed = false;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::set<tcp::socket*> clients;
  std::map<uint64_t, Waiter*> waiters;
  uint64_t next_wait = 1;
  std::map<uint64_t, std::shared_ptr<Flight>> flights;
  std::map<uint64_t, std::vector<std::unique_ptr<Upstream>>> pool;  // by upstream_key()

  // Runs fn on this Impl later, if it still exists (after the current handler).
  template <class Fn>
  static void defer(asio::io_context& io, std::weak_ptr<Impl> w, Fn fn) {
    asio::post(io, [w = std::move(w), fn = std::move(fn)]() mutable {
      if (auto self = w.lock()) fn(*self);
    });
  }

  void shutdown();
  void abort(uint64_t ticket, std::optional<net::HttpResponse> reply);
  void resolve(uint64_t wait_id, Decision decision);

  // router.cc
  awaitable<void> accept_loop(tcp::acceptor& acceptor, std::weak_ptr<Frontend> fe);
  awaitable<void> session(tcp::socket sock, std::weak_ptr<Frontend> fe);
  awaitable<std::optional<Decision>> ask(std::weak_ptr<Frontend> fe, Arrival arrival, asio::steady_timer& wake);

  // proxy.cc
  awaitable<std::unique_ptr<Upstream>> checkout(uint64_t key, bool fresh);
  void checkin(uint64_t key, std::unique_ptr<Upstream> up);
  // Sends the request and reads the response header, retrying once when a pooled
  // connection turns out to be stale. Null on failure (the flight says whether aborted).
  awaitable<std::unique_ptr<Upstream>> exchange(uint64_t key, UpstreamRequest& req, Flight& flight,
                                                std::optional<http::response_parser<http::buffer_body>>& parser,
                                                bool head, bool fresh);
  // Proxies one request from a session; false when the client connection must close.
  awaitable<bool> forward(tcp::socket& client, beast::flat_buffer& client_buf, UpstreamRequest req,
                          Decision decision, std::shared_ptr<Flight> flight, bool keep_alive,
                          std::weak_ptr<Frontend> fe);
  awaitable<void> fetch(uint64_t ticket, uint16_t port, FetchRequest request, std::shared_ptr<Flight> flight,
                        std::weak_ptr<Frontend> fe);
};

// An upstream's IPv4 address (host order, 0 for 127.0.0.1) and port as one pool key.
inline uint64_t upstream_key(uint32_t host, uint16_t port) {
  return (uint64_t{host ? host : 0x7f000001u} << 16) | port;
}

// Writes a complete response; false when the client is gone.
awaitable<bool> write_response(tcp::socket& client, const net::HttpResponse& r, bool keep_alive);
awaitable<void> refuse_too_large(tcp::socket& client);

}  // namespace gcpsim::services::run
