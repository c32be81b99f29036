// Cloud Storage's row in the services table.
#include "services/storage/service.h"

#include <stdexcept>

#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "services/iam/service.h"
#include "services/pubsub/service.h"
#include "services/storage/limits.h"
#include "services/storage/notify.h"

namespace gcpsim::services::storage {
StorageService::StorageService(Context& ctx) : env_(ctx.env), router_(ctx.router), registry_(ctx.registry) {
  auto opened = Storage::open(env_);
  if (!opened.ok()) throw std::runtime_error("storage: " + opened.status().to_string());
  storage_ = std::move(opened).value();
  uploads_ = std::make_unique<Uploads>(*storage_);
  api_ = std::make_unique<Api>(env_, *storage_, *uploads_);
  storage_->set_listener([this](const ObjectEvent& e) { notify(e); });
  add_routes(*api_, router_);
  seed(ctx.stack);
}

StorageService::~StorageService() { stop(); }

// Declared buckets are created with their settings and notifications, unless a data
// directory already holds them.
void StorageService::seed(const core::StackConfig& stack) {
  for (const auto& [name, config] : stack_storage(stack).buckets) {
    if (storage_->get_bucket(name).ok()) continue;
    BucketSpec spec;
    spec.location = config.location;
    spec.versioning = config.versioning;
    spec.lifecycle = config.lifecycle;
    spec.cors = config.cors;
    spec.public_access_prevention = config.public_access_prevention;
    core::Status st = storage_->create_bucket(name, spec).status();
    for (const auto& n : config.notifications) {
      if (!st.is_ok()) break;
      NotificationConfig c;
      c.topic = "projects/" + env_.project + "/topics/" + n.topic;
      c.event_types = n.events;
      c.object_name_prefix = n.prefix;
      st = storage_->add_notification(name, c).status();
    }
    if (!st.is_ok())
      env_.events.record("storage.error", "storage",
                         {{"bucket", name}, {"message", "seeding from the stack file: " + st.message()}});
  }
}

void StorageService::start() {
  pubsub_ = registry_.get<pubsub::PubsubService>("pubsub");
  if (auto* iam = registry_.get<iam::IamService>("iam")) {
    const iam::Issuer* issuer = &iam->issuer();
    api_->set_signature_check(
        [issuer](const std::string& data, const std::string& sig) { return issuer->verify_bytes(data, sig); });
  }
  if (pubsub_) {
    api_->set_topic_check([this](const std::string& topic) {
      auto t = pubsub_->domain().get_topic(topic);
      return t.ok() ? core::Status::ok() : t.status();
    });
  }
  add_path_style(*api_, router_);
  schedule_sweep();
}

void StorageService::stop() {
  if (sweep_) env_.clock.cancel(*sweep_);
  sweep_.reset();
}

void StorageService::schedule_sweep() {
  sweep_ = env_.clock.schedule_in(limits::kLifecycleSweepPeriod, [this] {
    size_t changed = storage_->apply_lifecycle();
    if (changed) env_.events.record("storage.lifecycle", "storage", {{"changed", int64_t(changed)}});
    schedule_sweep();
  });
}

// Every message is recorded as an event (attributes only) so scenarios can wait for it.
void StorageService::notify(const ObjectEvent& e) {
  auto configs = storage_->list_notifications(e.object.bucket);
  if (!configs.ok() || configs->empty()) return;
  for (auto& m : notification_messages(*configs, e, env_.clock.now(), env_.project_number)) {
    core::Attrs attrs{{"topic", m.topic}};
    for (const auto& [k, v] : m.attributes)
      if (k != "eventTime") attrs[k] = v;
    core::Status st = core::Status::unavailable("Pub/Sub is not running");
    if (pubsub_) st = pubsub_->publish(m.topic, pubsub::MessageSpec{m.data, m.attributes, ""}).status();
    if (!st.is_ok()) attrs["error"] = st.to_string();
    env_.events.record("storage.notification", "storage", std::move(attrs));
  }
}

std::unique_ptr<Service> create(Context& ctx) { return std::make_unique<StorageService>(ctx); }

}  // namespace gcpsim::services::storage
