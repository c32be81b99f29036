// SocketClient over Boost.Beast: one coroutine per exchange on a private io_context.
#include "harness/socket_client.h"

#include <map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace gcpsim::harness {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

struct SocketClient::Impl {
  asio::io_context io{1};
  Id next_id = 1;
  std::map<Id, std::optional<Response>> exchanges;
  size_t running = 0;

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

size_t SocketClient::outstanding() const { return impl_->running; }

void SocketClient::poll(std::chrono::microseconds d) {
  auto& io = impl_->io;
  asio::steady_timer timer(io, d);
  bool fired = false;
  timer.async_wait([&fired](beast::error_code) { fired = true; });
  size_t before = impl_->running;
  while (!fired && impl_->running == before) {
    if (io.run_one() == 0) break;
  }
  timer.cancel();
  while (!fired) {
    if (io.run_one() == 0) break;
  }
  io.restart();
}

}  // namespace gcpsim::harness
