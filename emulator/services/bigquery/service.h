// BigQuery as the emulator hosts it: owns the warehouse, registers the route table, creates
// the stack file's datasets and tables with their seed rows, reads and writes gs:// objects
// through gcpsim's Storage, and runs scheduled queries on the clock.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "services/bigquery/api.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/section.h"
#include "services/service.h"

namespace gcpsim::services::bigquery {

class BigQueryService : public Service {
 public:
  // Throws std::runtime_error when the store cannot be opened.
  explicit BigQueryService(Context& ctx);
  ~BigQueryService() override;
  void start() override;
  void stop() override;
  size_t background_work() const override;  // queries on the worker threads

  Warehouse& warehouse() { return *warehouse_; }

 private:
  void seed(const BigQueryConfig& config);
  void schedule(size_t index);
  void run_scheduled(size_t index);

  core::Env& env_;
  Registry& registry_;
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<Api> api_;
  std::vector<ScheduledQuery> scheduled_;
  std::vector<std::optional<core::Clock::TimerId>> timers_;
};

std::unique_ptr<Service> create(Context& ctx);

// For Pub/Sub's BigQuery subscriptions (pubsub_sink.cc): a table named as
// "project.dataset.table" or "project:dataset.table"; nullopt when malformed.
std::optional<TableRef> parse_table_name(const std::string& name);
}  // namespace gcpsim::services::bigquery
