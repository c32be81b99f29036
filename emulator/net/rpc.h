// The method table every proto-defined API registers into: one entry per RPC, type-erased
// over protobuf messages. The gRPC host and the REST transcoder both invoke these entries
// through call_unary(), so both protocols reach the same handler through one wrapper.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "core/dispatch.h"
#include "core/status.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::net {

using google::protobuf::Message;

// What a handler may learn about its call once it started. The transport sets `cancelled`
// (any thread) the moment the client cancels, disconnects or its deadline passes, then runs
// on_cancel on the engine; on_undelivered runs on the engine when a response the handler
// completed with never reached the client. Handlers that hold resources for the caller
// (a waiting Pull, leased messages) install these so nothing stays with a caller gone.
struct CallLife {
  std::atomic<bool> cancelled{false};
  std::function<void()> on_cancel;
  std::function<void()> on_undelivered;
};
using CallLifePtr = std::shared_ptr<CallLife>;

struct UnaryMethod {
  std::string grpc_path;   // "/google.pubsub.v1.Publisher/Publish"
  std::string id;          // "pubsub.Publish": events, faults, scenarios
  std::string service;     // "pubsub"
  const Message* request_prototype = nullptr;
  const Message* response_prototype = nullptr;
  // Runs on the engine thread; fills *resp and calls done exactly once.
  std::function<void(const Message& req, Message* resp, core::Done done, const CallLifePtr& life)> handler;
};

// A server-side bidirectional stream as a handler sees it (engine thread only).
class ServerStream {
 public:
  virtual ~ServerStream() = default;
  // Queues a message to the client; false once the stream is closed.
  virtual bool write(const Message& m) = 0;
  // Ends the stream with a status; later writes are dropped.
  virtual void finish(core::Status s) = 0;
  virtual bool closed() const = 0;
  // True while kMaxQueuedWrites responses wait to go out (the one being written included):
  // a producer holds further messages back, so they leave batched once the transport has
  // taken the queue, instead of piling up here behind each other.
  virtual bool congested() const = 0;
  static constexpr size_t kMaxQueuedWrites = 2;
  // Set by the handler in open(), engine thread: the stream stopped being congested.
  std::function<void()> on_writable;
  // Set by the handler in open(): each request message read, and the client going away
  // (half-close, cancel or disconnect; called once).
  std::function<void(const Message&)> on_read;
  std::function<void()> on_close;
  // Set by the handler, engine thread: a response write() queued that never reached the
  // client (the write failed or the call ended first), parsed back, so what it carried can
  // be handed to someone else at once.
  std::function<void(const Message&)> on_unwritten;
};

struct StreamMethod {
  std::string grpc_path;
  std::string id;
  std::string service;
  const Message* request_prototype = nullptr;
  const Message* response_prototype = nullptr;
  // Engine thread: called when the stream opens; installs on_read/on_close.
  std::function<void(std::shared_ptr<ServerStream>)> open;
};

class MethodTable {
 public:
  void add(UnaryMethod m);
  void add(StreamMethod m);
  const UnaryMethod* unary(const std::string& grpc_path) const;
  const StreamMethod* stream(const std::string& grpc_path) const;
  const std::map<std::string, UnaryMethod>& unaries() const { return unary_; }

 private:
  std::map<std::string, UnaryMethod> unary_;
  std::map<std::string, StreamMethod> stream_;
};

// Runs one unary call through core::dispatch (faults, event, status) on the engine thread.
// The event's target is the request's resource name (its first path-bound field). `life` is
// the transport's view of the call; none means a caller that never goes away.
void call_unary(core::Env& env, const UnaryMethod& m, const Message& req, Message* resp,
                core::Done done, CallLifePtr life = nullptr);

