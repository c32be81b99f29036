// StreamingPull sessions: the first request names the subscription, stream ack deadline and
// flow control; later ones carry acks and deadline changes; responses carry messages and,
// for exactly-once subscriptions, acknowledgement confirmations.
#include "services/pubsub/streaming_pull.h"

#include <deque>
#include <iterator>
#include <map>

#include "core/dispatch.h"
#include "core/env.h"
#include "net/rpc.h"
#include "services/pubsub/convert.h"
#include "services/pubsub/errors.h"
#include "services/pubsub/names.h"
#include "services/pubsub/service.h"

namespace gcpsim::services::pubsub {

namespace {
using core::Status;

// Responses stay well under the clients' 20 MB receive limit, and small enough that the
// responses a congested stream may hold queued (net::ServerStream::kMaxQueuedWrites) cost
// little memory: a client opens several streams (the Node client five), each leased up to
// its flow limit, and a queued response is a copy of its messages.
constexpr int kMaxMessagesPerResponse = 1000;
constexpr size_t kMaxResponseBytes = 128 * 1024;
}  // namespace

class StreamingPull::Session final : public Consumer {
 public:
  Session(StreamingPull& owner, uint64_t id, std::shared_ptr<net::ServerStream> stream)
      : owner_(owner), svc_(owner.svc_), id_(id), stream_(std::move(stream)) {}
  // Detached first, so what goes back is offered to the subscription's other consumers.
  ~Session() override {
    if (consumer_) svc_.domain().detach(consumer_);
    return_unsent();
  }

  void on_request(const v1::StreamingPullRequest& req) {
    if (sub_.empty()) {
      if (!start(req)) return;
    } else if (req.stream_ack_deadline_seconds() != 0) {
      Status st = set_deadline(req.stream_ack_deadline_seconds());
      if (!st.is_ok()) return end(st);
      if (consumer_) svc_.domain().set_limits(consumer_, limits_);
    }
    handle_acks(req);
  }

  void deliver(std::vector<Delivery> batch) override {
    std::move(batch.begin(), batch.end(), std::back_inserter(unsent_));
    send();
  }

  // A stream with responses still queued, or leased messages still to write, gets nothing
  // more until they are written: what becomes ready meanwhile leaves batched in the next
  // response.
  // A stream whose client has gone (cancelled, deadline passed) takes nothing more.
  bool accepting() const override { return unsent_.empty() && !stream_->congested() && !stream_->closed(); }
  void writable() {
    send();
    if (consumer_ && unsent_.empty()) svc_.domain().resume(consumer_);
  }

  void closed(const Status& why) override {
    consumer_ = 0;
    end(why);
  }

  // The client went away: its leases run out on their own.
  void client_closed() { owner_.drop(id_); }

  void shutdown(const Status& why) {
    stream_->on_read = nullptr;
    stream_->on_close = nullptr;
    stream_->on_writable = nullptr;
    stream_->on_unwritten = nullptr;
    stream_->finish(why);
  }

 private:
  bool start(const v1::StreamingPullRequest& req) {
    if (req.subscription().empty()) {
      end(Status::invalid_argument("The first StreamingPullRequest must set subscription."));
      return false;
    }
    if (auto parsed = parse_name(Kind::kSubscription, req.subscription()); !parsed.ok()) {
      end(parsed.status());
      return false;
    }
    if (Status st = set_deadline(req.stream_ack_deadline_seconds()); !st.is_ok()) {
      end(st);
      return false;
    }
    sub_ = req.subscription();
    // Responses the transport took but could not write go back at once, even after this
    // session is gone (the stream reports them once its writes have failed).
    stream_->on_unwritten = [svc = &svc_, alive = svc_.liveness(),
                             sub = sub_](const google::protobuf::Message& m) {
      const auto& resp = static_cast<const v1::StreamingPullResponse&>(m);
      std::vector<std::string> ids;
      for (const auto& r : resp.received_messages()) ids.push_back(r.ack_id());
      if (!ids.empty() && alive.lock()) (void)svc->domain().modify_ack_deadline(sub, ids, Duration::zero());
    };
    limits_.max_messages = std::max<int64_t>(0, req.max_outstanding_messages());
    limits_.max_bytes = std::max<int64_t>(0, req.max_outstanding_bytes());
    core::Call call{"pubsub.StreamingPull", "pubsub", sub_, {}, core::Boundary::kApi};
    uint64_t id = id_;
    StreamingPull* owner = &owner_;
    core::dispatch(
        svc_.env(), std::move(call),
        [owner, id](core::Done done) {
          auto it = owner->sessions_.find(id);
          if (it == owner->sessions_.end()) return done(Status::cancelled("The stream was closed."));
          done(it->second->attach());
        },
        [owner, id](Status st) {
          if (st.is_ok()) return;
          auto it = owner->sessions_.find(id);
          if (it != owner->sessions_.end()) it->second->end(st);
        });
    return true;
  }

  Status attach() {
    ASSIGN_OR_RETURN(auto sub, svc_.domain().get_subscription(sub_));
    exactly_once_ = sub.config.exactly_once;
    ordering_ = sub.config.enable_message_ordering;
    ASSIGN_OR_RETURN(consumer_, svc_.domain().attach(sub_, this, limits_));
    return Status::ok();
  }

