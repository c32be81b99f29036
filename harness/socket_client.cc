// SocketClient over Boost.Beast: one coroutine per exchange, and per WebSocket a reader and a
// writer coroutine, on a private io_context.
#include "harness/socket_client.h"

#include <deque>
#include <map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace gcpsim::harness {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr uint64_t kMaxBody = 256ull * 1024 * 1024;

struct Url {
  std::string host, port, target;
};

Url split(const std::string& url, const std::string& target) {
  std::string_view rest(url);
  if (rest.rfind("http://", 0) == 0) rest.remove_prefix(7);
  auto slash = rest.find('/');
  std::string hostport(rest.substr(0, slash));
  std::string path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  Url u{hostport, "80", path + target};
  if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    u.host = hostport.substr(0, colon);
    u.port = hostport.substr(colon + 1);
  }
  if (u.host == "localhost") u.host = "127.0.0.1";
  if (u.target.empty() || u.target[0] == '?') u.target = "/" + u.target;
  return u;
}

// The address to connect to (the first the name resolves to; URLs here name loopback
// addresses), with the socket bound to `source` when one is given: the client address a load
// balancer's CLIENT_IP affinity sees. Not a coroutine: one co_await, no branches around it.
tcp::endpoint prepare(tcp::socket& socket, const tcp::resolver::results_type& endpoints, const std::string& source) {
  tcp::endpoint target = endpoints.begin()->endpoint();
  if (source.empty()) return target;
  auto from = asio::ip::make_address(source);
  socket.open(from.is_v4() ? tcp::v4() : tcp::v6());
  socket.bind(tcp::endpoint(from, 0));
  return target;
}

}  // namespace

// One WebSocket: frames in, frames queued out (one write at a time, as Beast requires).
struct Socket {
  explicit Socket(asio::io_context& io) : ws(io) {}
  websocket::stream<beast::tcp_stream> ws;
  std::vector<std::string> inbox;
  std::deque<std::string> outbox;
  bool writing = false;
  bool close_queued = false;
  bool open = false;
  bool closed = false;
  int close_code = 1006;
  std::function<bool(const std::string&)> awaiting;  // set while the harness waits on a frame
};

struct SocketClient::Impl {
  asio::io_context io{1};
  Id next_id = 1;
  std::map<Id, std::optional<Response>> exchanges;
  std::map<Id, std::shared_ptr<Socket>> sockets;
  size_t running = 0;

  size_t awaited() const {
    size_t n = 0;
    for (const auto& [id, s] : sockets) n += s->awaiting != nullptr;
    return n;
  }

  static void ended(Socket& s) {
    s.closed = true;
    s.open = false;
    s.awaiting = nullptr;
    s.outbox.clear();
  }

  asio::awaitable<Response> handshake(std::shared_ptr<Socket> s, Request req, std::chrono::milliseconds guard) {
    Url u = split(req.url, req.target);
    auto& stream = beast::get_lowest_layer(s->ws);
    stream.expires_after(guard);
    tcp::resolver resolver(io);
    auto endpoints = co_await resolver.async_resolve(u.host, u.port, asio::use_awaitable);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    auto headers = req.headers;
    s->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& r) {
      for (const auto& [k, v] : headers) r.set(k, v);
    }));
    websocket::response_type res;
    Response out;
    beast::error_code ec;
    co_await s->ws.async_handshake(res, u.host + ":" + u.port, u.target, asio::redirect_error(asio::use_awaitable, ec));
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = res.body();
    if (ec && out.status == 101) throw beast::system_error(ec);
    if (!ec) {
      stream.expires_never();  // from here the peers decide how long it lives
      s->open = true;
    }
    co_return out;
  }

  asio::awaitable<void> read_frames(std::shared_ptr<Socket> s) {
    try {
      for (;;) {
        beast::flat_buffer buf;
        co_await s->ws.async_read(buf, asio::use_awaitable);
        s->inbox.push_back(beast::buffers_to_string(buf.data()));
        if (s->awaiting && s->awaiting(s->inbox.back())) s->awaiting = nullptr;
      }
    } catch (const std::exception&) {
      s->close_code = s->ws.reason().code ? static_cast<int>(s->ws.reason().code) : 1006;
    }
    // As a browser does: once the peer is gone (or has closed), the TCP connection goes too,
    // so a proxy between us sees both directions end.
    beast::error_code ignored;
    beast::get_lowest_layer(s->ws).socket().close(ignored);
    ended(*s);
  }

  asio::awaitable<void> write_frames(std::shared_ptr<Socket> s) {
    try {
      while (s->open && !s->outbox.empty()) {
        std::string text = std::move(s->outbox.front());
        s->outbox.pop_front();
        co_await s->ws.async_write(asio::buffer(text), asio::use_awaitable);
      }
      if (s->open && s->close_queued) co_await s->ws.async_close(websocket::close_code::normal, asio::use_awaitable);
    } catch (const std::exception&) {
      // the reader sees the broken connection and ends it
    }
    s->writing = false;
  }

  // One writer at a time: marked before it is spawned, as it only starts at the next poll.
  void pump(const std::shared_ptr<Socket>& s) {
    if (s->writing || !s->open) return;
    s->writing = true;
    asio::co_spawn(io, write_frames(s), asio::detached);
  }

  asio::awaitable<Response> exchange(Request req, std::chrono::milliseconds guard) {
    Url u = split(req.url, req.target);
    beast::tcp_stream stream(io);
    stream.expires_after(guard);
    tcp::resolver resolver(io);
    auto endpoints = co_await resolver.async_resolve(u.host, u.port, asio::use_awaitable);
    co_await stream.socket().async_connect(prepare(stream.socket(), endpoints, req.source), asio::use_awaitable);
    http::request<http::string_body> r;
    r.method_string(req.method);
    r.target(u.target);
    r.version(11);
    r.set(http::field::host, u.host + ":" + u.port);
    for (const auto& [k, v] : req.headers) r.set(k, v);
    r.body() = std::move(req.body);
    r.prepare_payload();
    co_await http::async_write(stream, r, asio::use_awaitable);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    co_await http::async_read(stream, buf, parser, asio::use_awaitable);
    Response out;
    out.status = static_cast<int>(parser.get().result_int());
    for (const auto& f : parser.get()) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(parser.get().body());
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return out;
  }

  asio::awaitable<void> run(Id id, Request req, std::chrono::milliseconds guard) {
    Response out;
    try {
      out = co_await exchange(std::move(req), guard);
    } catch (const std::exception& e) {
      out = Response{};
      out.error = e.what();
    }
    exchanges[id] = std::move(out);
    --running;
  }
};

