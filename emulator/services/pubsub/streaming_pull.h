// Subscriber.StreamingPull: each open stream is a flow-controlled consumer of the domain;
// acks and deadline changes arrive on the stream, messages leave on it.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace gcpsim::net { class MethodTable; class ServerStream; }

namespace gcpsim::services::pubsub {

class PubsubService;

class StreamingPull {
 public:
  StreamingPull(net::MethodTable& methods, PubsubService& svc);
  ~StreamingPull();
  // Ends every open stream (UNAVAILABLE): the service is going away.
  void close_all();

 private:
  class Session;
  void open(std::shared_ptr<net::ServerStream> stream);
  void drop(uint64_t id);

  PubsubService& svc_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Session>> sessions_;
};

}  // namespace gcpsim::services::pubsub
