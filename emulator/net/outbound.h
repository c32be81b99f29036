// The outbound HTTP/1.1 client behind net::HttpClient: requests go out on the I/O thread,
// completions come back on the engine thread.
#pragma once
#include <atomic>
#include <cstddef>

#include "net/http_client.h"

namespace boost::asio { class io_context; }

namespace gcpsim::net {

class OutboundHttpClient final : public HttpClient {
 public:
  OutboundHttpClient(boost::asio::io_context& io, boost::asio::io_context& engine) : io_(io), engine_(engine) {}
  void send(OutboundRequest req, std::function<void(OutboundResponse)> done) override;
  // Requests sent whose completion has not yet run on the engine (virtual time waits for 0).
  size_t in_flight() const { return in_flight_.load(); }

 private:
  boost::asio::io_context& io_;
  boost::asio::io_context& engine_;
  std::atomic<size_t> in_flight_{0};
};

}  // namespace gcpsim::net
