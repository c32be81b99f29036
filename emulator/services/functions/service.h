// Cloud Functions (2nd gen) triggers as the emulator hosts them. Each function is already a
// Run service (services/run); this service adds what Eventarc adds in front of it: for a
// Pub/Sub trigger, a subscription on the topic; for a Cloud Storage trigger, a transport
// topic fed by a notification config on the bucket and a subscription on it. Every delivery
// becomes a CloudEvent POSTed to the function through the Run router; the answer acks
// (2xx) or, with retry, nacks the message so Pub/Sub redelivers it with Eventarc's backoff
// (10s doubling to 600s) and dead-letters it after max_attempts.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "services/functions/config.h"
#include "services/service.h"

namespace gcpsim::services::pubsub { class PubsubService; struct Delivery; }

namespace gcpsim::services::run { class RunService; }
namespace gcpsim::services::iam { class IamService; }
namespace gcpsim::services::storage { class StorageService; }

namespace gcpsim::services::functions {

// The Eventarc resources behind one function's event trigger.
struct TriggerNames {
  std::string trigger;       // "enrich-123456"
  std::string topic;         // projects/p/topics/…: the user's topic, or the transport topic
  std::string subscription;  // projects/p/subscriptions/eventarc-REGION-TRIGGER-sub-NNN
};

// Names as Eventarc forms them, stable for a project, region and function.
TriggerNames trigger_names(const std::string& project, const std::string& region, const std::string& function,
                           const FunctionTrigger& trigger);

class FunctionsService final : public Service {
 public:
  explicit FunctionsService(Context& ctx);
  ~FunctionsService() override;
  void start() override;
  void stop() override;

 private:
  core::Status wire(const std::string& name, const FunctionConfig& fn);
  void deliver(const std::string& name, const TriggerNames& names, const pubsub::Delivery& d,
               std::function<void(bool ack)> done);

  Context ctx_;
  pubsub::PubsubService* pubsub_ = nullptr;
  run::RunService* run_ = nullptr;
  iam::IamService* iam_ = nullptr;
  storage::StorageService* storage_ = nullptr;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // outlives this for late answers
};

std::unique_ptr<Service> create(Context& ctx);

}  // namespace gcpsim::services::functions
