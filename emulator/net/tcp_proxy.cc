// The TCP fault proxy: accept loops, the upstream connect (retried while the server starts),
// and one loop per direction. A direction no fault can touch writes each chunk on as soon as
// it is read (two system calls a chunk, one handler); while a rule could apply, the chunk
// waits for the verdict and has it applied before it is forwarded.
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

constexpr size_t kChunk = 64 * 1024;
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
    options.check(phase, [self = shared_from_this(), c, then = std::move(then)](ProxyVerdict v) {
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

  // One direction's loop: read what is there (the reactor performs the read once the socket
  // is readable, so a drained socket costs no extra system call), then, while no rule can
  // touch this direction, write it on at once with a plain non-blocking send; a write the
  // peer cannot take yet is finished asynchronously. Whether a rule applies is checked for
  // every chunk, so a rule added while the connection is open applies to its next chunk.
  void read_client(const ConnPtr& c) {
    c->client.async_read_some(asio::buffer(c->up_buf), [self = shared_from_this(), c](error_code ec, size_t n) {
      if (c->closed) return;
      if (ec) return self->half_close(c, true);
      if (self->clear(c, true)) return self->forward(c, c->upstream, c->up_buf, n, true);
      self->client_chunk(c, n);
    });
  }

  void read_upstream(const ConnPtr& c) {
    c->upstream.async_read_some(asio::buffer(c->down_buf), [self = shared_from_this(), c](error_code ec, size_t n) {
      if (c->closed) return;
      if (ec) return self->half_close(c, false);
      if (self->clear(c, false)) return self->forward(c, c->client, c->down_buf, n, false);
      self->upstream_chunk(c, n);
    });
  }

  // No rule can apply to this direction: client → server is clear while the proxy is not
  // armed; server → client while the connection's verdict has no bandwidth limit or black hole.
  bool clear(const ConnPtr& c, bool to_upstream) const {
    if (to_upstream) return !armed.load(std::memory_order_relaxed);
    return c->verdict.kind == ProxyVerdict::Kind::kPass ||
           (c->verdict.kind == ProxyVerdict::Kind::kSlow && c->verdict.bandwidth_kbps <= 0);
  }

  // Writes buf[0, n) to `to`, then reads the next chunk of this direction.
  template <class To>
  void forward(const ConnPtr& c, To& to, std::vector<char>& buf, size_t n, bool to_upstream) {
    size_t sent = 0;
    while (sent < n) {
      ssize_t w = ::send(to.native_handle(), buf.data() + sent, n - sent, MSG_NOSIGNAL);
      if (w > 0) sent += static_cast<size_t>(w);
      else if (w < 0 && errno == EINTR) continue;
      else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      else return finish(c, false);
    }
    if (sent == n) return to_upstream ? read_client(c) : read_upstream(c);
    asio::async_write(to, asio::buffer(buf.data() + sent, n - sent), [self = shared_from_this(), c, to_upstream](error_code ec, size_t) {
      if (c->closed) return;
      if (ec) return self->finish(c, false);
      to_upstream ? self->read_client(c) : self->read_upstream(c);
    });
  }

  // Client → server while armed: the verdict is asked for each chunk before it is forwarded.
  void client_chunk(const ConnPtr& c, size_t n) {
    ask(c, "data", [self = shared_from_this(), c, n](ProxyVerdict v) {
      c->verdict = v;
      if (v.kind == ProxyVerdict::Kind::kReset) return self->finish(c, true);
      if (v.kind == ProxyVerdict::Kind::kBlackhole) return self->read_client(c);
      auto wait = v.kind == ProxyVerdict::Kind::kSlow ? v.latency + transfer_time(n, v.bandwidth_kbps)
                                                       : std::chrono::nanoseconds{};
      if (wait.count() <= 0) return self->forward(c, c->upstream, c->up_buf, n, true);
      c->up_timer.expires_after(wait);
      c->up_timer.async_wait([self, c, n](error_code) {
        if (!c->closed) self->forward(c, c->upstream, c->up_buf, n, true);
      });
    });
  }

  // Server → client under a verdict: bandwidth limits apply here too; a black-holed
  // connection hears nothing.
  void upstream_chunk(const ConnPtr& c, size_t n) {
    const auto& v = c->verdict;
    if (v.kind == ProxyVerdict::Kind::kBlackhole) return read_upstream(c);
    c->down_timer.expires_after(transfer_time(n, v.bandwidth_kbps));
    c->down_timer.async_wait([self = shared_from_this(), c, n](error_code) {
      if (!c->closed) self->forward(c, c->client, c->down_buf, n, false);
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
