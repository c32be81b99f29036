// Specification of the TCP fault proxy with real loopback sockets: bytes pass both ways, the
// verdicts reset or black-hole connections, the unix socket listener reaches the same
// server, and a connection opened before the server listens waits for it.
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <boost/asio.hpp>

#include "net/tcp_proxy.h"

namespace net_tcp_proxy_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
namespace asio = boost::asio;

namespace {

// An echo server on a loopback port, on its own thread.
struct Echo {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io};
  std::thread thread;
  uint16_t port = 0;

  explicit Echo(uint16_t at = 0) {
    asio::ip::tcp::endpoint ep(asio::ip::address_v4::loopback(), at);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    accept();
    thread = std::thread([this] { io.run(); });
  }
  ~Echo() {
    io.stop();
    thread.join();
  }
  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      auto sock = std::make_shared<asio::ip::tcp::socket>(std::move(s));
      echo(sock, std::make_shared<std::array<char, 4096>>());
      accept();
    });
  }
  void echo(std::shared_ptr<asio::ip::tcp::socket> s, std::shared_ptr<std::array<char, 4096>> buf) {
    s->async_read_some(asio::buffer(*buf), [this, s, buf](boost::system::error_code ec, size_t n) {
      if (ec) return;
      asio::async_write(*s, asio::buffer(buf->data(), n), [this, s, buf](boost::system::error_code ec2, size_t) {
        if (!ec2) echo(s, buf);
      });
    });
  }
};

// The proxy's I/O thread, and a verdict the test sets.
struct Fixture {
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  std::atomic<int> checks{0};
  net::ProxyVerdict verdict;

  net::TcpProxyOptions options(uint16_t upstream) {
    net::TcpProxyOptions o;
    o.name = "echo";
    o.upstream_port = upstream;
    o.upstream_wait = std::chrono::seconds(10);
    o.check = [this](const char*, std::function<void(net::ProxyVerdict)> done) {
      ++checks;
      done(verdict);
    };
    return o;
  }
  ~Fixture() {
    work.reset();
    io.stop();
    thread.join();
  }
};

// An echo server behind a started proxy.
struct Proxied {
  Echo echo;
  Fixture f;
  net::TcpProxy proxy{f.io, f.options(echo.port)};
  Proxied() { REQUIRE(proxy.start().is_ok()); }
};

int connect_tcp(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Sends `msg` and reads until as many bytes came back; "" on EOF, "reset", or "timeout".
std::string round_trip(int fd, const std::string& msg, int timeout_s = 5) {
  timeval tv{timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) < 0) return "reset";
  std::string got;
  char buf[4096];
  while (got.size() < msg.size()) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return got;
    if (n < 0) return errno == ECONNRESET ? "reset" : (errno == EAGAIN || errno == EWOULDBLOCK) ? "timeout" : "error";
    got.append(buf, n);
  }
  return got;
}

}  // namespace

TEST_CASE("without a rule the proxy moves bytes both ways and never asks for a verdict") {
  Proxied p;
  int fd = connect_tcp(p.proxy.port());
  CHECK(round_trip(fd, "hello") == "hello");
  std::string big(200000, 'x');
  CHECK(round_trip(fd, big) == big);
  CHECK(p.f.checks == 0);
  ::close(fd);
}

TEST_CASE("armed, a reset verdict resets new and open connections, and pass lets them through") {
  Proxied p;
  int open = connect_tcp(p.proxy.port());
  CHECK(round_trip(open, "before") == "before");
  p.proxy.set_armed(true);
  p.f.verdict.kind = net::ProxyVerdict::Kind::kReset;
  CHECK(round_trip(open, "during") == "reset");
  int fresh = connect_tcp(p.proxy.port());
  CHECK(round_trip(fresh, "during") == "reset");
  p.f.verdict = {};
  int after = connect_tcp(p.proxy.port());
  CHECK(round_trip(after, "after") == "after");
  CHECK(p.f.checks >= 4);
  for (int fd : {open, fresh, after}) ::close(fd);
}

