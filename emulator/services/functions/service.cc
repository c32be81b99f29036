// Cloud Functions' row in the services table: wires each event-triggered function to its
// Eventarc subscription and turns deliveries into CloudEvents sent through the Run router.
#include "services/functions/service.h"

#include <cstdio>

#include "core/env.h"
#include "core/events.h"
#include "net/http_client.h"
#include "services/functions/cloudevent.h"
#include "services/iam/service.h"
#include "services/pubsub/service.h"
#include "services/run/service.h"
#include "services/storage/service.h"

namespace gcpsim::services::functions {
namespace {

using namespace std::chrono_literals;
using Kind = FunctionTrigger::Kind;

// Eventarc's subscription settings: its default retry policy and retention (24h retry window).
constexpr core::Duration kMinBackoff = 10s;
constexpr core::Duration kMaxBackoff = 600s;
constexpr core::Duration kRetention = 24h;

// A stable six-digit suffix (FNV-1a), so names survive restarts with a data directory.
std::string suffix(const std::string& key) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", unsigned(h % 1000000));
  return buf;
}

core::Duration clamp(core::Duration d, core::Duration lo, core::Duration hi) { return std::min(std::max(d, lo), hi); }

}  // namespace

TriggerNames trigger_names(const std::string& project, const std::string& region, const std::string& function,
                           const FunctionTrigger& trigger) {
  TriggerNames n;
  n.trigger = function + "-" + suffix(project + "/" + region + "/" + function);
  std::string base = "eventarc-" + region + "-" + n.trigger;
  n.topic = "projects/" + project + "/topics/" + (trigger.kind == Kind::kPubsub ? trigger.topic : base + "-" + suffix(base));
  n.subscription = "projects/" + project + "/subscriptions/" + base + "-sub-" + suffix(base + "-sub");
  return n;
}

FunctionsService::FunctionsService(Context& ctx) : ctx_(ctx) {}

FunctionsService::~FunctionsService() { stop(); }

void FunctionsService::start() {
  pubsub_ = ctx_.registry.get<pubsub::PubsubService>("pubsub");
  run_ = ctx_.registry.get<run::RunService>("run");
  iam_ = ctx_.registry.get<iam::IamService>("iam");
  storage_ = ctx_.registry.get<storage::StorageService>("storage");
  for (const auto& [name, fn] : stack_functions(ctx_.stack)) {
    if (fn.trigger.kind == Kind::kHttp) continue;
    core::Status st = wire(name, fn);
    if (!st.is_ok()) ctx_.env.events.record("function.error", name, {{"message", st.to_string()}});
  }
}

void FunctionsService::stop() { *alive_ = false; }

core::Status FunctionsService::wire(const std::string& name, const FunctionConfig& fn) {
  if (!pubsub_ || !run_) return core::Status::unavailable("event triggers need Pub/Sub and Cloud Run");
  const FunctionTrigger& t = fn.trigger;
  TriggerNames names = trigger_names(ctx_.env.project, ctx_.env.region, name, t);
  if (t.kind == Kind::kStorage) {
    if (!storage_) return core::Status::unavailable("storage triggers need Cloud Storage");
    auto created = pubsub_->domain().create_topic(names.topic, {});
    if (!created.ok() && created.status().code() != core::Code::kAlreadyExists) return created.status();
    auto existing = storage_->storage().list_notifications(t.bucket);
    if (!existing.ok()) return existing.status();
    bool present = false;
    for (const auto& c : *existing) present = present || c.topic == names.topic;
    if (!present) {
      storage::NotificationConfig c;
      c.topic = names.topic;
      c.event_types = {*storage_notification_type(t.event)};
      c.payload_format = "JSON_API_V1";
      RETURN_IF_ERROR(storage_->storage().add_notification(t.bucket, c).status());
    }
  }
  pubsub::SubscriptionConfig c;
  c.topic = names.topic;
  c.ack_deadline = clamp(fn.service.timeout, 10s, 600s);
  c.message_retention = kRetention;
  c.expiration_ttl = std::nullopt;
  c.retry = pubsub::RetryPolicy{kMinBackoff, kMaxBackoff};
  if (t.retry && !t.dead_letter.empty()) {
    c.dead_letter = pubsub::DeadLetterPolicy{"projects/" + ctx_.env.project + "/topics/" + t.dead_letter, t.max_attempts};
  }
  auto sub = pubsub_->create_subscription(names.subscription, std::move(c));
  if (!sub.ok() && sub.status().code() != core::Code::kAlreadyExists) return sub.status();
  return pubsub_->add_handler(names.subscription, [this, name, names](const pubsub::Delivery& d, auto done) {
    deliver(name, names, d, std::move(done));
  });
}

// One attempt: the CloudEvent through the router, with an ID token for the function's URL
// (Eventarc always authenticates), acked on a push success status or, without retry, always.
void FunctionsService::deliver(const std::string& name, const TriggerNames& names, const pubsub::Delivery& d,
                               std::function<void(bool ack)> done) {
  const FunctionConfig& fn = stack_functions(ctx_.stack).at(name);
  bool retry = fn.trigger.retry;
  core::StatusOr<CloudEvent> event = fn.trigger.kind == Kind::kPubsub
                                         ? core::StatusOr<CloudEvent>(pubsub_event(names.topic, names.subscription, d))
                                         : storage_event(*d.message);
  if (!event.ok()) {
    ctx_.env.events.record("function.error", name,
                           {{"message_id", d.message->id()}, {"message", event.status().message()}});
    return done(true);
  }
  net::OutboundRequest req;
  req.method = "POST";
  req.url = "/";
  for (auto& h : binary_headers(*event)) req.headers.push_back(std::move(h));
  if (auto url = run_->url(name); url && iam_) req.headers.emplace_back("Authorization", "Bearer " + iam_->id_token(*url));
  req.body = event->data;
  req.timeout = fn.service.timeout;
  std::weak_ptr<bool> alive = alive_;
  run_->request(name, std::move(req),
                [this, alive, name, retry, ev = *event, attempt = d.delivery_attempt,
                 done = std::move(done)](net::OutboundResponse r) {
                  auto live = alive.lock();
                  if (!live || !*live) return;
                  bool ok = pubsub::push_acknowledged(r.status);
                  core::Attrs attrs{{"event_id", ev.id}, {"type", ev.type}, {"source", ev.source},
                                    {"status", int64_t{r.status}},
                                    {"outcome", ok ? "succeeded" : retry ? "retry" : "dropped"}};
                  if (!ev.subject.empty()) attrs["subject"] = ev.subject;
                  if (attempt > 0) attrs["attempt"] = int64_t{attempt};
                  ctx_.env.events.record("function.invoked", name, std::move(attrs));
                  done(ok || !retry);
                });
}

std::unique_ptr<Service> create(Context& ctx) { return std::make_unique<FunctionsService>(ctx); }

}  // namespace gcpsim::services::functions