  Status set_deadline(int32_t seconds) {
    if (seconds < 10 || seconds > 600) {
      return Status::invalid_argument("stream_ack_deadline_seconds must be between 10 and 600 seconds");
    }
    limits_.lease = std::chrono::seconds(seconds);
    return Status::ok();
  }

  void handle_acks(const v1::StreamingPullRequest& req) {
    if (req.modify_deadline_ack_ids_size() != req.modify_deadline_seconds_size()) {
      return end(Status::invalid_argument("ack IDs and deadlines must have the same size"));
    }
    if (req.ack_ids_size() > 0) {
      std::vector<std::string> ids(req.ack_ids().begin(), req.ack_ids().end());
      auto r = svc_.domain().acknowledge(sub_, ids);
      if (!r.ok()) return end(r.status());
      if (exactly_once_) {
        v1::StreamingPullResponse resp;
        auto* c = resp.mutable_acknowledge_confirmation();
        for (auto& id : r->succeeded) c->add_ack_ids(id);
        for (auto& id : r->invalid) c->add_invalid_ack_ids(id);
        stream_->write(resp);
      }
    }
    if (req.modify_deadline_ack_ids_size() == 0) return;
    std::map<int32_t, std::vector<std::string>> by_deadline;
    for (int i = 0; i < req.modify_deadline_ack_ids_size(); ++i) {
      by_deadline[req.modify_deadline_seconds(i)].push_back(req.modify_deadline_ack_ids(i));
    }
    v1::StreamingPullResponse resp;
    auto* c = resp.mutable_modify_ack_deadline_confirmation();
    for (auto& [seconds, ids] : by_deadline) {
      auto r = svc_.domain().modify_ack_deadline(sub_, ids, std::chrono::seconds(seconds));
      if (!r.ok()) return end(r.status());
      for (auto& id : r->succeeded) c->add_ack_ids(id);
      for (auto& id : r->invalid) c->add_invalid_ack_ids(id);
    }
    if (exactly_once_) stream_->write(resp);
  }

  void properties(v1::StreamingPullResponse* resp) const {
    auto* p = resp->mutable_subscription_properties();
    p->set_exactly_once_delivery_enabled(exactly_once_);
    p->set_message_ordering_enabled(ordering_);
  }

  // Leased messages are written a response at a time while the stream has room; the rest
  // wait as they are, not as serialized copies.
  void send() {
    while (!unsent_.empty() && !stream_->congested()) {
      v1::StreamingPullResponse resp;
      properties(&resp);
      size_t bytes = 0;
      while (!unsent_.empty() && resp.received_messages_size() < kMaxMessagesPerResponse) {
        const Delivery& d = unsent_.front();
        if (resp.received_messages_size() > 0 && bytes + d.message->size() > kMaxResponseBytes) break;
        bytes += d.message->size();
        to_proto(d, resp.add_received_messages());
        unsent_.pop_front();
      }
      if (stream_->write(resp)) continue;
      std::vector<std::string> failed;
      for (const auto& m : resp.received_messages()) failed.push_back(m.ack_id());
      return return_unsent(std::move(failed));
    }
  }

  // Leased messages that never reached the client (`ids`, and those still unsent) go back
  // for redelivery at once rather than when their lease runs out.
  void return_unsent(std::vector<std::string> ids = {}) {
    for (const auto& d : unsent_) ids.push_back(d.ack_id);
    unsent_.clear();
    if (!ids.empty()) (void)svc_.domain().modify_ack_deadline(sub_, ids, Duration::zero());
  }

  void end(const Status& why) {
    stream_->finish(why);
    owner_.drop(id_);
  }

  StreamingPull& owner_;
  PubsubService& svc_;
  uint64_t id_;
  std::shared_ptr<net::ServerStream> stream_;
  std::string sub_;
  FlowLimits limits_;
  Domain::ConsumerId consumer_ = 0;
  std::deque<Delivery> unsent_;  // leased, not yet written
  bool exactly_once_ = false;
  bool ordering_ = false;
};

StreamingPull::StreamingPull(net::MethodTable& methods, PubsubService& svc) : svc_(svc) {
  net::GrpcService<PubsubService> s(methods, "google.pubsub.v1.Subscriber", "pubsub", svc);
  s.add_stream<v1::StreamingPullRequest, v1::StreamingPullResponse>(
      "StreamingPull", [this](std::shared_ptr<net::ServerStream> stream) { open(std::move(stream)); });
}

StreamingPull::~StreamingPull() { close_all(); }

void StreamingPull::open(std::shared_ptr<net::ServerStream> stream) {
  uint64_t id = next_id_++;
  auto session = std::make_unique<Session>(*this, id, stream);
  stream->on_read = [this, id](const google::protobuf::Message& m) {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) it->second->on_request(static_cast<const v1::StreamingPullRequest&>(m));
  };
  stream->on_writable = [this, id] {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) it->second->writable();
  };
  stream->on_close = [this, id] {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) it->second->client_closed();
  };
  sessions_.emplace(id, std::move(session));
}

void StreamingPull::drop(uint64_t id) { sessions_.erase(id); }

void StreamingPull::close_all() {
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (auto& [id, s] : sessions) s->shutdown(Status::unavailable("The service is shutting down."));
}

}  // namespace gcpsim::services::pubsub
