// google.pubsub.v1.Subscriber's unary RPCs → the domain, one function per RPC. Pull waits
// on the clock for messages when none are ready. StreamingPull is in streaming_pull.cc.
#include <google/protobuf/empty.pb.h>

#include "core/clock.h"
#include "core/env.h"
#include "net/rpc.h"
#include "services/pubsub/convert.h"
#include "services/pubsub/errors.h"
#include "services/pubsub/handlers.h"
#include "services/pubsub/names.h"
#include "services/pubsub/service.h"

namespace gcpsim::services::pubsub {
namespace {

using core::Status;
using google::protobuf::Empty;

// How long a Pull with nothing ready waits for messages before answering empty.
constexpr Duration kPullWait = std::chrono::seconds(5);

// The caller went away before its Pull was answered (cancelled, disconnected, deadline).
Status caller_gone() { return Status::cancelled("The caller cancelled the Pull or its deadline passed."); }

// Messages handed to a Pull whose response then never reached the caller go back at once,
// not when their lease runs out.
void return_if_undelivered(PubsubService& svc, const std::string& sub, const v1::PullResponse& resp,
                           const net::CallLifePtr& life) {
  if (resp.received_messages_size() == 0) return;
  std::vector<std::string> ids;
  for (const auto& m : resp.received_messages()) ids.push_back(m.ack_id());
  life->on_undelivered = [&svc, alive = svc.liveness(), sub, ids = std::move(ids)] {
    if (alive.lock()) (void)svc.domain().modify_ack_deadline(sub, ids, Duration::zero());
  };
}

// A Pull waiting for messages: a one-shot consumer that answers on first delivery, when the
// subscription goes away, when the wait is over, or at once when its caller goes away (it
// takes no messages from then on).
class PullWaiter final : public Consumer {
 public:
  PullWaiter(PubsubService& svc, std::string sub, v1::PullResponse* resp, core::Done done, net::CallLifePtr life)
      : svc_(svc), sub_(std::move(sub)), resp_(resp), done_(std::move(done)), life_(std::move(life)) {}

  static void start(PubsubService& svc, const std::string& sub, int max, Duration lease, v1::PullResponse* resp,
                    core::Done done, const net::CallLifePtr& life) {
    auto* w = new PullWaiter(svc, sub, resp, std::move(done), life);
    auto id = svc.domain().attach(sub, w, FlowLimits{max, 0, lease});
    if (!id.ok()) {
      w->finish(id.status());
      return;
    }
    w->id_ = *id;
    w->timer_ = svc.env().clock.schedule_in(kPullWait, [w] {
      w->timer_.reset();
      w->finish(Status::ok());
    });
    life->on_cancel = [w] { w->finish(caller_gone()); };
  }

  void deliver(std::vector<Delivery> batch) override {
    for (const auto& d : batch) to_proto(d, resp_->add_received_messages());
    return_if_undelivered(svc_, sub_, *resp_, life_);
    finish(Status::ok());
  }
  bool accepting() const override { return !life_->cancelled; }
  void closed(const Status& why) override {
    id_ = 0;
    finish(why);
  }

 private:
  void finish(Status s) {
    life_->on_cancel = nullptr;
    if (timer_) svc_.env().clock.cancel(*timer_);
    if (id_) svc_.domain().detach(id_);
    core::Done done = std::move(done_);
    delete this;
    done(std::move(s));
  }

