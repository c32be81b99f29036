// Writing a response on an HTTP/1.1 connection: in-memory bodies, file slices sent with
// sendfile (object downloads), and streamed bodies in chunked encoding (SSE).
#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/beast/http.hpp>

#include "net/body_abort.h"
#include "net/http_session.h"
#include "net/limits.h"

namespace gcpsim::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

constexpr auto kLinger = std::chrono::seconds(2);
constexpr size_t kFileBlock = 1 << 20;

// A streamed response body: chunks written on the engine, sent by the session coroutine.
//
// A write first asks the kernel whether the client has hung up (EOF or reset on the socket)
// and refuses the chunk if so, as nginx stops proxying to a client that closed. Waiting for a
// chunk's send to fail instead would end the stream after as many chunks as fit in socket
// buffers meanwhile, which depends on real time; a paced stream (a stub's tokens on the
// virtual clock) then ends at the first chunk due after the client went, in every run.
class ChunkPipe final : public BodyWriter, public BodyAbort, public std::enable_shared_from_this<ChunkPipe> {
 public:
  ChunkPipe(asio::any_io_executor io, int fd) : signal_(io), fd_(fd) {
    signal_.expires_at(asio::steady_timer::time_point::max());
  }

  bool write(std::string chunk) override {
    std::lock_guard lock(mu_);
    if (gone_ || ended_) return false;
    if (peer_hung_up()) {
      gone_ = true;
      fd_ = -1;
      wake();
      return false;
    }
    chunks_.push_back(std::move(chunk));
    wake();
    return true;
  }
  void end() override {
    std::lock_guard lock(mu_);
    ended_ = true;
    wake();
  }
  void abort() override {
    std::lock_guard lock(mu_);
    ended_ = aborted_ = true;
    wake();
  }
  bool aborted() {
    std::lock_guard lock(mu_);
    return aborted_;
  }

  // Session side: waits for chunks; empty optional = end of body.
  awaitable<std::optional<std::string>> next() {
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (!chunks_.empty()) {
          std::string c = std::move(chunks_.front());
          chunks_.pop_front();
          co_return c;
        }
        if (ended_ || gone_) co_return std::nullopt;
      }
      beast::error_code ec;
      co_await signal_.async_wait(asio::redirect_error(use_awaitable, ec));
      signal_.expires_at(asio::steady_timer::time_point::max());
    }
  }
  void client_gone() {
    std::lock_guard lock(mu_);
    gone_ = true;
    fd_ = -1;
  }
  // The session is done with the socket (it may close it): never look at the fd again.
  void detach() {
    std::lock_guard lock(mu_);
    fd_ = -1;
  }

 private:
  // Under mu_. The socket stays open while fd_ is set (the session detaches before closing).
  bool peer_hung_up() const {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

  void wake() {
    asio::post(signal_.get_executor(), [self = shared_from_this()] { self->signal_.cancel(); });
  }

  std::mutex mu_;
  std::deque<std::string> chunks_;
  bool ended_ = false;
  bool aborted_ = false;
  bool gone_ = false;
  asio::steady_timer signal_;
  int fd_;
};

// Headers first, then each chunk as the engine writes it.
awaitable<bool> write_stream(beast::tcp_stream& stream, HttpResponse res, bool keep_alive, const EdgeHandlers& handlers) {
  beast::error_code ec;
  http::response<http::empty_body> hdr{static_cast<http::status>(res.status), 11};
  for (auto& [k, v] : res.headers) hdr.insert(k, v);
  hdr.chunked(true);
  hdr.keep_alive(keep_alive);
  http::response_serializer<http::empty_body> sr{hdr};
  co_await http::async_write_header(stream, sr, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return false;
  auto pipe = std::make_shared<ChunkPipe>(stream.get_executor(), stream.socket().native_handle());
  handlers.post_engine([fn = std::move(res.stream), pipe] { fn(pipe); });
  // However this coroutine ends (even destroyed with the I/O context), the pipe lets go of
  // the socket before anyone can close it.
  struct Detach {
    ChunkPipe& p;
    ~Detach() { p.detach(); }
  } detach{*pipe};
  while (auto chunk = co_await pipe->next()) {
    if (chunk->empty()) continue;
    stream.expires_never();
    co_await asio::async_write(stream, http::make_chunk(asio::buffer(*chunk)), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      pipe->client_gone();
      co_return false;
    }
  }
  if (pipe->aborted()) {  // reset mid-stream: no last chunk, the connection is reset
    stream.socket().set_option(asio::socket_base::linger(true, 0), ec);
    stream.socket().close(ec);
    co_return false;
  }
  co_await asio::async_write(stream, http::make_chunk_last(), asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

// A file slice as the body, sent a block at a time.
awaitable<bool> write_file(beast::tcp_stream& stream, HttpResponse res, bool keep_alive, bool head,
                           const EdgeHandlers& handlers) {
  beast::error_code ec;
  const FileSlice& f = *res.file;
  int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    co_return co_await write_response(stream, HttpResponse::error(core::Status::internal("object body is missing")),
                                      keep_alive, head, handlers);
  }
  http::response<http::empty_body> hdr{static_cast<http::status>(res.status), 11};
  for (auto& [k, v] : res.headers) hdr.insert(k, v);
  hdr.content_length(f.length);
  hdr.keep_alive(keep_alive);
  http::response_serializer<http::empty_body> sr{hdr};
  co_await http::async_write_header(stream, sr, asio::redirect_error(use_awaitable, ec));
  // sendfile: the kernel moves the bytes from the page cache to the socket, no copies here.
  auto& sock = stream.socket();
  sock.native_non_blocking(true, ec);
  off_t offset = static_cast<off_t>(f.offset);
  uint64_t sent = 0;
  while (!ec && !head && sent < f.length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kFileBlock * 8, f.length - sent));
    ssize_t n = ::sendfile(sock.native_handle(), fd, &offset, want);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {  // the client reads slower
      co_await stream.socket().async_wait(tcp::socket::wait_write, asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (n <= 0) {  // the file shrank under us, or the client went away: cut the connection
      ec = n == 0 ? asio::error::eof : beast::error_code(errno, boost::system::system_category());
      break;
    }
    sent += static_cast<uint64_t>(n);
  }
  ::close(fd);
  co_return !ec;
}

}  // namespace

awaitable<void> lingering_close(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(kLinger);
  std::vector<char> sink(64 * 1024);
  while (!ec) co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
}

awaitable<bool> write_response(beast::tcp_stream& stream, HttpResponse res, bool keep_alive, bool head,
                               const EdgeHandlers& handlers) {
  beast::error_code ec;
  stream.expires_after(kIdleTimeout);
  if (res.stream) co_return co_await write_stream(stream, std::move(res), keep_alive, handlers);
  if (res.file) co_return co_await write_file(stream, std::move(res), keep_alive, head, handlers);
  http::response<http::string_body> out{static_cast<http::status>(res.status), 11};
  for (auto& [k, v] : res.headers) out.insert(k, v);
  out.keep_alive(keep_alive);
  out.body() = std::move(res.body);
  out.prepare_payload();
  if (head) {
    http::response_serializer<http::string_body> sr{out};
    co_await http::async_write_header(stream, sr, asio::redirect_error(use_awaitable, ec));
  } else {
    co_await http::async_write(stream, out, asio::redirect_error(use_awaitable, ec));
  }
  co_return !ec;
}

}  // namespace gcpsim::net
