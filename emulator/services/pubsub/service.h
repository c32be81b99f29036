// The Pub/Sub service as the emulator hosts it: owns the domain, registers Publisher,
// Subscriber and SchemaService, seeds the stack's topics and subscriptions, runs push
// delivery, and offers in-process publishing to the other services.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "services/pubsub/config.h"
#include "services/pubsub/domain.h"
#include "services/service.h"

namespace gcpsim::services::pubsub {

class Push;
class Schemas;
class StreamingPull;

// Mints an OIDC ID token for push requests: (audience, service account email) → JWT.
using TokenMinter = std::function<core::StatusOr<std::string>(const std::string& audience,
                                                              const std::string& service_account_email)>;

// Where BigQuery subscriptions write (set by the BigQuery service): `check` refuses a config
// whose table is missing or cannot take the rows; `write` inserts one message as a row.
struct BigQuerySink {
  std::function<core::Status(const BigQueryConfig& config, const std::string& topic)> check;
  std::function<core::Status(const BigQueryConfig& config, const std::string& subscription, const Message& m)> write;
};

class PubsubService : public services::Service {
 public:
  explicit PubsubService(services::Context& ctx);
  ~PubsubService() override;
  void start() override;
  void stop() override;

  core::Env& env() { return env_; }
  Domain& domain() { return domain_; }
  Schemas& schemas() { return *schemas_; }
  Push& push() { return *push_; }

  // In-process publishing (Storage notifications, Secret Manager events): `topic` is an id
  // in the emulator's project or a full name. Returns the message id.
  core::StatusOr<std::string> publish(const std::string& topic, const MessageSpec& m);
  // Subscriptions created from C++ (function triggers) pass the API's validation.
  core::StatusOr<Subscription> create_subscription(const std::string& name, SubscriptionConfig config);
  // In-process push: `handler` gets each delivery and calls done(true) to ack or done(false)
  // to nack (redelivered with the subscription's backoff).
  using Handler = std::function<void(const Delivery&, std::function<void(bool ack)> done)>;
  core::Status add_handler(const std::string& subscription, Handler handler);
  // Set by whoever owns the ID-token issuer; push with oidc_token fails without it.
  void set_token_minter(TokenMinter minter);
  // Set by the BigQuery service once its stack datasets and tables exist; BigQuery
  // subscriptions are refused without it. The stack file's BigQuery subscriptions, which
  // wait for it (BigQuery starts after Pub/Sub), are created then.
  void set_bigquery_sink(BigQuerySink sink);
  const BigQuerySink& bigquery_sink() const { return bigquery_sink_; }
  // Checks a BigQuery subscription's table against the sink (create and update).
  core::Status check_bigquery(const SubscriptionConfig& config) const;
  // Called after a subscription was created, updated or deleted: starts or stops pushing.
  void subscription_changed(const std::string& subscription);
  // Expires when this service is destroyed: callbacks a transport may run late (a call's
  // undelivered response) check it before touching the service.
  std::weak_ptr<const bool> liveness() const { return alive_; }

 private:
  void seed(const core::StackConfig& stack);
  void seed_subscription(const std::string& id, SubscriptionConfig c);
  std::string full_topic(const std::string& topic) const;

  core::Env& env_;
  Domain domain_;
  std::unique_ptr<Schemas> schemas_;
  std::unique_ptr<Push> push_;
  std::unique_ptr<StreamingPull> streaming_;
  const core::StackConfig& stack_;
  services::Registry& registry_;
  BigQuerySink bigquery_sink_;
  std::vector<std::pair<std::string, SubscriptionConfig>> waiting_for_bigquery_;  // stack ids
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
};

std::unique_ptr<services::Service> create(services::Context& ctx);
// The console's read-only routes under /_gcpsim/pubsub (control.cc).
void add_control_routes(net::Router& router, PubsubService& svc);

// Push delivery's wire format (push.cc), shared with Eventarc's Pub/Sub CloudEvents.
// Whether a push endpoint's HTTP status acknowledges the message (102, 200, 201, 202, 204).
bool push_acknowledged(int status);
// The wrapped push body {"message":{…},"subscription":"…","deliveryAttempt":N}, as push
// endpoints and Eventarc's Pub/Sub CloudEvents carry it.
std::string wrapped_push_body(const std::string& subscription, const Delivery& d);

}  // namespace gcpsim::services::pubsub