  PubsubService& svc_;
  std::string sub_;
  v1::PullResponse* resp_;
  core::Done done_;
  net::CallLifePtr life_;
  Domain::ConsumerId id_ = 0;
  std::optional<core::Clock::TimerId> timer_;
};

// Exactly-once subscriptions fail the whole request and name each bad ack id in ErrorInfo.
Status ack_result(const StatusOr<AckOutcome>& r) {
  if (!r.ok()) return r.status();
  if (r->invalid.empty()) return Status::ok();
  core::ErrorInfo info{"EXACTLY_ONCE_ACKID_FAILURE", "pubsub.googleapis.com", {}};
  for (const auto& id : r->invalid) info.metadata.emplace_back(id, "PERMANENT_FAILURE_INVALID_ACK_ID");
  Status s = errors::exactly_once_ack_failure();
  s.with(std::move(info));
  return s;
}

void pull(PubsubService& svc, const v1::PullRequest& req, v1::PullResponse* resp, core::Done done,
          const net::CallLifePtr& life) {
  // A caller already gone (e.g. while an injected delay ran) is leased nothing.
  if (life->cancelled) return done(caller_gone());
  // Deprecated but still sent by clients that poll.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  bool return_immediately = req.return_immediately();
#pragma GCC diagnostic pop
  auto got = svc.domain().pull(req.subscription(), req.max_messages());
  if (!got.ok() || !got->empty() || return_immediately) {
    if (got.ok()) {
      for (const auto& d : *got) to_proto(d, resp->add_received_messages());
      return_if_undelivered(svc, req.subscription(), *resp, life);
    }
    done(got.status());
    return;
  }
  auto sub = svc.domain().get_subscription(req.subscription());
  if (!sub.ok()) {
    done(sub.status());
    return;
  }
  PullWaiter::start(svc, req.subscription(), req.max_messages(), sub->config.ack_deadline, resp, std::move(done),
                    life);
}

Status create_subscription(PubsubService& svc, const v1::Subscription& req, v1::Subscription* resp) {
  ASSIGN_OR_RETURN(auto sub, svc.create_subscription(req.name(), subscription_config(req)));
  to_proto(sub, resp);
  return Status::ok();
}

Status get_subscription(PubsubService& svc, const v1::GetSubscriptionRequest& req, v1::Subscription* resp) {
  ASSIGN_OR_RETURN(auto sub, svc.domain().get_subscription(req.subscription()));
  to_proto(sub, resp);
  return Status::ok();
}

Status update_subscription(PubsubService& svc, const v1::UpdateSubscriptionRequest& req, v1::Subscription* resp) {
  ASSIGN_OR_RETURN(auto current, svc.domain().get_subscription(req.subscription().name()));
  v1::Subscription merged;
  to_proto(current, &merged);
  RETURN_IF_ERROR(
      apply_mask(req.subscription(), req.update_mask(), &merged, "UpdateSubscriptionRequest", "push_config"));
  merged.set_name(current.name);
  auto config = subscription_config(merged);
  RETURN_IF_ERROR(svc.check_bigquery(config));
  ASSIGN_OR_RETURN(auto sub, svc.domain().update_subscription(current.name, std::move(config)));
  svc.subscription_changed(current.name);
  to_proto(sub, resp);
  return Status::ok();
}

Status list_subscriptions(PubsubService& svc, const v1::ListSubscriptionsRequest& req,
                          v1::ListSubscriptionsResponse* resp) {
  ASSIGN_OR_RETURN(auto project, parse_project(req.project()));
  std::string next;
  for (const auto& s : svc.domain().list_subscriptions(project, Page{req.page_size(), req.page_token()}, &next)) {
    to_proto(s, resp->add_subscriptions());
  }
  resp->set_next_page_token(next);
  return Status::ok();
}

Status delete_subscription(PubsubService& svc, const v1::DeleteSubscriptionRequest& req, Empty*) {
  RETURN_IF_ERROR(svc.domain().delete_subscription(req.subscription()));
  svc.subscription_changed(req.subscription());
  return Status::ok();
}

Status modify_ack_deadline(PubsubService& svc, const v1::ModifyAckDeadlineRequest& req, Empty*) {
  std::vector<std::string> ids(req.ack_ids().begin(), req.ack_ids().end());
  return ack_result(svc.domain().modify_ack_deadline(req.subscription(), ids,
                                                     std::chrono::seconds(req.ack_deadline_seconds())));
}

Status acknowledge(PubsubService& svc, const v1::AcknowledgeRequest& req, Empty*) {
  std::vector<std::string> ids(req.ack_ids().begin(), req.ack_ids().end());
  return ack_result(svc.domain().acknowledge(req.subscription(), ids));
}

Status modify_push_config(PubsubService& svc, const v1::ModifyPushConfigRequest& req, Empty*) {
  ASSIGN_OR_RETURN(auto current, svc.domain().get_subscription(req.subscription()));
  v1::Subscription merged;
  to_proto(current, &merged);
  *merged.mutable_push_config() = req.push_config();
  RETURN_IF_ERROR(svc.domain().update_subscription(current.name, subscription_config(merged)).status());
  svc.subscription_changed(current.name);
  return Status::ok();
}

Status get_snapshot(PubsubService& svc, const v1::GetSnapshotRequest& req, v1::Snapshot* resp) {
  ASSIGN_OR_RETURN(auto snap, svc.domain().get_snapshot(req.snapshot()));
  to_proto(snap, resp);
  return Status::ok();
}

Status list_snapshots(PubsubService& svc, const v1::ListSnapshotsRequest& req, v1::ListSnapshotsResponse* resp) {
  ASSIGN_OR_RETURN(auto project, parse_project(req.project()));
  std::string next;
  for (const auto& s : svc.domain().list_snapshots(project, Page{req.page_size(), req.page_token()}, &next)) {
    to_proto(s, resp->add_snapshots());
  }
  resp->set_next_page_token(next);
  return Status::ok();
}

Status create_snapshot(PubsubService& svc, const v1::CreateSnapshotRequest& req, v1::Snapshot* resp) {
  StringMap labels(req.labels().begin(), req.labels().end());
  ASSIGN_OR_RETURN(auto snap, svc.domain().create_snapshot(req.name(), req.subscription(), std::move(labels)));
  to_proto(snap, resp);
  return Status::ok();
}

Status update_snapshot(PubsubService& svc, const v1::UpdateSnapshotRequest& req, v1::Snapshot* resp) {
  ASSIGN_OR_RETURN(auto current, svc.domain().get_snapshot(req.snapshot().name()));
  v1::Snapshot merged;
  to_proto(current, &merged);
  RETURN_IF_ERROR(apply_mask(req.snapshot(), req.update_mask(), &merged, "UpdateSnapshotRequest", "expire_time"));
  std::optional<Time> expire;
  std::optional<StringMap> labels;
  for (const auto& path : req.update_mask().paths()) {
    if (path == "expire_time") expire = from_proto(merged.expire_time());
    if (path == "labels") labels = StringMap(merged.labels().begin(), merged.labels().end());
  }
  ASSIGN_OR_RETURN(auto snap, svc.domain().update_snapshot(current.name, expire, std::move(labels)));
  to_proto(snap, resp);
  return Status::ok();
}

Status delete_snapshot(PubsubService& svc, const v1::DeleteSnapshotRequest& req, Empty*) {
  return svc.domain().delete_snapshot(req.snapshot());
}

Status seek(PubsubService& svc, const v1::SeekRequest& req, v1::SeekResponse*) {
  switch (req.target_case()) {
    case v1::SeekRequest::kTime: return svc.domain().seek_to_time(req.subscription(), from_proto(req.time()));
    case v1::SeekRequest::kSnapshot: return svc.domain().seek_to_snapshot(req.subscription(), req.snapshot());
    default: return errors::seek_target_missing();
  }
}

}  // namespace

void register_subscriber(net::MethodTable& methods, PubsubService& svc) {
  net::GrpcService<PubsubService> s(methods, "google.pubsub.v1.Subscriber", "pubsub", svc);
  s.add_unary("CreateSubscription", &create_subscription);
  s.add_unary("GetSubscription", &get_subscription);
  s.add_unary("UpdateSubscription", &update_subscription);
  s.add_unary("ListSubscriptions", &list_subscriptions);
  s.add_unary("DeleteSubscription", &delete_subscription);
  s.add_unary("ModifyAckDeadline", &modify_ack_deadline);
  s.add_unary("Acknowledge", &acknowledge);
  s.add_unary("Pull", &pull);
  s.add_unary("ModifyPushConfig", &modify_push_config);
  s.add_unary("GetSnapshot", &get_snapshot);
  s.add_unary("ListSnapshots", &list_snapshots);
  s.add_unary("CreateSnapshot", &create_snapshot);
  s.add_unary("UpdateSnapshot", &update_snapshot);
  s.add_unary("DeleteSnapshot", &delete_snapshot);
  s.add_unary("Seek", &seek);
}

}  // namespace gcpsim::services::pubsub
