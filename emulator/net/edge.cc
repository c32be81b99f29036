// The edge listener: accept, sniff the first bytes, hand gRPC and HTTP/1.1 apart.
#include "net/edge.h"

#include <poll.h>

#include <algorithm>
#include <cstring>
#include <list>
#include <utility>

#include <boost/asio.hpp>

#include "net/http_session.h"
#include "net/limits.h"

namespace gcpsim::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

constexpr auto kSniffPatience = std::chrono::seconds(10);  // for a preface split across packets
constexpr auto kSniffPause = std::chrono::milliseconds(2);
constexpr auto kSniffPauseMax = std::chrono::milliseconds(100);
constexpr auto kAcceptRetry = std::chrono::milliseconds(50);
constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0";

// True once the peer has shut down its side (or the socket failed): no more bytes will come.
bool peer_hung_up(tcp::socket& sock) {
  pollfd p{sock.native_handle(), POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

}  // namespace

struct Edge::Impl {
  asio::io_context& io;
  EdgeHandlers handlers;
  tcp::acceptor acceptor{io};
  uint16_t bound_port = 0;
  // Ports whose every request names one Host (listen_pinned), with that Host.
  std::list<std::pair<tcp::acceptor, std::string>> pinned{};

  // `pinned_host` empty: the main port, sniffed for gRPC; otherwise HTTP only, Host pinned.
  awaitable<void> accept_loop(tcp::acceptor& acceptor, std::string pinned_host) {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket sock = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        // Out of descriptors (or memory): retrying at once would spin on the same error
        // while the pending connection waits in the backlog anyway.
        asio::steady_timer pause(io, kAcceptRetry);
        co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      sock.set_option(tcp::no_delay(true), ec);
      if (pinned_host.empty()) {
        asio::co_spawn(io, sniff(std::move(sock)), asio::detached);
      } else {
        asio::co_spawn(io, http_session(std::move(sock), handlers, pinned_host), asio::detached);
      }
    }
  }

  // Peeks at the first bytes without consuming them: the HTTP/2 preface goes to gRPC.
  // A connection that sends nothing is closed after kIdleTimeout, as one stuck in its headers.
  awaitable<void> sniff(tcp::socket sock) {
    char buf[14];
    asio::steady_timer pause(io);
    asio::steady_timer deadline(io, kIdleTimeout);
    deadline.async_wait([&sock](boost::system::error_code ec) {
      if (!ec) sock.cancel(ec);
    });
    auto step = kSniffPause;
    for (auto waited = step - step;; waited += step, step = std::min(step * 2, kSniffPauseMax)) {
      boost::system::error_code ec;
      co_await sock.async_wait(tcp::socket::wait_read, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      size_t n = sock.receive(asio::buffer(buf), tcp::socket::message_peek, ec);
      if (ec || n == 0) co_return;
      bool prefix = std::memcmp(buf, kHttp2Preface.data(), std::min(n, kHttp2Preface.size())) == 0;
      if (!prefix) break;
      if (n >= kHttp2Preface.size()) {
        deadline.cancel();
        handlers.grpc(sock.release());
        co_return;
      }
      // Part of the preface: poll with a growing pause, so a peer that stops mid-preface
      // costs a wake-up every 100 ms at most, not one every few. A peek keeps returning the
      // same bytes after the peer has gone, so its hang-up is asked for directly.
      if (waited >= kSniffPatience || peer_hung_up(sock)) co_return;
      pause.expires_after(step);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    deadline.cancel();
    co_await http_session(std::move(sock), handlers);
  }
};

Edge::Edge(asio::io_context& io, EdgeHandlers handlers) : impl_(new Impl{io, std::move(handlers)}) {}

Edge::~Edge() = default;

namespace {

core::Status bind_listen(tcp::acceptor& a, const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return core::Status::invalid_argument("bad --host " + host);
  tcp::endpoint ep(addr, port);
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return core::Status::unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  return core::Status::ok();
}

}  // namespace

core::Status Edge::listen(const std::string& host, uint16_t port) {
  auto st = bind_listen(impl_->acceptor, host, port);
  if (st.is_ok()) impl_->bound_port = impl_->acceptor.local_endpoint().port();
  return st;
}

core::Status Edge::listen_pinned(uint16_t port, const std::string& host) {
  auto& [acceptor, pinned_host] = impl_->pinned.emplace_back(tcp::acceptor(impl_->io), host);
  auto st = bind_listen(acceptor, "127.0.0.1", port);
  if (!st.is_ok()) impl_->pinned.pop_back();
  return st;
}

uint16_t Edge::port() const { return impl_->bound_port; }

void Edge::start() {
  asio::co_spawn(impl_->io, impl_->accept_loop(impl_->acceptor, ""), asio::detached);
  for (auto& [acceptor, host] : impl_->pinned) asio::co_spawn(impl_->io, impl_->accept_loop(acceptor, host), asio::detached);
}

void Edge::close() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  for (auto& [acceptor, host] : impl_->pinned) acceptor.close(ec);
}

}  // namespace gcpsim::net
