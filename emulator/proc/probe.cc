// HTTP and TCP probes of local ports with asio (see probe.h).
#include "proc/probe.h"

#include <memory>

#include <boost/asio.hpp>

namespace gcpsim::proc {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

bool http_2xx(const std::string& status_line) {
  // "HTTP/1.1 200 OK"
  auto sp = status_line.find(' ');
  return status_line.rfind("HTTP/", 0) == 0 && sp != std::string::npos && sp + 1 < status_line.size() &&
         status_line[sp + 1] == '2';
}

}  // namespace

asio::awaitable<bool> probe_once(asio::io_context& io, ProbeTarget target, std::chrono::milliseconds timeout) {
  auto sock = std::make_shared<tcp::socket>(io);
  asio::steady_timer guard(io);
  guard.expires_after(timeout);
  guard.async_wait([sock](error_code ec) {
    if (!ec) sock->close(ec);
  });
  asio::ip::address_v4 host(target.host ? target.host : 0x7f000001u);
  error_code ec;
  co_await sock->async_connect({host, target.port}, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || target.path.empty()) {
    guard.cancel();
    co_return !ec;
  }
  std::string req = "GET " + target.path + " HTTP/1.1\r\nHost: " + host.to_string() + ":" +
                    std::to_string(target.port) + "\r\nUser-Agent: GoogleHC/1.0\r\nConnection: close\r\n\r\n";
  co_await asio::async_write(*sock, asio::buffer(req), asio::redirect_error(asio::use_awaitable, ec));
  std::string head;
  if (!ec) {
    co_await asio::async_read_until(*sock, asio::dynamic_buffer(head, 4096), "\r\n",
                                    asio::redirect_error(asio::use_awaitable, ec));
  }
  guard.cancel();
  co_return !ec && http_2xx(head);
}

void probe(asio::io_context& io, ProbeTarget target, std::chrono::milliseconds timeout, std::function<void(bool)> done) {
  asio::co_spawn(io, probe_once(io, std::move(target), timeout),
                 [done = std::move(done)](std::exception_ptr e, bool ok) { done(!e && ok); });
}

}  // namespace gcpsim::proc
