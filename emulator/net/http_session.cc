// One HTTP/1.1 connection: reads each request (spooling large bodies to a file), hands it
// to the router through EdgeHandlers::route, writes the answer; keep-alive and limits.
#include "net/http_session.h"
#include "core/crc32c.h"
#include "net/limits.h"
#include "net/spool_hasher.h"
#include "net/target.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>

#include <boost/beast/http.hpp>

namespace gcpsim::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

constexpr size_t kSpoolBlock = 256 * 1024;

// A file body that, once it is too large to be read back into memory, has a SpoolHasher
// follow the file, telling it how far the file has grown after each write. The CRC32C is taken
// here, from the bytes while they are still in the read buffer, leaving the hasher's thread
// only MD5 to do.
struct SpoolBody {
  struct value_type : http::file_body::value_type {
    std::string path;
    std::unique_ptr<SpoolHasher> hasher;
    bool declined = false;  // SpoolHasher::start found the hashers busy
    uint64_t written = 0;
    uint32_t crc32c = 0;  // of the `written` bytes
  };
  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>& h, value_type& b) : inner_(h, b), body_(b) {}
    void init(const boost::optional<std::uint64_t>& n, beast::error_code& ec) { inner_.init(n, ec); }
    template <class Buffers>
    std::size_t put(const Buffers& buffers, beast::error_code& ec) {
      size_t n = inner_.put(buffers, ec);
      auto taken = beast::buffers_prefix(n, buffers);
      for (auto b : beast::buffers_range_ref(taken))
        body_.crc32c = core::crc32c(std::string_view(static_cast<const char*>(b.data()), b.size()), body_.crc32c);
      body_.written += n;
      if (!body_.hasher && !body_.declined && body_.written > kMaxInMemoryBody) {
        body_.hasher = SpoolHasher::start(body_.path);
        body_.declined = !body_.hasher;
      }
      if (body_.hasher) body_.hasher->written(body_.written);
      return n;
    }
    void finish(beast::error_code& ec) { inner_.finish(ec); }

   private:
    http::file_body::reader inner_;
    value_type& body_;
  };
};

// Resumes on the session's executor once the hasher has caught up with the whole body.
template <class Token>
auto async_hashed(SpoolHasher& hasher, uint64_t total, uint32_t crc32c, Token&& token) {
  return asio::async_initiate<Token, void()>(
      [&hasher, total, crc32c](auto handler) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        hasher.end(total, crc32c, [ex, h] { asio::post(ex, [h] { (*h)(); }); });
      },
      token);
}

// A spooled body small enough to handle in memory after all.
bool read_small_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

HttpRequest to_request(http::request<http::string_body>&& r, const tcp::endpoint& remote) {
  HttpRequest req;
  req.method = std::string(r.method_string());
  set_target(req, std::string(r.target()));
  for (const auto& f : r) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  req.body = std::move(r.body());
  req.remote_ip = remote.address().to_string();
  req.loopback = remote.address().is_loopback();
  return req;
}

// What a read error answers: the Status the client sees, at the HTTP status HTTP gives it.
// Over-limit requests are RESOURCE_EXHAUSTED, as gRPC reports a message over its limit.
HttpResponse read_error(const beast::error_code& ec) {
  if (ec == http::error::header_limit)
    return HttpResponse::error(core::Status::resource_exhausted("Request header fields too large"), 431);
  if (ec == http::error::body_limit)
    return HttpResponse::error(core::Status::resource_exhausted("Request entity too large"), 413);
  return HttpResponse::error(core::Status::invalid_argument("Malformed HTTP request: " + ec.message()));
}

