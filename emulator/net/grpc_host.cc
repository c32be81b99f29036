// gRPC on the edge port: one CallbackGenericService serves every method from the method
// table, unary and bidi-streaming, handing each call to the engine thread.
#include "net/grpc_host.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <future>
#include <map>
#include <mutex>

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/server_posix.h>

#include "core/status_grpc.h"
#include "net/rpc.h"

namespace gcpsim::net {
namespace {

constexpr int kMaxMessageBytes = 64 * 1024 * 1024;

using Reactor = grpc::ServerGenericBidiReactor;

// Rapid reset (CVE-2023-44487): a client that opens streams and resets each before its
// request arrives makes gRPC 1.51, which has no defence of its own, build and tear down a
// whole call per stream as fast as it can send 13 bytes, and memory follows the backlog.
// Like the servers patched for it, gcpsim ends such a connection: once a connection has had
// kRapidResets calls end before their request, and they are most of its calls, its socket is
// shut down and gRPC drops the rest. gRPC names the peer of a connection adopted from a
// socket "fd:N"; the client's port, noted at adoption, tells whether N is still that socket.
class Connections {
 public:
  static constexpr std::uint64_t kRapidResets = 200;

  void adopted(int fd) {
    std::lock_guard lock(mu_);
    by_fd_[fd] = Conn{remote_port(fd), 0, 0};
  }
  void call_started(const std::string& peer) {
    std::lock_guard lock(mu_);
    if (Conn* c = find_locked(peer)) ++c->calls;
  }
  // A call whose stream ended (reset, closed) before its request message.
  void ended_early(const std::string& peer) {
    std::lock_guard lock(mu_);
    Conn* c = find_locked(peer);
    if (c == nullptr || ++c->early < kRapidResets || c->early * 2 <= c->calls) return;
    int fd = fd_of(peer);
    if (c->port >= 0 && remote_port(fd) == c->port) ::shutdown(fd, SHUT_RDWR);
    by_fd_.erase(fd);
  }

 private:
  struct Conn {
    int port;
    std::uint64_t calls, early;
  };

  static int remote_port(int fd) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return -1;
    if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
    if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
    return -1;
  }
  static int fd_of(const std::string& peer) {
    if (peer.size() < 4 || peer.size() > 12 || peer.compare(0, 3, "fd:") != 0) return -1;
    int fd = 0;
    for (std::size_t i = 3; i < peer.size(); ++i) {
      if (peer[i] < '0' || peer[i] > '9') return -1;
      fd = fd * 10 + (peer[i] - '0');
    }
    return fd;
  }
  Conn* find_locked(const std::string& peer) {
    auto it = by_fd_.find(fd_of(peer));
    return it == by_fd_.end() ? nullptr : &it->second;
  }

  std::mutex mu_;
  std::map<int, Conn> by_fd_;  // bounded by the descriptor table; a reused fd is re-adopted
};

bool parse(grpc::ByteBuffer* buf, Message* msg) {
  return grpc::SerializationTraits<Message>::Deserialize(buf, msg).ok();
}

grpc::ByteBuffer serialize(const Message& msg) {
  grpc::ByteBuffer out;
  bool own = false;
  grpc::SerializationTraits<Message>::Serialize(msg, &out, &own);
  return out;
}

// A unary call: read one request, run it on the engine, write the response and finish.
// The handler learns through its CallLife when the client goes away before the answer
// (cancel, disconnect, deadline) and when an answer it gave never reached the client.
class UnaryReactor final : public Reactor {
 public:
  UnaryReactor(EngineAccess& engine, Connections& conns, grpc::GenericCallbackServerContext* ctx)
      : engine_(engine), conns_(conns), ctx_(ctx), method_(ctx->method()), life_(std::make_shared<CallLife>()) {
    StartRead(&request_buf_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      conns_.ended_early(ctx_->peer());
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "the client sent no request message"));
      return;
    }
    engine_.post([this] { run(); });
  }
  void OnWriteDone(bool) override {}
  void OnCancel() override {
    life_->cancelled = true;
    engine_.post([life = life_] {
      if (auto f = std::move(life->on_cancel)) f();
    });
  }
  void OnDone() override {
    // A call cancelled after the handler answered: its response was not (all) delivered.
    if (answered_ && ctx_->IsCancelled()) {
      engine_.post([life = life_] {
        if (auto f = std::move(life->on_undelivered)) f();
      });
    }
    delete this;
  }

 private:
  // Engine thread.
  void run() {
    const UnaryMethod* m = engine_.methods()->unary(method_);
    if (m == nullptr) {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "Method not found: " + method_));
      return;
    }
    // The protos live while the handler may use them, not until the call is done: a client
    // busy publishing reads its responses late, and a Publish batch is megabytes.
    std::shared_ptr<Message> request(m->request_prototype->New()), response(m->response_prototype->New());
    if (!parse(&request_buf_, request.get())) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "could not parse the request message"));
      return;
    }
    request_buf_.Clear();
    call_unary(
        *engine_.env, *m, *request, response.get(),
        [this, request, response](core::Status s) {
          if (!s.is_ok()) {
            Finish(core::to_grpc_status(s));
            return;
          }
          answered_ = true;
          response_buf_ = serialize(*response);
          StartWriteAndFinish(&response_buf_, grpc::WriteOptions(), grpc::Status::OK);
        },
        life_);
  }

  EngineAccess& engine_;
  Connections& conns_;
  grpc::GenericCallbackServerContext* ctx_;
  std::string method_;
  CallLifePtr life_;
  bool answered_ = false;  // set on the engine before StartWriteAndFinish, read in OnDone
  grpc::ByteBuffer request_buf_, response_buf_;
};

