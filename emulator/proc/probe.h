// One probe of a supervised process's port: a TCP connect, or an HTTP GET whose answer must
// be 2xx (as Cloud Run's startup probe and Compute Engine's HTTP health checks judge it).
// The timeout is wall time: it bounds real I/O, never domain time.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>

namespace boost::asio { class io_context; }

namespace gcpsim::proc {

struct ProbeTarget {
  uint32_t host = 0;   // IPv4 in host order; 0 is 127.0.0.1
  uint16_t port = 0;
  std::string path;    // empty: a TCP connect is the probe
};

boost::asio::awaitable<bool> probe_once(boost::asio::io_context& io, ProbeTarget target,
                                        std::chrono::milliseconds timeout);

// The same, started on `io`; `done` runs there with the result.
void probe(boost::asio::io_context& io, ProbeTarget target, std::chrono::milliseconds timeout,
           std::function<void(bool)> done);

}  // namespace gcpsim::proc