// Hands a request to the router and resumes on the session's executor with the response.
template <class Token>
auto async_route(const EdgeHandlers& handlers, HttpRequest& req, Token&& token) {
  return asio::async_initiate<Token, void(HttpResponse)>(
      [&handlers, &req](auto handler) {
        using H = decltype(handler);
        auto slot = std::make_shared<std::optional<H>>(std::move(handler));
        handlers.route(req, [slot](HttpResponse r) {
          if (!slot->has_value()) return;  // a handler replied twice: keep the first
          auto ex = asio::get_associated_executor(**slot);
          H h = std::move(**slot);
          slot->reset();
          asio::post(ex, [h = std::move(h), r = std::move(r)]() mutable { h(std::move(r)); });
        });
      },
      token);
}

}  // namespace

asio::awaitable<void> http_session(tcp::socket sock, const EdgeHandlers& handlers, std::string pinned_host) {
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
    // Beast 1.74 holds header_limit against the bytes of one read, while it consumes whole
    // fields as they arrive: thousands of small fields would pass. Count them here.
    for (size_t header_bytes = 0; !ec && !parser.is_header_done();) {
      header_bytes += co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (!ec && header_bytes > kMaxHeaderBytes) ec = http::error::header_limit;
    }
    // A Transfer-Encoding that does not end in chunked leaves the body length unknown
    // (RFC 9112 6.3: answer 400 and close); Beast 1.74 reads such a body as empty.
    if (!ec && parser.get().count(http::field::transfer_encoding) && !parser.chunked())
      ec = http::error::bad_transfer_encoding;
    if (!ec && parser.get()[http::field::expect] == "100-continue") {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      co_await http::async_write(stream, cont, asio::redirect_error(use_awaitable, ec));
    }
    std::string spool_path;
    std::optional<http::request_parser<SpoolBody>> spool;
    std::unique_ptr<SpoolHasher> hasher;
    if (!ec && !parser.is_done()) {
      // Large bodies, and chunked ones of unknown size (the Node Storage client's
      // multipart uploads), go to a file; a small chunked one is read back below.
      auto length = parser.content_length();
      if (!length || *length > kMaxInMemoryBody) {
        spool_path = handlers.spool_path();
        spool.emplace(std::move(parser));
        spool->body_limit(kMaxRequestBody);
        spool->get().body().open(spool_path.c_str(), beast::file_mode::write, ec);
        // Hashed as it lands, for the uploads that report MD5 and CRC32C (Cloud Storage).
        spool->get().body().path = spool_path;
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
      co_await write_response(stream, read_error(ec), false, false, handlers);
      co_await lingering_close(stream);
      co_return;
    }
    HttpRequest req;
    bool keep_alive, head;
    if (spool) {
      keep_alive = spool->get().keep_alive();
      head = false;
      spool->get().body().close();
      hasher = std::move(spool->get().body().hasher);
      uint32_t crc32c = spool->get().body().crc32c;
      auto msg = spool->release();
      http::request<http::string_body> header_only{std::move(msg.base())};
      req = to_request(std::move(header_only), remote);
      req.body_size = std::filesystem::file_size(spool_path, ec_ignored);
      if (req.body_size <= kMaxInMemoryBody && read_small_file(spool_path, req.body)) {
        std::filesystem::remove(spool_path, ec_ignored);
      } else {
        req.body_file = spool_path;
        if (hasher) {
          co_await async_hashed(*hasher, req.body_size, crc32c, use_awaitable);
          if (auto d = hasher->result(); d && d->size == req.body_size) req.body_digest = std::move(d);
        }
      }
      hasher.reset();
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
    HttpResponse res = co_await async_route(handlers, req, use_awaitable);
    if (!req.body_file.empty()) std::filesystem::remove(req.body_file, ec_ignored);
    // Status 0 is no answer (a dropped request, as a stub fault injects it): the client
    // sees the connection reset.
    if (res.status == 0) {
      stream.socket().set_option(asio::socket_base::linger(true, 0), ec);
      stream.socket().close(ec);
      co_return;
    }
    if (!co_await write_response(stream, std::move(res), keep_alive, head, handlers)) break;
    if (!keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace gcpsim::net