class StreamReactor;

// The engine's view of a bidi call. Writes queue here and go out one at a time; the
// reactor may be gone (OnDone) while the engine still holds this, hence the mutex.
class Stream final : public ServerStream, public std::enable_shared_from_this<Stream> {
 public:
  Stream(StreamReactor* r, EngineAccess& engine) : reactor_(r), engine_(engine) {}
  bool write(const Message& m) override;
  void finish(core::Status s) override;
  bool closed() const override {
    std::lock_guard lock(mu_);
    return finishing_ || cancelled_;
  }
  bool congested() const override {
    std::lock_guard lock(mu_);
    return queue_.size() >= kMaxQueuedWrites;
  }

  // gRPC threads.
  void write_done(bool ok);
  // The client cancelled or its deadline passed: nothing more is queued from now on.
  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
  }
  void detach() {
    std::lock_guard lock(mu_);
    reactor_ = nullptr;
  }

  // Engine thread only.
  const Message* request_proto = nullptr;
  const Message* response_proto = nullptr;
  bool close_seen = false;

 private:
  void start_next_locked();
  void report_unwritten(std::deque<grpc::ByteBuffer> lost);
  mutable std::mutex mu_;
  StreamReactor* reactor_;
  EngineAccess& engine_;
  std::deque<grpc::ByteBuffer> queue_;
  bool writing_ = false;
  bool finishing_ = false;
  bool finished_ = false;
  bool cancelled_ = false;
  grpc::Status final_status_;
};

class StreamReactor final : public Reactor {
 public:
  StreamReactor(EngineAccess& engine, std::string method)
      : engine_(engine), stream_(std::make_shared<Stream>(this, engine)) {
    engine_.post([&engine = engine_, s = stream_, method = std::move(method)] { open(engine, s, method); });
    StartRead(&read_buf_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      close();
      return;
    }
    auto buf = std::make_shared<grpc::ByteBuffer>(std::move(read_buf_));
    engine_.post([s = stream_, buf] {
      if (s->closed() || s->request_proto == nullptr) return;
      std::unique_ptr<Message> msg(s->request_proto->New());
      if (!parse(buf.get(), msg.get())) {
        s->finish(core::Status::internal("could not parse a stream message"));
        return;
      }
      if (s->on_read) s->on_read(*msg);
    });
    StartRead(&read_buf_);
  }
  void OnWriteDone(bool ok) override { stream_->write_done(ok); }
  void OnCancel() override {
    stream_->cancel();
    close();
  }
  void OnDone() override {
    stream_->detach();
    delete this;
  }

 private:
  // Engine thread; runs before any read is handed over (posts are FIFO).
  static void open(EngineAccess& engine, const std::shared_ptr<Stream>& s, const std::string& method) {
    const StreamMethod* m = engine.methods()->stream(method);
    if (m == nullptr) {
      s->finish(core::Status::unimplemented("Method not found: " + method));
      return;
    }
    s->request_proto = m->request_prototype;
    s->response_proto = m->response_prototype;
    m->open(s);
  }

  // Half-close, cancel or disconnect: tell the handler once, then make sure the call ends.
  void close() {
    engine_.post([s = stream_] {
      if (s->close_seen) return;
      s->close_seen = true;
      if (s->on_close) s->on_close();
      s->finish(core::Status::ok());
    });
  }

  EngineAccess& engine_;
  std::shared_ptr<Stream> stream_;
  grpc::ByteBuffer read_buf_;
  friend class Stream;
};

