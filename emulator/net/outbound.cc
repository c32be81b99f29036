// Outbound HTTP/1.1: one connection per request, a coroutine on the I/O thread.
#include "net/outbound.h"

#include <stdexcept>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "net/limits.h"

namespace gcpsim::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

awaitable<OutboundResponse> exchange(asio::io_context& io, const OutboundRequest& req) {
  std::string_view url = req.url;
  if (url.rfind("http://", 0) != 0) throw std::runtime_error("only http:// URLs are supported: " + req.url);
  url.remove_prefix(7);
  auto slash = url.find('/');
  std::string hostport(url.substr(0, slash));
  std::string target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  std::string host = hostport, port = "80";
  if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  beast::tcp_stream stream(io);
  stream.expires_after(req.timeout);
  tcp::resolver resolver(io);
  auto endpoints = co_await resolver.async_resolve(host, port, use_awaitable);
  co_await stream.async_connect(endpoints, use_awaitable);
  http::request<http::string_body> r;
  r.method_string(req.method);
  r.target(target);
  r.version(11);
  r.set(http::field::host, hostport);
  for (const auto& [k, v] : req.headers) r.set(k, v);
  r.body() = req.body;
  r.prepare_payload();
  co_await http::async_write(stream, r, use_awaitable);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBodyBytes);
  co_await http::async_read(stream, buf, parser, use_awaitable);
  auto& res = parser.get();
  OutboundResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  co_return out;
}

}  // namespace

void OutboundHttpClient::send(OutboundRequest req, std::function<void(OutboundResponse)> done) {
  ++in_flight_;
  asio::co_spawn(
      io_,
      [this, req = std::move(req), done = std::move(done)]() mutable -> awaitable<void> {
        OutboundResponse out;
        try {
          out = co_await exchange(io_, req);
        } catch (const std::exception& e) {
          out = OutboundResponse{};
          out.error = e.what();
        }
        asio::post(engine_, [this, done = std::move(done), out = std::move(out)]() mutable {
          --in_flight_;
          done(std::move(out));
        });
      },
      asio::detached);
}

}  // namespace gcpsim::net
