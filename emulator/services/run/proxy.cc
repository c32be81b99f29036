// The router's upstream side: keep-alive pools to instances, the request/response exchange
// (one retry on a stale pooled connection), unbuffered relaying of response bodies (small
// ones in one write), WebSocket byte pumps after a 101, and engine-initiated fetches.

#include <functional>
#include <limits>

#include "services/run/limits.h"
#include "services/run/responses.h"
#include "services/run/router_io.h"

namespace gcpsim::services::run {
namespace {

constexpr uint64_t kSmallBody = 64 * 1024;  // read whole and sent in one write
constexpr size_t kRelayBlock = 16 * 1024;
constexpr size_t kPumpBlock = 4 * 1024;

using ResponseParser = http::response_parser<http::buffer_body>;

// Hop-by-hop headers out, the router's headers in, keep-alive to the instance.
void prepare(UpstreamRequest& req, const net::Headers& set, bool websocket) {
  for (auto f : {http::field::connection, http::field::keep_alive, http::field::te, http::field::trailer,
                 http::field::transfer_encoding, http::field::expect, http::field::proxy_connection})
    req.erase(f);
  if (!websocket) req.erase(http::field::upgrade);
  for (const auto& [k, v] : set) {
    if (v.empty()) {
      req.erase(k);  // a header the instance must not see (gcpsim's internal marker)
    } else {
      req.set(k, v);
    }
  }
  req.version(11);
  if (websocket) {
    req.set(http::field::connection, "Upgrade");
  } else {
    req.keep_alive(true);
  }
  req.prepare_payload();
}

struct PumpState {
  explicit PumpState(asio::io_context& io) : done(io) { done.expires_at(asio::steady_timer::time_point::max()); }
  asio::steady_timer done;
  bool finished = false;
};

// One direction of a WebSocket: bytes as they come. EOF half-closes the other side; an
// error closes both so the other direction ends too.
awaitable<void> pump(tcp::socket& from, tcp::socket& to, beast::flat_buffer& leftover) {
  error_code ec;
  if (leftover.size() > 0) {
    co_await asio::async_write(to, leftover.data(), asio::redirect_error(use_awaitable, ec));
    leftover.consume(leftover.size());
  }
  std::vector<char> block(kPumpBlock);
  while (!ec) {
    size_t n = co_await from.async_read_some(asio::buffer(block), asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    co_await asio::async_write(to, asio::buffer(block.data(), n), asio::redirect_error(use_awaitable, ec));
  }
  error_code ignored;
  if (ec == asio::error::eof) {
    to.shutdown(tcp::socket::shutdown_send, ignored);
  } else {
    from.close(ignored);
    to.close(ignored);
  }
}

awaitable<void> pump_websocket(asio::io_context& io, tcp::socket& client, beast::flat_buffer& client_buf,
                               Upstream& up, ResponseParser& parser, Flight& flight) {
  http::response<http::empty_body> switching{parser.release().base()};
  error_code ec;
  co_await http::async_write(client, switching, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  flight.client = &client;
  auto state = std::make_shared<PumpState>(io);
  asio::co_spawn(io, pump(up.sock, client, up.buf), [state](std::exception_ptr) {
    state->finished = true;
    state->done.cancel();
  });
  co_await pump(client, up.sock, client_buf);
  while (!state->finished) co_await state->done.async_wait(asio::redirect_error(use_awaitable, ec));
  flight.client = nullptr;
}

// Passes the response on. True when the client connection stays usable; `reusable` says
// whether the instance connection can go back to the pool. `settled` runs once, before the
// write that completes the response: whatever the client does after reading it happens
// after the engine hears the outcome.
awaitable<bool> relay(tcp::socket& client, Upstream& up, ResponseParser& p, const Flight& flight, bool keep_alive,
                      bool head, Outcome& out, bool& reusable, const std::function<void()>& settled) {
  auto& res = p.get();
  out.status = static_cast<int>(res.result_int());
  bool upstream_keep = res.keep_alive();
  res.keep_alive(keep_alive);
  res.erase(http::field::keep_alive);
  error_code ec;
  bool bodiless = head || p.is_done();
  auto length = p.content_length();
  if (!bodiless && !res.chunked() && length && *length <= kSmallBody) {
    http::response_parser<http::string_body> whole{std::move(p)};
    co_await http::async_read(up.sock, up.buf, whole, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      out.upstream_error = !flight.aborted;
      auto r = flight.aborted && flight.reply ? *flight.reply : responses::upstream_failed();
      out.status = r.status;
      settled();
      co_return co_await write_response(client, r, keep_alive);
    }
    auto msg = whole.release();
    out.bytes = msg.body().size();
    reusable = upstream_keep;
    settled();  // `up` may be back in the pool now: not read again
    co_await http::async_write(client, msg, asio::redirect_error(use_awaitable, ec));
    co_return !ec;
  }
  if (!bodiless && !res.chunked() && !length) res.chunked(true);  // a close-delimited body
  http::response_serializer<http::buffer_body> sr{res};
  if (bodiless) {
    reusable = upstream_keep && p.is_done();
    settled();
  }
  co_await http::async_write_header(client, sr, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return false;
  std::vector<char> block(kRelayBlock);
  do {
    if (!p.is_done()) {
      res.body().data = block.data();
      res.body().size = block.size();
      co_await http::async_read_some(up.sock, up.buf, p, asio::redirect_error(use_awaitable, ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return false;  // the instance failed mid-body: cut the client too
      res.body().size = block.size() - res.body().size;
      // Nothing parsed yet (a chunk header alone): a null buffer, or the chunked
      // serializer would emit an empty chunk, which ends the body.
      res.body().data = res.body().size > 0 ? block.data() : nullptr;
      res.body().more = !p.is_done();
      out.bytes += res.body().size;
    } else {
      res.body().data = nullptr;
      res.body().size = 0;
    }
    if (p.is_done()) {
      reusable = upstream_keep;
      settled();  // `up` may be back in the pool now: not read again
    }
    co_await http::async_write(client, sr, asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return false;
  } while (!p.is_done() && !sr.is_done());
  co_return true;
}

bool websocket_request(const UpstreamRequest& req) {
  return req.method() == http::verb::get && req.count(http::field::upgrade) > 0 &&
         beast::iequals(req[http::field::upgrade], "websocket");
}

}  // namespace

// 413, then read and discard for a moment before closing, so the client reads the refusal
// instead of a connection reset while its body is still arriving.
awaitable<void> refuse_too_large(tcp::socket& sock) {
  if (!co_await write_response(sock, responses::too_large(), false)) co_return;
  error_code ec;
  sock.shutdown(tcp::socket::shutdown_send, ec);
  asio::steady_timer timer(sock.get_executor());
  timer.expires_after(std::chrono::seconds(2));
  timer.async_wait([&sock](error_code e) {
    if (!e) sock.close(e);
  });
  std::vector<char> sink(64 * 1024);
  while (!ec) co_await sock.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
  timer.cancel();
}

// A pooled connection is taken as it is: one the instance has closed meanwhile fails the
// exchange, which then retries once on a fresh connection (probing each with a recv cost
// about a sixth of the router's throughput).
awaitable<std::unique_ptr<Upstream>> Router::Impl::checkout(uint64_t key, bool fresh) {
  if (!fresh) {
    auto it = pool.find(key);
    if (it != pool.end() && !it->second.empty()) {
      auto up = std::move(it->second.back());
      it->second.pop_back();
      up->reused = true;
      co_return up;
    }
  }
  auto up = std::make_unique<Upstream>(io);
  error_code ec;
  asio::ip::address_v4 host(static_cast<uint32_t>(key >> 16));
  co_await up->sock.async_connect({host, static_cast<uint16_t>(key & 0xffff)}, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return nullptr;
  up->sock.set_option(tcp::no_delay(true), ec);
  co_return up;
}

void Router::Impl::checkin(uint64_t key, std::unique_ptr<Upstream> up) {
  if (closed || up->buf.size() > 0) return;
  auto& idle = pool[key];
  if (idle.size() < kMaxIdleUpstreams) idle.push_back(std::move(up));
}

awaitable<std::unique_ptr<Upstream>> Router::Impl::exchange(uint64_t key, UpstreamRequest& req, Flight& flight,
                                                            std::optional<ResponseParser>& parser, bool head,
                                                            bool fresh) {
  for (int attempt = 0; attempt < 2 && !flight.aborted; ++attempt) {
    auto up = co_await checkout(key, fresh || attempt > 0);
    if (!up || flight.aborted) co_return nullptr;
    flight.upstream = &up->sock;
    error_code ec;
    co_await http::async_write(up->sock, req, asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      parser.emplace();
      parser->body_limit(std::numeric_limits<std::uint64_t>::max());
      if (head) parser->skip(true);
      co_await http::async_read_header(up->sock, up->buf, *parser, asio::redirect_error(use_awaitable, ec));
    }
    if (!ec) co_return up;
    flight.upstream = nullptr;
    if (!up->reused) break;
  }
  co_return nullptr;
}

awaitable<bool> Router::Impl::forward(tcp::socket& client, beast::flat_buffer& client_buf, UpstreamRequest req,
                                      Decision decision, std::shared_ptr<Flight> flight, bool keep_alive,
                                      std::weak_ptr<Frontend> fe) {
  auto self = shared_from_this();
  bool head = req.method() == http::verb::head;
  bool websocket = websocket_request(req);
  prepare(req, decision.set_headers, websocket);
  if (!decision.target.empty()) req.target(decision.target);
  const uint64_t key = upstream_key(decision.host, decision.port);
  std::optional<ResponseParser> parser;
  auto up = co_await exchange(key, req, *flight, parser, head, websocket);
  if (up) {
    for (const auto& [k, v] : decision.response_headers) parser->get().insert(k, v);
  }
  Outcome out;
  // The engine hears the outcome before the client can read the end of the response, so
  // what the client does next (a push ack, a caller's next step) always comes after it.
  // The instance connection goes back to the pool first, for the request the engine may
  // now send to the same instance.
  bool reported = false, reusable = false;
  auto settled = [&, ticket = decision.ticket] {
    if (reported) return;
    reported = true;
    out.aborted = out.aborted || flight->aborted;
    if (up && reusable && !flight->aborted) checkin(key, std::move(up));
    flights.erase(ticket);
    // At once, not posted: a post from this thread could land behind one the I/O thread
    // makes meanwhile (a push client's result).
    if (auto f = fe.lock()) f->finished(ticket, out);
  };
  bool client_ok = false;
  if (!up) {
    out.aborted = flight->aborted;
    out.upstream_error = !flight->aborted;
    net::HttpResponse r = flight->reply ? *flight->reply : decision.failed.value_or(responses::upstream_failed());
    out.status = r.status;
    settled();
    if (!flight->aborted || flight->reply) client_ok = co_await write_response(client, r, keep_alive);
  } else if (websocket && parser->get().result() == http::status::switching_protocols) {
    out.status = 101;
    out.websocket = true;
    co_await pump_websocket(io, client, client_buf, *up, *parser, *flight);
  } else {
    client_ok = co_await relay(client, *up, *parser, *flight, keep_alive, head, out, reusable, settled);
  }
  settled();  // a cut response or a WebSocket that ended
  co_return client_ok;
}

awaitable<void> Router::Impl::fetch(uint64_t ticket, uint16_t port, FetchRequest request,
                                    std::shared_ptr<Flight> flight, std::weak_ptr<Frontend> fe) {
  auto self = shared_from_this();
  UpstreamRequest req;
  req.method_string(request.method);
  req.target(request.target);
  for (const auto& [k, v] : request.headers) req.insert(k, v);
  req.body() = std::move(request.body);
  prepare(req, {}, false);
  if (req.count(http::field::host) == 0) req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  std::optional<ResponseParser> p;
  auto up = co_await exchange(upstream_key(0, port), req, *flight, p, request.method == "HEAD", false);
  Outcome out;
  error_code ec;
  if (up) {
    auto& res = p->get();
    out.status = static_cast<int>(res.result_int());
    bool streaming = res.chunked() || (!p->content_length() && !p->is_done());
    net::Headers headers;
    for (const auto& f : res) headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (auto f = fe.lock()) f->fetch_head(ticket, out.status, std::move(headers), streaming);
    std::vector<char> block(kRelayBlock);
    while (!p->is_done()) {
      res.body().data = block.data();
      res.body().size = block.size();
      co_await http::async_read_some(up->sock, up->buf, *p, asio::redirect_error(use_awaitable, ec));
      if (ec == http::error::need_buffer) ec = {};
      if (ec) break;
      size_t n = block.size() - res.body().size;
      if (n == 0) continue;
      out.bytes += n;
      if (auto f = fe.lock()) f->fetch_data(ticket, std::string(block.data(), n));
    }
  }
  bool failed = !up || ec;
  if (!failed && p->get().keep_alive() && !flight->aborted) checkin(upstream_key(0, port), std::move(up));
  if (failed) {
    out.aborted = flight->aborted;
    out.upstream_error = !flight->aborted;
  }
  flights.erase(ticket);
  if (auto f = fe.lock()) f->finished(ticket, out);
}

}  // namespace gcpsim::services::run