SocketClient::Id SocketClient::open_websocket(Request req, std::chrono::milliseconds guard) {
  Id id = impl_->next_id++;
  auto s = std::make_shared<Socket>(impl_->io);
  impl_->sockets[id] = s;
  impl_->exchanges[id] = std::nullopt;
  ++impl_->running;
  auto run = [](Impl* impl, Id id, std::shared_ptr<Socket> s, Request req, std::chrono::milliseconds guard) -> asio::awaitable<void> {
    Response out;
    try {
      out = co_await impl->handshake(s, std::move(req), guard);
    } catch (const std::exception& e) {
      out = Response{};
      out.error = e.what();
    }
    if (s->open) {
      asio::co_spawn(impl->io, impl->read_frames(s), asio::detached);
    } else {
      Impl::ended(*s);
    }
    impl->exchanges[id] = std::move(out);
    --impl->running;
  };
  asio::co_spawn(impl_->io, run(impl_.get(), id, s, std::move(req), guard), asio::detached);
  return id;
}

void SocketClient::ws_send(Id id, std::string text) {
  auto it = impl_->sockets.find(id);
  if (it == impl_->sockets.end() || !it->second->open) return;
  it->second->outbox.push_back(std::move(text));
  impl_->pump(it->second);
}

void SocketClient::ws_close(Id id) {
  auto it = impl_->sockets.find(id);
  if (it == impl_->sockets.end() || !it->second->open) return;
  it->second->close_queued = true;
  impl_->pump(it->second);
}

std::vector<std::string> SocketClient::ws_take(Id id) {
  auto it = impl_->sockets.find(id);
  if (it == impl_->sockets.end()) return {};
  return std::exchange(it->second->inbox, {});
}

bool SocketClient::ws_closed(Id id) const {
  auto it = impl_->sockets.find(id);
  return it == impl_->sockets.end() || it->second->closed;
}

int SocketClient::ws_close_code(Id id) const {
  auto it = impl_->sockets.find(id);
  return it == impl_->sockets.end() ? 1006 : it->second->close_code;
}

void SocketClient::ws_await(Id id, std::function<bool(const std::string&)> stop) {
  auto it = impl_->sockets.find(id);
  if (it == impl_->sockets.end() || it->second->closed) return;
  it->second->awaiting = std::move(stop);
}

bool SocketClient::ws_awaited(Id id) const {
  auto it = impl_->sockets.find(id);
  return it != impl_->sockets.end() && it->second->awaiting != nullptr;
}

SocketClient::SocketClient() : impl_(std::make_unique<Impl>()) {}
SocketClient::~SocketClient() = default;

SocketClient::Id SocketClient::start(Request req, std::chrono::milliseconds guard) {
  Id id = impl_->next_id++;
  impl_->exchanges[id] = std::nullopt;
  ++impl_->running;
  asio::co_spawn(impl_->io, impl_->run(id, std::move(req), guard), asio::detached);
  return id;
}

std::optional<Response> SocketClient::take(Id id) {
  auto it = impl_->exchanges.find(id);
  if (it == impl_->exchanges.end() || !it->second) return std::nullopt;
  Response r = std::move(*it->second);
  impl_->exchanges.erase(it);
  return r;
}

size_t SocketClient::outstanding() const { return impl_->running + impl_->awaited(); }

void SocketClient::poll(std::chrono::microseconds d) {
  auto& io = impl_->io;
  asio::steady_timer timer(io, d);
  bool fired = false;
  timer.async_wait([&fired](beast::error_code) { fired = true; });
  size_t before = outstanding();
  while (!fired && outstanding() == before) {
    if (io.run_one() == 0) break;
  }
  timer.cancel();
  while (!fired) {
    if (io.run_one() == 0) break;
  }
  io.restart();
}

}  // namespace gcpsim::harness
