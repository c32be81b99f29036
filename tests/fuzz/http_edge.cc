// The edge's HTTP/1.1 side: protocol sniffing, Beast's request parser with the server's
// limits (chunked bodies included), the request as handlers see it, and the whole route
// table behind it (REST services, transcoder, Range/Content-Range, uploads, control API).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstring>

#include "control/emulator.h"
#include "fuzz.h"
#include "net/http.h"
#include "net/target.h"

namespace http = boost::beast::http;
using namespace gcpsim;

namespace {

constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0";

// As net/server.cc's to_request builds it from Beast's message.
net::HttpRequest to_request(http::request<http::string_body>&& r) {
  net::HttpRequest req;
  req.method = std::string(r.method_string());
  net::set_target(req, std::string(r.target()));
  for (const auto& f : r) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  req.body = std::move(r.body());
  req.body_size = req.body.size();
  req.remote_ip = "127.0.0.1";
  return req;
}

}  // namespace

// Several pipelined requests on one connection, as the session loop reads them.
GCPSIM_FUZZ_TARGET(http_edge) {
  if (input.substr(0, kHttp2Preface.size()) == kHttp2Preface.substr(0, std::min(input.size(), kHttp2Preface.size())))
    return;  // the gRPC side (grpc_frames)
  auto& world = fuzz::World::get();
  boost::beast::flat_buffer buffer;
  auto space = buffer.prepare(input.size());
  std::memcpy(space.data(), input.data(), input.size());
  buffer.commit(input.size());
  for (int n = 0; n < 8 && buffer.size() > 0; ++n) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(1 << 20);
    boost::beast::error_code ec;
    while (!parser.is_done() && buffer.size() > 0) {
      auto used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) ec = {};
      if (ec || used == 0) break;
    }
    if (!parser.is_done()) {
      parser.put_eof(ec);
      if (ec || !parser.is_done()) break;
    }
    // The request lives as long as its reply callback, as the session keeps it until answered.
    auto req = std::make_shared<net::HttpRequest>(to_request(parser.release()));
    // The control API's snapshot routes write files where the request says.
    if (req->path.rfind("/_gcpsim/snapshot", 0) == 0) continue;
    world.emulator().handle(*req, [req](net::HttpResponse res) {
      if (res.status < 100 || res.status > 599) abort();
    });
    world.tick();
  }
  world.maybe_rebuild();
}
