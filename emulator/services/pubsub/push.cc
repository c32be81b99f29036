// Push delivery over net::HttpClient in the real service's request formats, and in-process
// handlers. Every push is a fault boundary (kPush) and an event.
#include "services/pubsub/push.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "net/http_client.h"
#include "services/pubsub/convert.h"

namespace gcpsim::services::pubsub {
namespace {

using core::Status;

constexpr int64_t kMaxPushWindow = 1000;  // outstanding pushes per subscription at full speed
constexpr int64_t kHandlerWindow = 100;
// A BigQuery subscription without a retry policy retries a failed write after this long.
constexpr Duration kBigQueryRetry = std::chrono::seconds(10);

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

bool push_acknowledged(int status) {
  return status == 102 || status == 200 || status == 201 || status == 202 || status == 204;
}

std::string wrapped_push_body(const std::string& sub, const Delivery& d) {
  const Message& m = *d.message;
  nlohmann::ordered_json msg;
  if (!m.attributes().empty()) {
    auto& attributes = msg["attributes"] = nlohmann::ordered_json::object();
    for (auto [k, v] : m.attributes()) attributes[std::string(k)] = v;
  }
  msg["data"] = base64(m.data());
  msg["messageId"] = m.id();
  msg["message_id"] = m.id();
  if (!m.ordering_key().empty()) msg["orderingKey"] = m.ordering_key();
  msg["publishTime"] = core::format_rfc3339(m.publish_time());
  msg["publish_time"] = core::format_rfc3339(m.publish_time());
  nlohmann::ordered_json body{{"message", std::move(msg)}, {"subscription", sub}};
  if (d.delivery_attempt > 0) body["deliveryAttempt"] = d.delivery_attempt;
  return body.dump();
}

// One push subscription: a domain consumer whose window doubles on success and halves on
// failure, as the real service's push flow control does.
class Push::Endpoint final : public Consumer, public std::enable_shared_from_this<Endpoint> {
 public:
  Endpoint(Push& owner, std::string name) : owner_(owner), name_(std::move(name)) {}
  ~Endpoint() override {
    if (id_) owner_.svc_.domain().detach(id_);
  }

  Status attach(Duration lease) {
    lease_ = lease;
    ASSIGN_OR_RETURN(id_, owner_.svc_.domain().attach(name_, this, limits()));
    return Status::ok();
  }

  void deliver(std::vector<Delivery> batch) override {
    for (auto& d : batch) send(std::move(d));
  }
  void closed(const Status&) override {
    id_ = 0;
    owner_.endpoints_.erase(name_);
  }

 private:
  FlowLimits limits() const { return FlowLimits{window_, 0, lease_}; }

