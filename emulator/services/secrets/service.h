// The Secret Manager service as the emulator hosts it: owns the SecretStore, registers the
// RPCs, seeds the stack file's secrets and sends notifications on to Pub/Sub.
#pragma once
#include <memory>
#include <string>

#include "core/status.h"
#include "services/secrets/config.h"
#include "services/secrets/domain.h"
#include "services/secrets/notify.h"
#include "services/service.h"

namespace gcpsim::services::pubsub { class PubsubService; }

namespace gcpsim::services::secrets {

class SecretsService : public Service {
 public:
  // Throws std::runtime_error when the store cannot be migrated (a broken data directory).
  // With a registry, start() sends notifications to the Pub/Sub service found there.
  SecretsService(core::Env& env, const core::StackConfig& stack, net::MethodTable& methods,
                 Registry* registry = nullptr);
  void start() override;

  SecretStore& store() { return *store_; }

  // For in-process consumers (Run's secret_env, Postgres' password_secret): the payload of
  // a version ("latest", a number or an alias) of a secret in the emulator's project.
  core::StatusOr<std::string> access(const std::string& secret_id, const std::string& version);

 private:
  void seed(const core::StackConfig& stack);
  void send(const Notification& n);
  std::string pubsub_topic(const std::string& topic) const;

  core::Env& env_;
  Registry* registry_;
  pubsub::PubsubService* pubsub_ = nullptr;
  std::unique_ptr<SecretStore> store_;
};

std::unique_ptr<Service> create(Context& ctx);

}  // namespace gcpsim::services::secrets
