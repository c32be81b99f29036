// The TCP fault proxy: accept loops, the upstream connect (retried while the server starts),
// and one loop per direction. A direction no fault can touch relays with plain non-blocking
// read/write on readiness (two system calls a chunk, no handler per read or write); while a
// rule could apply it reads, asks for the verdict, and applies it before forwarding.
#include "net/tcp_proxy.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <set>

#include <boost/asio.hpp>

namespace gcpsim::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using generic = asio::generic::stream_protocol;
using generic_acceptor = asio::basic_socket_acceptor<generic>;
using error_code = boost::system::error_code;

namespace {

constexpr size_t kChunk = 256 * 1024;
constexpr int kRelayRounds = 8;  // full chunks relayed in a row before yielding
constexpr int kFirstRetryMs = 20, kMaxRetryMs = 250;

struct Conn {
  generic::socket client;
  tcp::socket upstream;
  asio::steady_timer up_timer, down_timer;
  std::vector<char> up_buf = std::vector<char>(kChunk), down_buf = std::vector<char>(kChunk);
  ProxyVerdict verdict;
  bool closed = false;
  int open_directions = 2;
  int retry_ms = kFirstRetryMs;
  int64_t waited_ms = 0;
  Conn(asio::io_context& io, generic::socket c) : client(std::move(c)), upstream(io), up_timer(io), down_timer(io) {}

  void close(bool reset) {
    if (closed) return;
    closed = true;
    error_code ec;
    if (reset) client.set_option(asio::socket_base::linger(true, 0), ec);
    client.close(ec);
    if (reset && upstream.is_open()) upstream.set_option(asio::socket_base::linger(true, 0), ec);
    upstream.close(ec);
    up_timer.cancel();
    down_timer.cancel();
  }
};

// Small writes go out at once both ways (redis replies and requests are a few bytes).
void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::chrono::nanoseconds transfer_time(size_t bytes, int64_t kbps) {
  if (kbps <= 0) return {};
  return std::chrono::nanoseconds(static_cast<int64_t>(bytes) * 1000000000 / (kbps * 1024));
}

}  // namespace

// Plain completion handlers (no coroutines): each step of a connection schedules the next.
struct TcpProxy::Impl : std::enable_shared_from_this<Impl> {
  using ConnPtr = std::shared_ptr<Conn>;
  asio::io_context& io;
  TcpProxyOptions options;
  generic_acceptor tcp_acceptor, unix_acceptor;
  std::atomic<bool> armed{false};
  std::atomic<uint16_t> upstream_port{0};
  std::set<ConnPtr> conns;  // I/O thread
  uint16_t bound = 0;
  std::atomic<bool> closed{false};

  Impl(asio::io_context& c, TcpProxyOptions o)
      : io(c), options(std::move(o)), tcp_acceptor(c), unix_acceptor(c), upstream_port(options.upstream_port) {}

  void accept(generic_acceptor& acceptor) {
    acceptor.async_accept([self = shared_from_this(), &acceptor](error_code ec, generic::socket s) {
      if (self->closed || !acceptor.is_open()) return;
      if (!ec) {
        auto c = std::make_shared<Conn>(self->io, std::move(s));
        self->conns.insert(c);
        self->ask(c, "connect", [self, c](ProxyVerdict v) {
          c->verdict = v;
          if (v.kind == ProxyVerdict::Kind::kReset) return self->finish(c, true);
          self->connect_upstream(c);
        });
      }
      self->accept(acceptor);
    });
  }

  // The verdict for the connection's next step; `then` runs on the I/O thread unless the
  // connection closed meanwhile.
  void ask(const ConnPtr& c, const char* phase, std::function<void(ProxyVerdict)> then) {
    if (!armed.load(std::memory_order_relaxed) || !options.check) return then(ProxyVerdict{});
    options.check(phase, c->verdict, [self = shared_from_this(), c, then = std::move(then)](ProxyVerdict v) {
      asio::post(self->io, [c, then, v] {
        if (!c->closed) then(v);
      });
    });
  }

  // Connects to the server, retrying while it is not there yet (starting, restarting).
  void connect_upstream(const ConnPtr& c) {
    tcp::endpoint ep(asio::ip::address_v4::loopback(), upstream_port.load());
    c->upstream.async_connect(ep, [self = shared_from_this(), c](error_code ec) {
      if (c->closed) return;
      if (!ec) {
        c->upstream.set_option(tcp::no_delay(true), ec);
        c->upstream.non_blocking(true, ec);
        c->client.non_blocking(true, ec);
        no_delay(c->client.native_handle());  // fails harmlessly on the unix socket
        self->read_client(c);
        self->read_upstream(c);
        return;
      }
      c->upstream.close(ec);
      if (c->waited_ms >= self->options.upstream_wait.count()) return self->finish(c, false);
      c->up_timer.expires_after(std::chrono::milliseconds(c->retry_ms));
      c->waited_ms += c->retry_ms;
      c->retry_ms = std::min(c->retry_ms * 2, kMaxRetryMs);
      c->up_timer.async_wait([self, c](error_code) {
        if (!c->closed) self->connect_upstream(c);
      });
    });
  }