  // The push config is read at each send, so updates apply to the next message.
  void send(Delivery d) {
    core::Env& env = owner_.svc_.env();
    auto sub = owner_.svc_.domain().get_subscription(name_);
    if (!sub.ok() || !sub->config.push) return;
    const PushConfig& push = *sub->config.push;
    net::OutboundRequest req;
    req.url = push.endpoint;
    req.timeout = sub->config.ack_deadline;
    if (push.no_wrapper) {
      req.body = d.message->data();
      if (push.write_metadata) {
        const Message& m = *d.message;
        req.headers.emplace_back("x-goog-pubsub-subscription-name", name_);
        req.headers.emplace_back("x-goog-pubsub-message-id", m.id());
        req.headers.emplace_back("x-goog-pubsub-publish-time", core::format_rfc3339(m.publish_time()));
        if (d.delivery_attempt > 0) req.headers.emplace_back("x-goog-pubsub-delivery-attempt", std::to_string(d.delivery_attempt));
        if (!m.ordering_key().empty()) req.headers.emplace_back("x-goog-pubsub-ordering-key", m.ordering_key());
        for (auto [k, v] : m.attributes()) req.headers.emplace_back(k, v);
      }
    } else {
      req.headers.emplace_back("Content-Type", "application/json");
      req.body = wrapped_push_body(name_, d);
    }
    if (push.oidc && owner_.minter_) {
      std::string audience = push.oidc->audience.empty() ? push.endpoint : push.oidc->audience;
      auto token = owner_.minter_(audience, push.oidc->service_account_email);
      if (token.ok()) req.headers.emplace_back("Authorization", "Bearer " + *token);
    }
    core::FaultSubject subject{core::Boundary::kPush, "pubsub", "pubsub.push", push.endpoint};
    auto fault = env.faults.check(subject);
    std::weak_ptr<Endpoint> self = weak_from_this();
    auto finish = [self, d, endpoint = push.endpoint](int status, std::string fault_kind) {
      if (auto e = self.lock()) e->completed(d, endpoint, status, fault_kind);
    };
    if (!fault) {
      owner_.http_.send(std::move(req), [finish](net::OutboundResponse r) { finish(r.status, ""); });
      return;
    }
    using K = core::FaultAction::Kind;
    std::string kind = core::action_kind_name(fault->kind);
    if (fault->kind == K::kError) {
      int status = fault->http_status ? fault->http_status : core::http_status(fault->code);
      env.clock.schedule_in(fault->delay, [finish, status, kind] { finish(status, kind); });
    } else if (fault->kind == K::kDelay) {
      env.clock.schedule_in(fault->delay, [this, self, req = std::move(req), finish]() mutable {
        if (self.expired()) return;
        owner_.http_.send(std::move(req), [finish](net::OutboundResponse r) { finish(r.status, ""); });
      });
    } else {
      // Dropped, timed out, crashed or out: no answer, so the lease runs out.
      env.events.record("pubsub.push", "pubsub",
                        {{"subscription", name_}, {"message_id", d.message->id()}, {"endpoint", push.endpoint},
                         {"fault", kind}});
    }
  }

  void completed(const Delivery& d, const std::string& endpoint, int status, const std::string& fault_kind) {
    core::Attrs attrs{{"subscription", name_},
                      {"message_id", d.message->id()},
                      {"endpoint", endpoint},
                      {"status", int64_t{status}}};
    if (!fault_kind.empty()) attrs["fault"] = fault_kind;
    owner_.svc_.env().events.record("pubsub.push", "pubsub", std::move(attrs));
    Domain& domain = owner_.svc_.domain();
    int64_t before = window_;
    if (push_acknowledged(status)) {
      window_ = std::min(window_ * 2, kMaxPushWindow);
      (void)domain.acknowledge(name_, {d.ack_id});
    } else {
      window_ = std::max<int64_t>(window_ / 2, 1);
      (void)domain.modify_ack_deadline(name_, {d.ack_id}, Duration::zero());
    }
    if (window_ != before && id_) domain.set_limits(id_, limits());
  }

  Push& owner_;
  std::string name_;
  Duration lease_{};
  Domain::ConsumerId id_ = 0;
  int64_t window_ = 1;
};

// A C++ handler attached to a subscription (function triggers and the like).
class Push::InProcess final : public Consumer, public std::enable_shared_from_this<InProcess> {
 public:
  // A nack makes the message ready again after `nack_delay` (0: at once, or after the
  // subscription's retry backoff).
  InProcess(Push& owner, std::string sub, PubsubService::Handler handler, Duration nack_delay = Duration::zero())
      : owner_(owner), sub_(std::move(sub)), handler_(std::move(handler)), nack_delay_(nack_delay) {}
  ~InProcess() override {
    if (id_) owner_.svc_.domain().detach(id_);
  }
  Status attach(Duration lease) {
    ASSIGN_OR_RETURN(id_, owner_.svc_.domain().attach(sub_, this, FlowLimits{kHandlerWindow, 0, lease}));
    return Status::ok();
  }
  void deliver(std::vector<Delivery> batch) override {
    std::weak_ptr<InProcess> self = weak_from_this();
    for (const auto& d : batch) {
      handler_(d, [self, ack_id = d.ack_id](bool ack) {
        auto me = self.lock();
        if (!me) return;
        Domain& domain = me->owner_.svc_.domain();
        if (ack) (void)domain.acknowledge(me->sub_, {ack_id});
        else (void)domain.modify_ack_deadline(me->sub_, {ack_id}, me->nack_delay_);
      });
    }
  }
  void closed(const Status&) override {
    id_ = 0;
    owner_.handlers_.erase(sub_);
    owner_.bigquery_.erase(sub_);
  }

