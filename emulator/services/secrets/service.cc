// Secret Manager's row in the services table.
#include "services/secrets/service.h"

#include <stdexcept>

#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "services/pubsub/service.h"
#include "services/secrets/handlers.h"

namespace gcpsim::services::secrets {

SecretsService::SecretsService(core::Env& env, const core::StackConfig& stack,
                               net::MethodTable& methods, Registry* registry)
    : env_(env), registry_(registry) {
  auto opened = SecretStore::open(env);
  if (!opened.ok()) throw std::runtime_error("secrets: " + opened.status().to_string());
  store_ = std::move(opened).value();
  store_->set_notifier([this](const Notification& n) { send(n); });
  register_methods(methods, *store_);
  seed(stack);
}

// Each declared secret gets version 1 with its value, unless a data directory already holds it.
void SecretsService::seed(const core::StackConfig& stack) {
  for (const auto& [id, config] : stack_secrets(stack)) {
    SecretName name{env_.project, "", id};
    if (store_->get(name).ok()) continue;
    SecretFields fields;
    fields.replication.kind = Replication::Kind::kAutomatic;
    auto created = store_->create(name.parent(), id, fields);
    core::Status st = created.status();
    if (st.is_ok()) st = store_->add_version(name, config.value, std::nullopt).status();
    if (!st.is_ok()) {
      env_.events.record("secrets.error", "secrets",
                         {{"secret", id}, {"message", "seeding from the stack file: " + st.message()}});
    }
  }
}

// Topics are checked when configured and receive every notification from then on.
void SecretsService::start() {
  pubsub_ = registry_ ? registry_->get<pubsub::PubsubService>("pubsub") : nullptr;
  if (!pubsub_) return;
  store_->set_topic_check([this](const std::string& topic) {
    if (pubsub_->domain().get_topic(pubsub_topic(topic)).ok()) return core::Status::ok();
    return core::Status::not_found("Pub/Sub topic [" + topic + "] not found.");
  });
}

// Pub/Sub keys topics by project id; a secret may name its topic by project number.
std::string SecretsService::pubsub_topic(const std::string& topic) const {
  std::string by_number = "projects/" + env_.project_number + "/";
  if (topic.rfind(by_number, 0) != 0) return topic;
  return "projects/" + env_.project + "/" + topic.substr(by_number.size());
}

core::StatusOr<std::string> SecretsService::access(const std::string& secret_id,
                                                   const std::string& version) {
  ASSIGN_OR_RETURN(auto a, store_->access(VersionName{{env_.project, "", secret_id}, version}));
  return std::move(a.data);
}

// Every message is also recorded as an event (attributes only) so scenarios can wait for it.
void SecretsService::send(const Notification& n) {
  for (auto& m : topic_messages(n)) {
    core::Attrs attrs{{"topic", m.topic}};
    for (const auto& [k, v] : m.attributes) {
      if (k != "timestamp") attrs[k] = v;
    }
    env_.events.record("secrets.notification", "secrets", attrs);
    if (!pubsub_) continue;
    pubsub::MessageSpec message;
    message.data = std::move(m.data);
    message.attributes = std::move(m.attributes);
    auto published = pubsub_->publish(pubsub_topic(m.topic), std::move(message));
    if (!published.ok()) {
      attrs["message"] = published.status().to_string();
      env_.events.record("secrets.error", "secrets", std::move(attrs));
    }
  }
}

std::unique_ptr<Service> create(Context& ctx) {
  return std::make_unique<SecretsService>(ctx.env, ctx.stack, ctx.methods, &ctx.registry);
}

}  // namespace gcpsim::services::secrets