bool Stream::write(const Message& m) {
  grpc::ByteBuffer buf = serialize(m);
  std::lock_guard lock(mu_);
  if (finishing_ || cancelled_ || reactor_ == nullptr) return false;
  queue_.push_back(std::move(buf));
  if (!writing_) start_next_locked();
  return true;
}

void Stream::finish(core::Status s) {
  std::lock_guard lock(mu_);
  if (finishing_) return;
  finishing_ = true;
  final_status_ = core::to_grpc_status(s);
  if (!writing_ && reactor_ != nullptr && !finished_) {
    finished_ = true;
    reactor_->Finish(final_status_);
  }
}

void Stream::write_done(bool ok) {
  bool writable = false;
  std::deque<grpc::ByteBuffer> lost;
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    writable = queue_.size() == kMaxQueuedWrites;  // this completion ends the congestion
    if (!ok) {
      lost = std::move(queue_);  // the failed write and everything behind it
      queue_.clear();
      finishing_ = true;
    } else if (!queue_.empty()) {
      queue_.pop_front();
    }
    if (!queue_.empty()) {
      start_next_locked();
    } else if (finishing_ && !finished_ && reactor_ != nullptr) {
      finished_ = true;
      reactor_->Finish(final_status_);
    }
    writable = writable && !finishing_;
  }
  // Outside the lock: the engine may be writing to this stream right now.
  if (!lost.empty()) report_unwritten(std::move(lost));
  if (writable) {
    engine_.post([s = shared_from_this()] {
      if (!s->closed() && s->on_writable) s->on_writable();
    });
  }
}

void Stream::report_unwritten(std::deque<grpc::ByteBuffer> lost) {
  auto bufs = std::make_shared<std::deque<grpc::ByteBuffer>>(std::move(lost));
  engine_.post([s = shared_from_this(), bufs] {
    if (!s->on_unwritten || s->response_proto == nullptr) return;
    for (auto& buf : *bufs) {
      std::unique_ptr<Message> msg(s->response_proto->New());
      if (parse(&buf, msg.get())) s->on_unwritten(*msg);
    }
  });
}

void Stream::start_next_locked() {
  writing_ = true;
  reactor_->StartWrite(&queue_.front());
}

class GenericService final : public grpc::CallbackGenericService {
 public:
  GenericService(EngineAccess& engine, Connections& conns) : engine_(engine), conns_(conns) {}
  Reactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    conns_.call_started(ctx->peer());
    // The table is immutable between resets and both kinds are known by path; the stream
    // table is consulted first so StreamingPull never goes through the unary reactor.
    if (is_stream(ctx->method())) return new StreamReactor(engine_, ctx->method());
    return new UnaryReactor(engine_, conns_, ctx);
  }

 private:
  bool is_stream(const std::string& method) {
    std::lock_guard lock(mu_);
    auto it = kinds_.find(method);
    if (it != kinds_.end()) return it->second;
    // First call of this method: ask the engine once and remember (method kinds never change).
    std::promise<bool> p;
    auto f = p.get_future();
    engine_.post([&] { p.set_value(engine_.methods()->stream(method) != nullptr); });
    bool stream = f.get();
    kinds_[method] = stream;
    return stream;
  }

  EngineAccess& engine_;
  Connections& conns_;
  std::mutex mu_;
  std::map<std::string, bool> kinds_;
};

}  // namespace

struct GrpcHost::Impl {
  EngineAccess engine;
  Connections conns;
  std::unique_ptr<GenericService> generic;
  std::unique_ptr<grpc::Server> server;
};

GrpcHost::GrpcHost(EngineAccess engine) : impl_(std::make_unique<Impl>()) {
  impl_->engine = std::move(engine);
  impl_->generic = std::make_unique<GenericService>(impl_->engine, impl_->conns);
}

GrpcHost::~GrpcHost() { shutdown(); }

core::Status GrpcHost::start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder.RegisterCallbackGenericService(impl_->generic.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server) return core::Status::internal("could not start the gRPC server");
  return core::Status::ok();
}

void GrpcHost::adopt(int fd) {
  if (!impl_->server) {
    ::close(fd);
    return;
  }
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  impl_->conns.adopted(fd);
  grpc::AddInsecureChannelFromFd(impl_->server.get(), fd);
}

void GrpcHost::shutdown() {
  if (impl_ && impl_->server) {
    impl_->server->Shutdown(gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(500, GPR_TIMESPAN)));
    impl_->server->Wait();
    impl_->server.reset();
  }
}

}  // namespace gcpsim::net
