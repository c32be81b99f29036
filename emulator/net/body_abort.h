// A streamed body that can be cut mid-way, as a connection reset: the edge's chunk pipe
// and the in-process collector implement it beside net::BodyWriter (a reset fault).
#pragma once

namespace gcpsim::net {

class BodyAbort {
 public:
  virtual ~BodyAbort() = default;
  // Ends the body without its terminating chunk and closes the connection.
  virtual void abort() = 0;
};

}  // namespace gcpsim::net
