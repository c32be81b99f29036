// The Cloud Storage service as the emulator hosts it: owns the domain and upload sessions,
// registers the route table, creates the stack file's buckets, publishes notifications to
// Pub/Sub, verifies signed URLs with the IAM issuer's key and sweeps lifecycle rules daily.
#pragma once
#include <memory>
#include <optional>

#include "core/clock.h"
#include "services/service.h"
#include "services/storage/api.h"
#include "services/storage/config.h"
#include "services/storage/domain.h"
#include "services/storage/uploads.h"

namespace gcpsim::services::pubsub { class PubsubService; }

namespace gcpsim::services::storage {

class StorageService : public Service {
 public:
  // Throws std::runtime_error when the store cannot be opened (a broken data directory).
  explicit StorageService(Context& ctx);
  ~StorageService() override;
  void start() override;
  void stop() override;

  Storage& storage() { return *storage_; }
  Uploads& uploads() { return *uploads_; }

 private:
  void seed(const core::StackConfig& stack);
  void notify(const ObjectEvent& e);
  void schedule_sweep();

  core::Env& env_;
  net::Router& router_;
  Registry& registry_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Uploads> uploads_;
  std::unique_ptr<Api> api_;
  pubsub::PubsubService* pubsub_ = nullptr;
  std::optional<core::Clock::TimerId> sweep_;
};

std::unique_ptr<Service> create(Context& ctx);

}  // namespace gcpsim::services::storage
