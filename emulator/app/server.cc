// The process's I/O: engine thread, I/O thread, edge listener that sniffs gRPC vs HTTP/1.1,
// Beast HTTP sessions (keep-alive, limits, streaming bodies) and the outbound HTTP client.
#include "app/server.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "control/emulator.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "net/body_abort.h"
#include "net/grpc_host.h"
#include "net/http_client.h"
#include "services/backing/service.h"
#include "services/service.h"
#include "services/stubs/config.h"

namespace gcpsim::app {
using namespace net;  // the process is built from the transport's types throughout
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr uint64_t kMaxBodyBytes = 64ull * 1024 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr auto kLinger = std::chrono::seconds(2);
constexpr size_t kFileBlock = 1 << 20;
constexpr size_t kSpoolBlock = 256 * 1024;
constexpr auto kSniffPatience = std::chrono::seconds(10);  // for a preface split across packets
constexpr auto kSniffPause = std::chrono::milliseconds(2);
constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0";

// A spooled body small enough to handle in memory after all.
bool read_small_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

HttpResponse plain_error(int status, std::string_view status_name, const std::string& message) {
  std::string body = "{\"error\":{\"code\":" + std::to_string(status) + ",\"message\":\"" + message +
                     "\",\"status\":\"" + std::string(status_name) + "\"}}";
  return HttpResponse::json(status, std::move(body));
}

HttpRequest to_request(http::request<http::string_body>&& r, const tcp::endpoint& remote) {
  HttpRequest req;
  req.method = std::string(r.method_string());
  req.target = std::string(r.target());
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view qs(req.target);
    qs.remove_prefix(q + 1);
    while (!qs.empty()) {
      auto amp = qs.find('&');
      auto part = qs.substr(0, amp);
      auto eq = part.find('=');
      if (!part.empty())
        req.query.emplace_back(percent_decode(part.substr(0, eq), true),
                               eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1), true));
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  for (const auto& f : r) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  req.body = std::move(r.body());
  req.remote_ip = remote.address().to_string();
  req.loopback = remote.address().is_loopback();
  return req;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Outbound HTTP/1.1 client on the I/O thread; completions are posted to the engine.
class BeastHttpClient final : public HttpClient {
 public:
  BeastHttpClient(asio::io_context& io, asio::io_context& engine) : io_(io), engine_(engine) {}

  void send(OutboundRequest req, std::function<void(OutboundResponse)> done) override {
    ++in_flight;
    asio::co_spawn(io_, run(std::move(req), std::move(done)), asio::detached);
  }

  std::atomic<size_t> in_flight{0};

 private:
  awaitable<void> run(OutboundRequest req, std::function<void(OutboundResponse)> done) {
    OutboundResponse out;
    try {
      out = co_await exchange(req);
    } catch (const std::exception& e) {
      out = OutboundResponse{};
      out.error = e.what();
    }
    asio::post(engine_, [this, done = std::move(done), out = std::move(out)]() mutable {
      --in_flight;
      done(std::move(out));
    });
  }

  awaitable<OutboundResponse> exchange(const OutboundRequest& req) {
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
    beast::tcp_stream stream(io_);
    stream.expires_after(req.timeout);
    tcp::resolver resolver(io_);
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

  asio::io_context& io_;
  asio::io_context& engine_;
};

// ---------------------------------------------------------------------------------------
// A streamed response body: chunks written on the engine, sent by the session coroutine.
class ChunkPipe final : public BodyWriter, public BodyAbort, public std::enable_shared_from_this<ChunkPipe> {
 public:
  explicit ChunkPipe(asio::any_io_executor io) : signal_(io) { signal_.expires_at(asio::steady_timer::time_point::max()); }

  bool write(std::string chunk) override {
    std::lock_guard lock(mu_);
    if (gone_ || ended_) return false;
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
  }

 private:
  void wake() {
    asio::post(signal_.get_executor(), [self = shared_from_this()] { self->signal_.cancel(); });
  }