  void finish(const ConnPtr& c, bool reset) {
    c->close(reset);
    conns.erase(c);
  }

  // One direction ended: pass the end of stream on; the connection closes when both did.
  void half_close(const ConnPtr& c, bool to_upstream) {
    error_code ec;
    if (to_upstream) c->upstream.shutdown(tcp::socket::shutdown_send, ec);
    else c->client.shutdown(generic::socket::shutdown_send, ec);
    if (--c->open_directions == 0) finish(c, false);
  }

  // The fast path of one direction: while `clear` holds (no rule can touch it), read what
  // is there and write it on at once; wait for readability only when the socket is drained
  // (a short read: the next arrival wakes the reactor again). A write the peer cannot take
  // yet is finished asynchronously, then relaying resumes. `slow` takes over (reading the
  // next chunk itself) as soon as `clear` stops holding, checked before every chunk.
  template <class From, class To>
  void relay(const ConnPtr& c, From& from, To& to, std::vector<char>& buf, bool to_upstream) {
    for (int round = 0;; ++round) {
      if (c->closed) return;
      if (!clear(c, to_upstream)) return slow(c, to_upstream);
      if (round == kRelayRounds) {  // a fast sender: let the other connections have a turn
        return asio::post(io, [self = shared_from_this(), c, &from, &to, &buf, to_upstream] {
          self->relay(c, from, to, buf, to_upstream);
        });
      }
      ssize_t n = ::recv(from.native_handle(), buf.data(), buf.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return await(c, from, to, buf, to_upstream);
      if (n <= 0) return half_close(c, to_upstream);
      size_t sent = 0;
      while (sent < static_cast<size_t>(n)) {
        ssize_t w = ::send(to.native_handle(), buf.data() + sent, n - sent, MSG_NOSIGNAL);
        if (w > 0) sent += static_cast<size_t>(w);
        else if (w < 0 && errno == EINTR) continue;
        else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        else return finish(c, false);
      }
      if (sent < static_cast<size_t>(n)) {
        return asio::async_write(to, asio::buffer(buf.data() + sent, n - sent),
                                 [self = shared_from_this(), c, &from, &to, &buf, to_upstream](error_code ec, size_t) {
                                   if (c->closed) return;
                                   if (ec) return self->finish(c, false);
                                   self->relay(c, from, to, buf, to_upstream);
                                 });
      }
      if (static_cast<size_t>(n) < buf.size()) return await(c, from, to, buf, to_upstream);
    }
  }

  template <class From, class To>
  void await(const ConnPtr& c, From& from, To& to, std::vector<char>& buf, bool to_upstream) {
    from.async_wait(asio::socket_base::wait_read, [self = shared_from_this(), c, &from, &to, &buf, to_upstream](error_code ec) {
      if (c->closed) return;
      if (ec) return self->half_close(c, to_upstream);
      self->relay(c, from, to, buf, to_upstream);
    });
  }

  // No rule can apply to this direction: client → server is clear while the proxy is not
  // armed; server → client while the connection's verdict lets it pass untouched.
  bool clear(const ConnPtr& c, bool to_upstream) const {
    if (to_upstream) return !armed.load(std::memory_order_relaxed);
    return c->verdict.kind == ProxyVerdict::Kind::kPass ||
           (c->verdict.kind == ProxyVerdict::Kind::kSlow && c->verdict.bandwidth_kbps <= 0);
  }

  void slow(const ConnPtr& c, bool to_upstream) {
    if (to_upstream) read_client_slow(c);
    else read_upstream_slow(c);
  }

  void read_client(const ConnPtr& c) { relay(c, c->client, c->upstream, c->up_buf, true); }
  void read_upstream(const ConnPtr& c) { relay(c, c->upstream, c->client, c->down_buf, false); }

  // Client → server: the verdict is asked for each chunk before it is forwarded.
  void read_client_slow(const ConnPtr& c) {
    c->client.async_read_some(asio::buffer(c->up_buf), [self = shared_from_this(), c](error_code ec, size_t n) {
      if (c->closed) return;
      if (ec) return self->half_close(c, true);
      self->ask(c, "data", [self, c, n](ProxyVerdict v) {
        c->verdict = v;
        if (v.kind == ProxyVerdict::Kind::kReset) return self->finish(c, true);
        if (v.kind == ProxyVerdict::Kind::kBlackhole) return self->read_client_slow(c);
        auto wait = v.kind == ProxyVerdict::Kind::kSlow ? v.latency + transfer_time(n, v.bandwidth_kbps)
                                                         : std::chrono::nanoseconds{};
        if (wait.count() <= 0) return self->write_upstream(c, n);
        c->up_timer.expires_after(wait);
        c->up_timer.async_wait([self, c, n](error_code) {
          if (!c->closed) self->write_upstream(c, n);
        });
      });
    });
  }

  void write_upstream(const ConnPtr& c, size_t n) {
    asio::async_write(c->upstream, asio::buffer(c->up_buf.data(), n), [self = shared_from_this(), c](error_code ec, size_t) {
      if (c->closed) return;
      if (ec) return self->finish(c, false);
      self->read_client(c);
    });
  }

  // Server → client: bandwidth limits apply here too; a black-holed connection hears nothing.
  void read_upstream_slow(const ConnPtr& c) {
    c->upstream.async_read_some(asio::buffer(c->down_buf), [self = shared_from_this(), c](error_code ec, size_t n) {
      if (c->closed) return;
      if (ec) return self->half_close(c, false);
      const auto& v = c->verdict;
      if (v.kind == ProxyVerdict::Kind::kBlackhole) return self->read_upstream_slow(c);
      if (v.kind != ProxyVerdict::Kind::kSlow || v.bandwidth_kbps <= 0) return self->write_client(c, n);
      c->down_timer.expires_after(transfer_time(n, v.bandwidth_kbps));
      c->down_timer.async_wait([self, c, n](error_code) {
        if (!c->closed) self->write_client(c, n);
      });
    });
  }

  void write_client(const ConnPtr& c, size_t n) {
    asio::async_write(c->client, asio::buffer(c->down_buf.data(), n), [self = shared_from_this(), c](error_code ec, size_t) {
      if (c->closed) return;
      if (ec) return self->finish(c, false);
      self->read_upstream(c);
    });
  }

  void shutdown() {
    closed = true;
    error_code ec;
    tcp_acceptor.close(ec);
    unix_acceptor.close(ec);
    for (auto& c : conns) c->close(false);
    conns.clear();
    if (!options.unix_path.empty()) ::unlink(options.unix_path.c_str());
  }
};

TcpProxy::TcpProxy(asio::io_context& io, TcpProxyOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

TcpProxy::~TcpProxy() { close(); }

core::Status TcpProxy::start() {
  auto& s = *impl_;
  error_code ec;
  tcp::endpoint ep(asio::ip::address_v4::loopback(), s.options.port);
  s.tcp_acceptor.open(generic(ep.protocol()), ec);
  if (!ec) s.tcp_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.tcp_acceptor.bind(generic::endpoint(ep), ec);
  if (!ec) s.tcp_acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::Status::unavailable("cannot listen on 127.0.0.1:" + std::to_string(s.options.port) + " for " +
                                     s.options.name + ": " + ec.message());
  }
  auto local = s.tcp_acceptor.local_endpoint();
  s.bound = ntohs(reinterpret_cast<const sockaddr_in*>(local.data())->sin_port);
  if (!s.options.unix_path.empty()) {
    ::unlink(s.options.unix_path.c_str());
    asio::local::stream_protocol::endpoint uep(s.options.unix_path);
    s.unix_acceptor.open(generic(uep.protocol()), ec);
    if (!ec) s.unix_acceptor.bind(generic::endpoint(uep), ec);
    if (!ec) s.unix_acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return core::Status::unavailable("cannot listen on " + s.options.unix_path + ": " + ec.message());
    ::chmod(s.options.unix_path.c_str(), 0777);
  }
  asio::post(s.io, [self = impl_] {
    self->accept(self->tcp_acceptor);
    if (self->unix_acceptor.is_open()) self->accept(self->unix_acceptor);
  });
  return core::Status::ok();
}

uint16_t TcpProxy::port() const { return impl_->bound; }

void TcpProxy::set_armed(bool armed) { impl_->armed.store(armed); }

void TcpProxy::set_upstream(uint16_t port) { impl_->upstream_port.store(port); }

void TcpProxy::close() {
  if (!impl_ || impl_->closed) return;
  auto done = std::make_shared<std::promise<void>>();
  auto f = done->get_future();
  asio::post(impl_->io, [self = impl_, done] {
    self->shutdown();
    done->set_value();
  });
  if (f.wait_for(std::chrono::seconds(5)) != std::future_status::ready) impl_->closed = true;
}

}  // namespace gcpsim::net