// Typed registration: fn(const Req&, Resp*) -> Status, or the async form with a Done.
template <class Req, class Resp>
UnaryMethod unary(std::string grpc_path, std::string id, std::string service,
                  std::function<core::Status(const Req&, Resp*)> fn) {
  UnaryMethod m;
  m.grpc_path = std::move(grpc_path);
  m.id = std::move(id);
  m.service = std::move(service);
  m.request_prototype = &Req::default_instance();
  m.response_prototype = &Resp::default_instance();
  m.handler = [fn = std::move(fn)](const Message& req, Message* resp, core::Done done, const CallLifePtr&) {
    done(fn(static_cast<const Req&>(req), static_cast<Resp*>(resp)));
  };
  return m;
}

template <class Req, class Resp>
UnaryMethod unary_async(std::string grpc_path, std::string id, std::string service,
                        std::function<void(const Req&, Resp*, core::Done, const CallLifePtr&)> fn) {
  UnaryMethod m;
  m.grpc_path = std::move(grpc_path);
  m.id = std::move(id);
  m.service = std::move(service);
  m.request_prototype = &Req::default_instance();
  m.response_prototype = &Resp::default_instance();
  m.handler = [fn = std::move(fn)](const Message& req, Message* resp, core::Done done, const CallLifePtr& life) {
    fn(static_cast<const Req&>(req), static_cast<Resp*>(resp), std::move(done), life);
  };
  return m;
}

// One proto service's registrations: its full gRPC name, the method-id prefix ("pubsub"
// makes "pubsub.Publish") and the context every handler receives as its first argument.
// Handlers are plain functions: fn(Ctx&, const Req&, Resp*) -> Status, or with a Done and the
// call's CallLife.
template <class Ctx>
class GrpcService {
 public:
  // The context outlives the table (a service object)...
  GrpcService(MethodTable& methods, std::string grpc_service, std::string service, Ctx& ctx)
      : GrpcService(methods, std::move(grpc_service), std::move(service), std::shared_ptr<Ctx>(std::shared_ptr<Ctx>(), &ctx)) {}
  // ...or the registrations own it together.
  GrpcService(MethodTable& methods, std::string grpc_service, std::string service, std::shared_ptr<Ctx> ctx)
      : methods_(methods), grpc_service_(std::move(grpc_service)), service_(std::move(service)), ctx_(std::move(ctx)) {}

  template <class Req, class Resp>
  void add_unary(const char* rpc, core::Status (*fn)(Ctx&, const Req&, Resp*)) {
    methods_.add(unary<Req, Resp>(path(rpc), id(rpc), service_,
                                  [ctx = ctx_, fn](const Req& req, Resp* resp) { return fn(*ctx, req, resp); }));
  }
  // The async form also learns when its caller goes away (see CallLife).
  template <class Req, class Resp>
  void add_unary(const char* rpc, void (*fn)(Ctx&, const Req&, Resp*, core::Done, const CallLifePtr&)) {
    methods_.add(unary_async<Req, Resp>(
        path(rpc), id(rpc), service_,
        [ctx = ctx_, fn](const Req& req, Resp* resp, core::Done done, const CallLifePtr& life) {
          fn(*ctx, req, resp, std::move(done), life);
        }));
  }
  // A bidirectional stream: `open` installs the stream's handlers (see ServerStream).
  template <class Req, class Resp>
  void add_stream(const char* rpc, std::function<void(std::shared_ptr<ServerStream>)> open) {
    StreamMethod m;
    m.grpc_path = path(rpc);
    m.id = id(rpc);
    m.service = service_;
    m.request_prototype = &Req::default_instance();
    m.response_prototype = &Resp::default_instance();
    m.open = std::move(open);
    methods_.add(std::move(m));
  }

 private:
  std::string path(const char* rpc) const { return "/" + grpc_service_ + "/" + rpc; }
  std::string id(const char* rpc) const { return service_ + "." + rpc; }

  MethodTable& methods_;
  std::string grpc_service_;
  std::string service_;
  std::shared_ptr<Ctx> ctx_;
};

}  // namespace gcpsim::net