  std::mutex mu_;
  std::deque<std::string> chunks_;
  bool ended_ = false;
  bool aborted_ = false;
  bool gone_ = false;
  asio::steady_timer signal_;
};

// ---------------------------------------------------------------------------------------
struct Server::Impl {
  ServerOptions options;
  asio::io_context engine_ctx{1};
  asio::io_context io_ctx{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> engine_work, io_work;
  std::thread engine_thread, io_thread;
  asio::steady_timer wakeup{engine_ctx};
  bool wakeup_posted = false;

  core::Clock clock;
  core::Ids ids;
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> store;
  std::unique_ptr<core::Env> env;
  BeastHttpClient http_client{io_ctx, engine_ctx};
  services::Runtime runtime{&io_ctx, &engine_ctx, [this](std::function<void()> fn) { post_engine(std::move(fn)); }, nullptr};
  // Extra ports whose requests all name one Host (stubs' own ports), by port.
  std::mutex host_ports_mu;
  std::map<uint16_t, std::pair<std::unique_ptr<tcp::acceptor>, std::string>> host_ports;
  std::unique_ptr<control::Emulator> emulator;
  std::unique_ptr<GrpcHost> grpc;
  tcp::acceptor acceptor{io_ctx};
  uint16_t bound_port = 0;
  std::atomic<bool> stopped{false};
  std::atomic<size_t> inbound{0};  // edge requests handed to the engine, not yet answered
  std::atomic<size_t> held{0};     // of those, the ones the engine has started (not queued)
  std::atomic<uint64_t> spool_seq{1};
  std::string temp_dir;  // removed on stop when no data dir was given

  explicit Impl(ServerOptions o)
      : options(std::move(o)), clock(options.clock_mode, options.start_time), ids(options.stack.seed) {}

  // ----- engine -----
  void post_engine(std::function<void()> fn) { asio::post(engine_ctx, std::move(fn)); }

  // Keeps one asio timer armed at the clock's earliest deadline (real mode), and fires
  // timers already due (both modes) — the clock itself never touches I/O.
  void rearm() {
    wakeup_posted = false;
    auto next = clock.next_timer();
    if (!next) {
      wakeup.cancel();
      return;
    }
    auto now = clock.now();
    if (*next <= now) {
      clock.run_due();
      schedule_rearm();
      return;
    }
    if (clock.mode() != core::Clock::Mode::kReal) return;
    wakeup.expires_after(std::chrono::duration_cast<asio::steady_timer::duration>(*next - now));
    wakeup.async_wait([this](beast::error_code ec) {
      if (ec) return;
      clock.run_due();
      rearm();
    });
  }
  void schedule_rearm() {
    if (wakeup_posted) return;
    wakeup_posted = true;
    post_engine([this] { rearm(); });
  }

  control::ControlHooks hooks() {
    control::ControlHooks h;
    h.reset = [this](std::function<void()> done) {
      post_engine([this, done = std::move(done)] {
        rebuild(true);
        emulator->when_ready(done);
      });
    };
    h.save_snapshot = [this](const std::string& path) { return store->save_snapshot(path); };
    // Deferred: the emulator being replaced is the one running the control handler.
    h.load_snapshot = [this](const std::string& path, std::function<void(core::Status)> done) {
      post_engine([this, path, done = std::move(done)] {
        emulator.reset();
        auto st = store->load_snapshot(path);
        rebuild(false);
        done(st);
      });
    };
    return h;
  }

  // Engine thread: drop the emulator (and optionally all state) and build a fresh one.
  void rebuild(bool wipe) {
    emulator.reset();
    if (wipe) {
      faults.clear();
      events.clear();
      wipe_store();
      for (auto& rule : options.stack.faults) faults.add(rule);
    }
    emulator = std::make_unique<control::Emulator>(*env, options.stack, http_client, runtime, hooks());
  }

  void wipe_store() {
    std::vector<std::string> tables;
    auto st = store->prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'");
    while (st.step()) tables.push_back(st.column_text(0));
    for (const auto& t : tables) (void)store->exec("DROP TABLE IF EXISTS \"" + t + "\"");
  }

  // ----- edge -----
  // Serves the edge's HTTP on another port as if every request there named `host` (an HTTP
  // stub's own port, from the stack file). An error message, empty on success.
  std::string listen_as_host(uint16_t port, const std::string& host) {
    std::lock_guard lock(host_ports_mu);
    auto acceptor = std::make_unique<tcp::acceptor>(io_ctx);
    beast::error_code ec;
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
    asio::co_spawn(io_ctx, host_accept_loop(*acceptor, host), asio::detached);
    host_ports.emplace(port, std::make_pair(std::move(acceptor), host));
    return "";
  }

  awaitable<void> host_accept_loop(tcp::acceptor& acceptor, std::string host) {
    for (;;) {
      beast::error_code ec;
      tcp::socket sock = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;
      }
      sock.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(io_ctx, http_session(std::move(sock), host), asio::detached);
    }
  }

  awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket sock = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;
      }
      sock.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(io_ctx, sniff(std::move(sock)), asio::detached);
    }
  }

  // Peeks at the first bytes without consuming them: the HTTP/2 preface goes to gRPC.
  awaitable<void> sniff(tcp::socket sock) {
    char buf[14];
    asio::steady_timer pause(io_ctx);
    for (int waited = 0;; ++waited) {
      beast::error_code ec;
      co_await sock.async_wait(tcp::socket::wait_read, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      size_t n = sock.receive(asio::buffer(buf), tcp::socket::message_peek, ec);
      if (ec || n == 0) co_return;
      bool prefix = std::memcmp(buf, kHttp2Preface.data(), std::min(n, kHttp2Preface.size())) == 0;
      if (!prefix) break;
      if (n >= kHttp2Preface.size()) {
        grpc->adopt(sock.release());
        co_return;
      }
      if (waited * kSniffPause >= kSniffPatience) co_return;
      pause.expires_after(kSniffPause);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    co_await http_session(std::move(sock));
  }

  // Hands a request to the engine and resumes on the I/O thread with the response.
  template <class Token>
  auto async_route(HttpRequest& req, Token&& token) {
    return asio::async_initiate<Token, void(HttpResponse)>(
        [this, &req](auto handler) {
          using H = decltype(handler);
          auto h = std::make_shared<std::optional<H>>(std::move(handler));
          ++inbound;
          post_engine([this, &req, h] {
            ++held;
            auto deliver = [this, h](HttpResponse r) {
              if (!h->has_value()) return;  // a handler replied twice: keep the first
              --held;
              --inbound;
              auto ex = asio::get_associated_executor(**h);
              H handler = std::move(**h);
              h->reset();
              asio::post(ex, [handler = std::move(handler), r = std::move(r)]() mutable { handler(std::move(r)); });
            };
            if (!emulator) {
              deliver(plain_error(503, "UNAVAILABLE", "gcpsim is restarting"));
              return;
            }
            emulator->handle(req, deliver);
          });
        },
        token);
  }

  std::string next_spool_path() {
    return env->work_dir + "/spool/req-" + std::to_string(spool_seq.fetch_add(1)) + ".body";
  }

  // `pinned_host`: the Host every request on this connection names (a stub's own port).
  awaitable<void> http_session(tcp::socket sock, std::string pinned_host = {}) {
    beast::error_code ec;
    std::error_code ec_ignored;
    auto remote = sock.remote_endpoint(ec);
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(kMaxHeaderBytes);
      // Beast checks a Content-Length against this while reading the header: allow what
      // may be spooled, then hold bodies kept in memory (chunked ones) to kMaxBodyBytes.
      parser.body_limit(kMaxRequestBody);
      stream.expires_after(kIdleTimeout);
      co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (!ec && parser.get()[http::field::expect] == "100-continue") {
        http::response<http::empty_body> cont{http::status::continue_, 11};
        co_await http::async_write(stream, cont, asio::redirect_error(use_awaitable, ec));
      }
      std::string spool_path;
      std::optional<http::request_parser<http::file_body>> spool;
      if (!ec && !parser.is_done()) {
        // Large bodies, and chunked ones of unknown size (the Node Storage client's
        // multipart uploads), go to a file; a small chunked one is read back below.
        auto length = parser.content_length();
        if (!length || *length > kMaxInMemoryBody) {
          spool_path = next_spool_path();
          spool.emplace(std::move(parser));
          spool->body_limit(kMaxRequestBody);
          spool->get().body().open(spool_path.c_str(), beast::file_mode::write, ec);
          // Beast reads into the buffer's spare capacity: left at the header's few KB, a
          // gigabyte would take hundreds of thousands of reads and writes.
          buffer.reserve(kSpoolBlock);
          if (!ec) co_await http::async_read(stream, buffer, *spool, asio::redirect_error(use_awaitable, ec));
        } else {
          parser.body_limit(kMaxBodyBytes);
          co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
        }
      }
      if (ec && !spool_path.empty()) std::filesystem::remove(spool_path, ec_ignored);
      if (ec) {
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
            ec == asio::error::connection_reset || ec == http::error::partial_message)
          break;
        HttpResponse err = ec == http::error::header_limit ? plain_error(431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request header fields too large")
                         : ec == http::error::body_limit  ? plain_error(413, "PAYLOAD_TOO_LARGE", "Request entity too large")
                                                          : plain_error(400, "INVALID_ARGUMENT", "Malformed HTTP request: " + ec.message());
        co_await write_response(stream, std::move(err), false, false);
        co_await lingering_close(stream);
        co_return;
      }
      HttpRequest req;
      bool keep_alive, head;
      if (spool) {
        keep_alive = spool->get().keep_alive();
        head = false;
        spool->get().body().close();
        auto msg = spool->release();
        http::request<http::string_body> header_only{std::move(msg.base())};
        req = to_request(std::move(header_only), remote);
        req.body_size = std::filesystem::file_size(spool_path, ec_ignored);
        if (req.body_size <= kMaxInMemoryBody && read_small_file(spool_path, req.body)) {
          std::filesystem::remove(spool_path, ec_ignored);
        } else {
          req.body_file = spool_path;
        }
      } else {
        keep_alive = parser.get().keep_alive();
        head = parser.get().method() == http::verb::head;
        req = to_request(parser.release(), remote);
        req.body_size = req.body.size();
      }
      if (!pinned_host.empty()) {
        std::erase_if(req.headers, [](const auto& h) { return beast::iequals(h.first, "host"); });
        req.headers.emplace_back("Host", pinned_host);
      }
      HttpResponse res = co_await async_route(req, use_awaitable);
      if (!req.body_file.empty()) std::filesystem::remove(req.body_file, ec_ignored);
      // Status 0 is no answer (a dropped request, as a stub fault injects it): the client
      // sees the connection close.
      if (res.status == 0) {
        stream.socket().set_option(asio::socket_base::linger(true, 0), ec);
        break;
      }
      if (!co_await write_response(stream, std::move(res), keep_alive, head)) break;
      if (!keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // A file slice as the body, read and sent a block at a time.
  awaitable<bool> write_file(beast::tcp_stream& stream, HttpResponse res, bool keep_alive, bool head) {
    beast::error_code ec;
    const FileSlice& f = *res.file;
    int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      co_return co_await write_response(stream, plain_error(500, "INTERNAL", "object body is missing"), keep_alive, head);
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

  // After an error answer the client may still be sending (a huge header): closing now
  // would reset the connection and destroy our answer in its receive buffer, so read and
  // discard for a moment first.
  awaitable<void> lingering_close(beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(kLinger);
    std::vector<char> sink(64 * 1024);
    while (!ec) co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
  }

  awaitable<bool> write_response(beast::tcp_stream& stream, HttpResponse res, bool keep_alive, bool head) {
    beast::error_code ec;
    stream.expires_after(kIdleTimeout);
    if (res.stream) {
      http::response<http::empty_body> hdr{static_cast<http::status>(res.status), 11};
      for (auto& [k, v] : res.headers) hdr.insert(k, v);
      hdr.chunked(true);
      hdr.keep_alive(keep_alive);
      http::response_serializer<http::empty_body> sr{hdr};
      co_await http::async_write_header(stream, sr, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return false;
      auto pipe = std::make_shared<ChunkPipe>(stream.get_executor());
      post_engine([fn = std::move(res.stream), pipe] { fn(pipe); });
      while (auto chunk = co_await pipe->next()) {
        if (chunk->empty()) continue;
        stream.expires_never();
        co_await asio::async_write(stream, http::make_chunk(asio::buffer(*chunk)), asio::redirect_error(use_awaitable, ec));
        if (ec) {
          pipe->client_gone();
          co_return false;
        }
      }
      if (pipe->aborted()) {  // reset mid-stream: no last chunk, the connection just closes
        stream.socket().set_option(asio::socket_base::linger(true, 0), ec);
        co_return false;
      }
      co_await asio::async_write(stream, http::make_chunk_last(), asio::redirect_error(use_awaitable, ec));
      co_return !ec;
    }
    if (res.file) co_return co_await write_file(stream, std::move(res), keep_alive, head);
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
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { stop(); }

uint16_t Server::port() const { return impl_->bound_port; }

core::Status Server::start() {
  auto& s = *impl_;
  std::string db;
  if (!s.options.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(s.options.data_dir, ec);
    if (ec) return core::Status::invalid_argument("cannot create data dir " + s.options.data_dir + ": " + ec.message());
    db = s.options.data_dir + "/gcpsim.db";
  }
  std::string work = s.options.data_dir;
  if (work.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gcpsim-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return core::Status::internal("cannot create a temporary directory");
    work = s.temp_dir = tmpl;
  }
  {
    std::error_code ec;
    std::filesystem::create_directories(work + "/spool", ec);
    if (ec) return core::Status::internal("cannot create " + work + "/spool: " + ec.message());
  }
  auto store = core::Store::open(db);
  if (!store.ok()) return store.status();
  s.store = std::move(store).value();
  s.env = std::make_unique<core::Env>(core::Env{s.clock, s.ids, s.events, s.faults, *s.store,
                                                s.options.stack.project, "123456789012", s.options.stack.region, work});

  beast::error_code ec;
  auto addr = asio::ip::make_address(s.options.host == "localhost" ? "127.0.0.1" : s.options.host, ec);
  if (ec) return core::Status::invalid_argument("bad --host " + s.options.host);
  tcp::endpoint ep(addr, s.options.port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return core::Status::unavailable("cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) + ": " + ec.message());
  s.bound_port = s.acceptor.local_endpoint().port();
  s.env->edge_port = s.bound_port;
  // Stubs with their own port: the same HTTP sessions, every request naming the stub's Host.
  if (const auto* stubs = s.options.stack.section<services::stubs::StubsConfig>("stubs")) {
    for (const auto& stub : stubs->stubs) {
      if (stub.port == 0) continue;
      std::string err = s.listen_as_host(static_cast<uint16_t>(stub.port), stub.name + ".stub.localhost");
      if (!err.empty()) return core::Status::unavailable("stub " + stub.name + ": " + err);
    }
  }

  EngineAccess access;
  access.post = [&s](std::function<void()> fn) { s.post_engine(std::move(fn)); };
  access.methods = [&s]() -> const MethodTable* {
    static const MethodTable kEmpty;
    return s.emulator ? &s.emulator->methods() : &kEmpty;
  };
  access.env = s.env.get();
  s.grpc = std::make_unique<GrpcHost>(std::move(access));
  auto st = s.grpc->start();
  if (!st.is_ok()) return st;

  s.engine_work.emplace(s.engine_ctx.get_executor());
  s.io_work.emplace(s.io_ctx.get_executor());
  s.clock.on_wakeup_change([&s] { s.schedule_rearm(); });
  std::promise<void> built;
  s.post_engine([&s, &built] {
    for (auto& rule : s.options.stack.faults) s.faults.add(rule);
    s.emulator = std::make_unique<control::Emulator>(*s.env, s.options.stack, s.http_client, s.runtime, s.hooks());
    built.set_value();
  });
  s.engine_thread = std::thread([&s] { s.engine_ctx.run(); });
  built.get_future().wait();
  asio::co_spawn(s.io_ctx, s.accept_loop(), asio::detached);
  s.io_thread = std::thread([&s] { s.io_ctx.run(); });
  // Backing servers (redis-server, postgres, the Firestore emulator) answer before gcpsim
  // says it is ready; one that fails has said why on stderr and in the events.
  auto ready = std::make_shared<std::promise<void>>();
  auto answered = ready->get_future();
  s.post_engine([&s, ready] {
    if (!s.emulator) return ready->set_value();
    s.emulator->when_ready([ready] { ready->set_value(); });
  });
  answered.wait_for(std::chrono::minutes(3));
  return core::Status::ok();
}

void Server::run_on_engine(std::function<void()> fn) {
  std::promise<void> done;
  impl_->post_engine([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

core::Env& Server::env() { return *impl_->env; }

void Server::handle(HttpRequest& req, Reply reply) {
  if (!impl_->emulator) return reply(plain_error(503, "UNAVAILABLE", "gcpsim is restarting"));
  impl_->emulator->handle(req, std::move(reply));
}

Server::Activity Server::activity() const {
  return {impl_->inbound.load(), impl_->http_client.in_flight.load(),
          impl_->emulator ? impl_->emulator->requests_in_processes() : 0, impl_->held.load()};
}

void Server::stop() {
  auto& s = *impl_;
  if (s.stopped.exchange(true)) return;
  if (s.io_thread.joinable()) {
    asio::post(s.io_ctx, [&s] {
      beast::error_code ec;
      s.acceptor.close(ec);
      std::lock_guard lock(s.host_ports_mu);
      for (auto& [port, entry] : s.host_ports) entry.first->close(ec);
    });
  }
  if (s.grpc) s.grpc->shutdown();
  if (s.engine_thread.joinable()) {
    run_on_engine([&s] {
      s.emulator.reset();
      services::backing::release(s.runtime);
      s.wakeup.cancel();
    });
  }
  s.io_work.reset();
  s.io_ctx.stop();
  if (s.io_thread.joinable()) s.io_thread.join();
  s.engine_work.reset();
  s.engine_ctx.stop();
  if (s.engine_thread.joinable()) s.engine_thread.join();
  if (!s.temp_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(s.temp_dir, ec);
  }
}

}  // namespace gcpsim::app
