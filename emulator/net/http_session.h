// Inside the edge: one HTTP/1.1 connection (keep-alive, limits, body spooling) and the
// response writers (plain, sendfile downloads, chunked streaming). Beast types live here,
// never in net/http.h.
#pragma once
#include <string>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>

#include "net/edge.h"

namespace gcpsim::net {

// Serves requests on the connection until it closes. A non-empty `pinned_host` replaces
// every request's Host (a port that serves one HTTP stub).
boost::asio::awaitable<void> http_session(boost::asio::ip::tcp::socket sock, const EdgeHandlers& handlers,
                                          std::string pinned_host = {});

// Writes one response; false when the connection cannot go on.
boost::asio::awaitable<bool> write_response(boost::beast::tcp_stream& stream, HttpResponse res, bool keep_alive,
                                            bool head, const EdgeHandlers& handlers);

// After an error answer the client may still be sending: read and discard for a moment
// before closing, so the reset does not destroy the answer in its receive buffer.
boost::asio::awaitable<void> lingering_close(boost::beast::tcp_stream& stream);

}  // namespace gcpsim::net