TEST_CASE("a black-holed connection stays open and hears nothing") {
  Proxied p;
  p.proxy.set_armed(true);
  p.f.verdict.kind = net::ProxyVerdict::Kind::kBlackhole;
  int fd = connect_tcp(p.proxy.port());
  CHECK(round_trip(fd, "lost", 1) == "timeout");
  ::close(fd);
}

TEST_CASE("a slow verdict still delivers every byte, in order") {
  Proxied p;
  p.proxy.set_armed(true);
  p.f.verdict = {net::ProxyVerdict::Kind::kSlow, std::chrono::milliseconds(20), 4096};
  int fd = connect_tcp(p.proxy.port());
  std::string msg(8000, 'y');
  msg[0] = 'a';
  msg.back() = 'z';
  CHECK(round_trip(fd, msg) == msg);
  ::close(fd);
}

TEST_CASE("the unix socket listener reaches the same server") {
  Echo echo;
  Fixture f;
  auto path = std::filesystem::temp_directory_path() / ("gcpsim-proxy-test-" + std::to_string(::getpid()) + ".sock");
  auto o = f.options(echo.port);
  o.unix_path = path.string();
  net::TcpProxy proxy(f.io, o);
  REQUIRE(proxy.start().is_ok());
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  CHECK(round_trip(fd, "over unix") == "over unix");
  ::close(fd);
  proxy.close();
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a connection opened before the server listens waits for it") {
  Fixture f;
  uint16_t port = 0;
  {
    Echo probe;  // a port that was free a moment ago
    port = probe.port;
  }
  net::TcpProxy proxy(f.io, f.options(port));
  REQUIRE(proxy.start().is_ok());
  int fd = connect_tcp(proxy.port());
  REQUIRE(::send(fd, "early", 5, MSG_NOSIGNAL) == 5);
  Echo late(port);
  std::string got;
  char buf[16];
  while (got.size() < 5) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    got.append(buf, n);
  }
  CHECK(got == "early");
  ::close(fd);
}

TEST_CASE("a rule armed while a connection relays applies to its next chunk, and the connection recovers") {
  Proxied p;
  int fd = connect_tcp(p.proxy.port());
  CHECK(round_trip(fd, "fast") == "fast");  // the relay without verdicts
  CHECK(p.f.checks == 0);
  p.f.verdict.kind = net::ProxyVerdict::Kind::kBlackhole;
  p.proxy.set_armed(true);
  CHECK(round_trip(fd, "lost", 1) == "timeout");
  p.f.verdict = {net::ProxyVerdict::Kind::kSlow, std::chrono::milliseconds(5), 0};
  CHECK(round_trip(fd, "slow") == "slow");
  int checks = p.f.checks;
  CHECK(checks >= 2);
  p.proxy.set_armed(false);
  CHECK(round_trip(fd, "fast again") == "fast again");
  CHECK(p.f.checks == checks);
  ::close(fd);
}

TEST_CASE("megabytes each way arrive intact while the reader is slower than the writer") {
  Proxied p;
  int fd = connect_tcp(p.proxy.port());
  std::string big(8 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919) % 26);
  std::thread sender([&] {
    size_t off = 0;
    while (off < big.size()) {
      ssize_t n = ::send(fd, big.data() + off, std::min<size_t>(big.size() - off, 1 << 20), MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
  });
  std::string got;
  std::vector<char> buf(4096);  // small reads: the proxy's writes to us come out partial
  while (got.size() < big.size()) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    got.append(buf.data(), static_cast<size_t>(n));
  }
  sender.join();
  CHECK(got.size() == big.size());
  CHECK(got == big);
  CHECK(p.f.checks == 0);
  ::close(fd);
}

}  // namespace net_tcp_proxy_test
