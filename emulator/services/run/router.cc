// The router's listeners and client sessions: read a request, ask the engine, then answer,
// drop or forward it (proxy.cc); plus the engine-facing Router methods and shutdown.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "services/run/limits.h"
#include "services/run/responses.h"
#include "services/run/router_io.h"
#include "services/service.h"

namespace gcpsim::services::run {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;

bool header_has_token(const http::request<http::string_body>& req, http::field f, std::string_view token) {
  std::string v(req[f]);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v.find(token) != std::string::npos;
}

Arrival arrival_of(const http::request<http::string_body>& req, const std::string& remote_ip) {
  Arrival a;
  a.method = std::string(req.method_string());
  a.target = std::string(req.target());
  a.headers.reserve(static_cast<size_t>(std::distance(req.begin(), req.end())));
  for (const auto& f : req) a.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  a.remote_ip = remote_ip;
  a.body_size = req.body().size();
  a.websocket = req.method() == http::verb::get && header_has_token(req, http::field::upgrade, "websocket") &&
                header_has_token(req, http::field::connection, "upgrade");
  return a;
}

// Binds and listens on host:port with plain sockets, so errors surface at once.
core::StatusOr<int> bind_listener(uint32_t host, uint16_t port, uint16_t& bound) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::Status::internal(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(host ? host : INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, SOMAXCONN) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int e = errno;
    ::close(fd);
    in_addr a{htonl(host ? host : INADDR_LOOPBACK)};
    char ip[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a, ip, sizeof ip);
    return core::Status::unavailable("cannot listen on " + std::string(ip) + ":" + std::to_string(port) + ": " + std::strerror(e));
  }
  bound = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

awaitable<bool> write_response(tcp::socket& client, const net::HttpResponse& r, bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(r.status), 11};
  for (const auto& [k, v] : r.headers) out.insert(k, v);
  out.body() = r.body;
  out.keep_alive(keep_alive);
  out.prepare_payload();
  error_code ec;
  co_await http::async_write(client, out, asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

// ---- sockets (engine thread) ----

void Router::Impl::shutdown() {
  closed = true;
  error_code ec;
  for (auto& a : acceptors) a->close(ec);
  for (auto& [id, w] : waiters) w->wake->cancel();
  for (auto* c : clients) c->close(ec);
  for (auto& [ticket, f] : flights)
    if (f->upstream) f->upstream->close(ec);
  pool.clear();
}

void Router::Impl::abort(uint64_t ticket, std::optional<net::HttpResponse> reply) {
  auto it = flights.find(ticket);
  if (it == flights.end()) return;
  Flight& f = *it->second;
  f.aborted = true;
  f.reply = std::move(reply);
  error_code ec;
  if (f.upstream) f.upstream->close(ec);
  if (f.client) f.client->close(ec);
}

void Router::Impl::resolve(uint64_t wait_id, Decision decision) {
  auto it = waiters.find(wait_id);
  if (it == waiters.end()) return;
  Waiter& w = *it->second;
  if (decision.kind == Decision::Kind::kForward) flights[decision.ticket] = std::make_shared<Flight>();
  w.decision = std::move(decision);
  w.wake->cancel();
}

awaitable<void> Router::Impl::accept_loop(tcp::acceptor& acceptor, std::weak_ptr<Frontend> fe) {
  auto self = shared_from_this();
  for (;;) {
    error_code ec;
    tcp::socket sock = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (closed || !acceptor.is_open()) co_return;
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(io, session(std::move(sock), fe), asio::detached);
  }
}

awaitable<std::optional<Decision>> Router::Impl::ask(std::weak_ptr<Frontend> fe, Arrival arrival, asio::steady_timer& wake) {
  Waiter w;
  w.wake = &wake;
  uint64_t id = next_wait++;
  waiters[id] = &w;
  // The router serves on the engine thread: the frontend decides in this call for the
  // common case, or later (queued while instances start) through the same callback.
  auto decide = [weak = weak_from_this(), id](Decision d) {
    if (auto self = weak.lock()) self->resolve(id, std::move(d));
  };
  if (auto f = fe.lock()) {
    f->admit(std::move(arrival), std::move(decide));
  } else {
    Decision d;
    d.response = responses::upstream_failed();
    resolve(id, std::move(d));
  }
  if (!w.decision) {
    wake.expires_at(asio::steady_timer::time_point::max());
    error_code ec;
    co_await wake.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  waiters.erase(id);
  co_return std::move(w.decision);
}

awaitable<void> Router::Impl::session(tcp::socket sock, std::weak_ptr<Frontend> fe) {
  auto self = shared_from_this();
  clients.insert(&sock);
  error_code ec;
  auto remote = sock.remote_endpoint(ec);
  std::string remote_ip = ec ? std::string() : remote.address().to_string();
  beast::flat_buffer buf;
  asio::steady_timer wake(io);
  while (!closed) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxRequestBytes);
    co_await http::async_read_header(sock, buf, parser, asio::redirect_error(use_awaitable, ec));
    // Beast checks a Content-Length against the body limit while it reads the header.
    if (ec == http::error::body_limit) {
      co_await refuse_too_large(sock);
      break;
    }
    if (ec) break;
    if (parser.get()[http::field::expect] == "100-continue") {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(sock, asio::buffer(kContinue), asio::redirect_error(use_awaitable, ec));
    }
    if (!ec && !parser.is_done()) co_await http::async_read(sock, buf, parser, asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::body_limit) {
      co_await refuse_too_large(sock);
      break;
    }
    if (ec) break;
    auto req = parser.release();
    bool keep_alive = req.keep_alive();
    auto decision = co_await ask(fe, arrival_of(req, remote_ip), wake);
    if (!decision || closed || decision->kind == Decision::Kind::kDrop) break;
    if (decision->kind == Decision::Kind::kRespond) {
      if (!co_await write_response(sock, decision->response, keep_alive) || !keep_alive) break;
      continue;
    }
    auto flight = flights.count(decision->ticket) ? flights[decision->ticket] : std::make_shared<Flight>();
    if (!co_await forward(sock, buf, std::move(req), std::move(*decision), flight, keep_alive, fe) || !keep_alive) break;
  }
  clients.erase(&sock);
  sock.shutdown(tcp::socket::shutdown_send, ec);
  sock.close(ec);
}

// ---- Router (engine thread) ----

Router::Router(Runtime& runtime) : runtime_(runtime) {
  if (runtime.engine) impl_ = std::make_shared<Impl>(*runtime.engine);
}

// On the engine thread, which is the router's own: coroutines still suspended end with
// operation_aborted once the context runs them, holding the Impl until then.
Router::~Router() {
  if (impl_) impl_->shutdown();
}

core::StatusOr<uint16_t> Router::listen(uint16_t port, std::weak_ptr<Frontend> frontend, uint32_t host) {
  if (!impl_) return core::Status::failed_precondition("no engine context to serve on");
  uint16_t bound = 0;
  auto fd = bind_listener(host, port, bound);
  if (!fd.ok()) return fd.status();
  Impl::defer(impl_->io, impl_, [fd = *fd, fe = std::move(frontend)](Impl& self) mutable {
    auto acceptor = std::make_unique<tcp::acceptor>(self.io);
    error_code ec;
    acceptor->assign(tcp::v4(), fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    auto& ref = *acceptor;
    self.acceptors.push_back(std::move(acceptor));
    asio::co_spawn(self.io, self.accept_loop(ref, std::move(fe)), asio::detached);
  });
  return bound;
}

void Router::fetch(uint64_t ticket, uint16_t instance_port, FetchRequest request, std::weak_ptr<Frontend> frontend) {
  if (!impl_) return;
  Impl::defer(impl_->io, impl_, [=, request = std::move(request), fe = std::move(frontend)](Impl& self) mutable {
    auto flight = std::make_shared<Flight>();
    self.flights[ticket] = flight;
    asio::co_spawn(self.io, self.fetch(ticket, instance_port, std::move(request), flight, std::move(fe)),
                   asio::detached);
  });
}

void Router::abort(uint64_t ticket, std::optional<net::HttpResponse> reply) {
  if (!impl_) return;
  Impl::defer(impl_->io, impl_, [ticket, reply = std::move(reply)](Impl& self) mutable {
    self.abort(ticket, std::move(reply));
  });
}

void Router::forget_instance(uint16_t instance_port, uint32_t host) {
  if (!impl_) return;
  Impl::defer(impl_->io, impl_, [key = upstream_key(host, instance_port)](Impl& self) { self.pool.erase(key); });
}

}  // namespace gcpsim::services::run
