// Pub/Sub's row in the services table: builds the domain, registers its RPCs, seeds the
// stack file's topics and subscriptions, and starts push delivery.
#include "services/pubsub/service.h"

#include <stdexcept>

#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "core/store.h"
#include "services/iam/service.h"
#include "services/pubsub/handlers.h"
#include "services/pubsub/push.h"
#include "services/pubsub/schemas.h"
#include "services/pubsub/streaming_pull.h"
#include "services/run/service.h"

namespace gcpsim::services::pubsub {

PubsubService::PubsubService(services::Context& ctx)
    : env_(ctx.env),
      domain_(ctx.env.clock, ctx.env.ids, ctx.env.events),
      schemas_(std::make_unique<Schemas>(ctx.env.clock, ctx.env.ids)),
      push_(std::make_unique<Push>(*this, ctx.http)),
      stack_(ctx.stack),
      registry_(ctx.registry) {
  domain_.set_schema_check([this](const SchemaSettings& s, std::string_view data) { return schemas_->check_message(s, data); });
  // With a data directory everything acknowledged is written there and comes back here.
  if (!ctx.env.store.in_memory()) {
    core::Status st = domain_.persist_to(ctx.env.store);
    if (st.is_ok()) st = schemas_->persist_to(*domain_.persistence());
    if (!st.is_ok()) throw std::runtime_error("pubsub: " + st.to_string());
  }
  register_publisher(ctx.methods, *this);
  register_subscriber(ctx.methods, *this);
  register_schema_service(ctx.methods, *this);
  streaming_ = std::make_unique<StreamingPull>(ctx.methods, *this);
  add_control_routes(ctx.router, *this);
}

PubsubService::~PubsubService() { stop(); }

// Push subscriptions with an oidc_token get ID tokens from gcpsim's issuer (as Cloud Tasks
// does), verifiable against its published keys.
void PubsubService::start() {
  if (auto* iam = registry_.get<services::iam::IamService>("iam")) {
    set_token_minter([iam](const std::string& audience, const std::string& email) -> core::StatusOr<std::string> {
      return iam->id_token(audience, email);
    });
  }
  seed(stack_);
  // Push subscriptions loaded from the data directory push again.
  for (const auto& name : domain_.subscription_names()) subscription_changed(name);
}

void PubsubService::stop() {
  if (streaming_) streaming_->close_all();
  if (push_) push_->stop_all();
}

std::string PubsubService::full_topic(const std::string& topic) const {
  if (topic.find('/') != std::string::npos) return topic;
  return "projects/" + env_.project + "/topics/" + topic;
}

core::StatusOr<std::string> PubsubService::publish(const std::string& topic, const MessageSpec& m) {
  ASSIGN_OR_RETURN(auto ids, domain_.publish(full_topic(topic), std::vector<MessageView>{m.view()}));
  return ids.at(0);
}

core::Status PubsubService::check_bigquery(const SubscriptionConfig& config) const {
  if (!config.bigquery) return core::Status::ok();
  if (!bigquery_sink_.check) return core::Status::failed_precondition("BigQuery is not running in this gcpsim.");
  return bigquery_sink_.check(*config.bigquery, config.topic);
}

core::StatusOr<Subscription> PubsubService::create_subscription(const std::string& name, SubscriptionConfig config) {
  RETURN_IF_ERROR(check_bigquery(config));
  ASSIGN_OR_RETURN(auto sub, domain_.create_subscription(name, std::move(config)));
  subscription_changed(name);
  return sub;
}

core::Status PubsubService::add_handler(const std::string& subscription, Handler handler) {
  return push_->add_handler(subscription, std::move(handler));
}

void PubsubService::set_token_minter(TokenMinter minter) { push_->set_token_minter(std::move(minter)); }

void PubsubService::subscription_changed(const std::string& subscription) { push_->refresh(subscription); }

// The stack file's topics, then its subscriptions; a push to a service goes to the service's
// stable local port.
void PubsubService::seed(const core::StackConfig& stack) {
  auto report = [this](const std::string& what, const core::Status& st) {
    if (st.is_ok() || st.code() == core::Code::kAlreadyExists) return;
    env_.events.record("pubsub.error", "pubsub", {{"resource", what}, {"message", "seeding from the stack file: " + st.message()}});
  };
  for (auto& [id, t] : stack_topics(stack)) report(id, domain_.create_topic(full_topic(id), std::move(t)).status());
  for (const auto& [id, s] : stack_pubsub(stack).subscriptions) {
    SubscriptionConfig c = s.config;
    c.topic = full_topic(c.topic);
    if (c.dead_letter) c.dead_letter->topic = full_topic(c.dead_letter->topic);
    if (s.push) {
      PushConfig p;
      p.endpoint = s.push->url;
      if (p.endpoint.empty()) {
        std::optional<int> port = run::service_port(stack, s.push->service);
        if (!port) {
          report(id, core::Status::invalid_argument("push service " + s.push->service + " has no stable port"));
          continue;
        }
        p.endpoint = "http://127.0.0.1:" + std::to_string(*port) + s.push->path;
      }
      if (s.push->oidc) {
        p.oidc = PushConfig::Oidc{env_.project_number + "-compute@developer.gserviceaccount.com", p.endpoint};
      }
      c.push = std::move(p);
    }
    if (c.bigquery && !bigquery_sink_.check) waiting_for_bigquery_.emplace_back(id, std::move(c));
    else seed_subscription(id, std::move(c));
  }
}

void PubsubService::seed_subscription(const std::string& id, SubscriptionConfig c) {
  core::Status st = create_subscription("projects/" + env_.project + "/subscriptions/" + id, std::move(c)).status();
  if (st.is_ok() || st.code() == core::Code::kAlreadyExists) return;
  env_.events.record("pubsub.error", "pubsub", {{"resource", id}, {"message", "seeding from the stack file: " + st.message()}});
}

void PubsubService::set_bigquery_sink(BigQuerySink sink) {
  bigquery_sink_ = std::move(sink);
  auto waiting = std::move(waiting_for_bigquery_);
  waiting_for_bigquery_.clear();
  for (auto& [id, c] : waiting) seed_subscription(id, std::move(c));
}

std::unique_ptr<services::Service> create(services::Context& ctx) {
  return std::make_unique<PubsubService>(ctx);
}

}  // namespace gcpsim::services::pubsub