 private:
  Push& owner_;
  std::string sub_;
  PubsubService::Handler handler_;
  Duration nack_delay_;
  Domain::ConsumerId id_ = 0;
};

Push::Push(PubsubService& svc, net::HttpClient& http) : svc_(svc), http_(http) {}

Push::~Push() { stop_all(); }

void Push::stop_all() {
  auto endpoints = std::move(endpoints_);
  auto handlers = std::move(handlers_);
  auto bigquery = std::move(bigquery_);
  endpoints_.clear();
  handlers_.clear();
  bigquery_.clear();
}

// A BigQuery subscription: each message becomes a row through the sink; a failed write is
// retried after the retry policy's backoff, or after kBigQueryRetry without one (the message
// stays unacknowledged, and goes to the dead-letter topic when one is set).
void Push::refresh_bigquery(const std::string& subscription) {
  auto sub = svc_.domain().get_subscription(subscription);
  bool wants = sub.ok() && !sub->detached && sub->config.bigquery.has_value();
  if (!wants) {
    bigquery_.erase(subscription);
    return;
  }
  if (bigquery_.count(subscription)) return;  // the writer reads the config at each message
  auto handler = [this, subscription](const Delivery& d, std::function<void(bool)> done) {
    auto now = svc_.domain().get_subscription(subscription);
    if (!now.ok() || !now->config.bigquery) return done(false);
    const auto& sink = svc_.bigquery_sink();
    Status st = sink.write ? sink.write(*now->config.bigquery, subscription, *d.message)
                           : Status::failed_precondition("BigQuery is not running in this gcpsim.");
    svc_.env().events.record(st.is_ok() ? "pubsub.bigquery.write" : "pubsub.bigquery.error", "pubsub",
                             {{"subscription", subscription},
                              {"table", now->config.bigquery->table},
                              {"messageId", d.message->id()},
                              {"error", st.is_ok() ? std::string() : st.message()}});
    done(st.is_ok());
  };
  Duration retry = sub->config.retry ? Duration::zero() : kBigQueryRetry;
  auto h = std::make_shared<InProcess>(*this, subscription, std::move(handler), retry);
  if (h->attach(sub->config.ack_deadline).is_ok()) bigquery_.emplace(subscription, std::move(h));
}

void Push::refresh(const std::string& subscription) {
  refresh_bigquery(subscription);
  auto sub = svc_.domain().get_subscription(subscription);
  bool wants = sub.ok() && !sub->detached && sub->config.push.has_value();
  auto it = endpoints_.find(subscription);
  if (it != endpoints_.end() && wants) return;
  if (it != endpoints_.end()) endpoints_.erase(it);
  if (!wants) return;
  auto endpoint = std::make_shared<Endpoint>(*this, subscription);
  if (endpoint->attach(sub->config.ack_deadline).is_ok()) endpoints_.emplace(subscription, std::move(endpoint));
}

core::Status Push::add_handler(const std::string& subscription, PubsubService::Handler handler) {
  ASSIGN_OR_RETURN(auto sub, svc_.domain().get_subscription(subscription));
  auto h = std::make_shared<InProcess>(*this, subscription, std::move(handler));
  RETURN_IF_ERROR(h->attach(sub.config.ack_deadline));
  handlers_[subscription] = std::move(h);
  return Status::ok();
}

}  // namespace gcpsim::services::pubsub
