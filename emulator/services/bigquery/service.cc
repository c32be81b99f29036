// BigQuery's row in the services table.
#include "services/bigquery/service.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "services/bigquery/pubsub_sink.h"
#include "services/pubsub/service.h"
#include "services/storage/service.h"

namespace gcpsim::services::bigquery {

BigQueryService::BigQueryService(Context& ctx) : env_(ctx.env), registry_(ctx.registry) {
  auto opened = Warehouse::open(env_);
  if (!opened.ok()) throw std::runtime_error("bigquery: " + opened.status().to_string());
  warehouse_ = std::move(opened).value();
  warehouse_->set_post(ctx.runtime.post);
  api_ = std::make_unique<Api>(*warehouse_);
  add_routes(*api_, ctx.router);
  if (const auto* config = ctx.stack.section<BigQueryConfig>("bigquery")) {
    seed(*config);
    scheduled_ = config->scheduled;
  }
}

BigQueryService::~BigQueryService() { stop(); }

// Declared datasets and tables are created with their seed rows, unless a data directory
// already holds them.
void BigQueryService::seed(const BigQueryConfig& config) {
  for (const auto& [name, d] : config.datasets) {
    core::Status st = warehouse_->dataset_exists(env_.project, name) ? core::Status::ok()
                                                                     : warehouse_->insert_dataset(env_.project, d.resource).status();
    for (const auto& [tname, t] : d.tables) {
      if (!st.is_ok()) break;
      TableRef ref{env_.project, name, tname};
      if (warehouse_->table(ref)) continue;
      Json body = t.resource;
      body["tableReference"] = {{"projectId", env_.project}, {"datasetId", name}, {"tableId", tname}};
      if (t.expiration_ms) body["expirationTime"] = std::to_string(core::to_millis(env_.clock.now()) + *t.expiration_ms);
      st = warehouse_->insert_table(env_.project, name, body).status();
      if (st.is_ok() && !t.rows.empty()) {
        std::vector<InsertRow> rows;
        for (const auto& r : t.rows) rows.push_back({"", r});
        auto errs = warehouse_->insert_all(ref, rows, {});
        if (!errs.ok()) st = errs.status();
        else if (!errs->empty()) st = core::Status::invalid_argument("seed rows of " + tname + ": " + errs->dump());
      }
    }
    if (!st.is_ok())
      env_.events.record("bigquery.error", "bigquery", {{"dataset", name}, {"message", "seeding from the stack file: " + st.message()}});
  }
}

void BigQueryService::start() {
  // Pub/Sub's BigQuery subscriptions write here.
  if (auto* pubsub = registry_.get<pubsub::PubsubService>("pubsub")) attach_pubsub_sink(*warehouse_, *pubsub);
  if (auto* gcs = registry_.get<storage::StorageService>("storage")) {
    storage::Storage* st = &gcs->storage();
    ObjectIo io;
    io.read = [st](const std::string& bucket, const std::string& name) -> core::StatusOr<std::string> {
      ASSIGN_OR_RETURN(auto o, st->get_object({bucket, name, std::nullopt}));
      std::ifstream in(st->bodies().path(o.generation), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      return ss.str();
    };
    io.list = [st](const std::string& bucket, const std::string& prefix) -> core::StatusOr<std::vector<std::string>> {
      storage::ListQuery q;
      q.prefix = prefix;
      std::vector<std::string> names;
      do {
        ASSIGN_OR_RETURN(auto page, st->list_objects(bucket, q));
        for (const auto& o : page.items) names.push_back(o.name);
        q.page_token = page.next_page_token;
      } while (!q.page_token.empty());
      return names;
    };
    io.write = [st](const std::string& bucket, const std::string& name, const std::string& data, const std::string& type) {
      storage::ObjectWrite w;
      w.bucket = bucket;
      w.name = name;
      w.meta.content_type = type;
      storage::BodySource body;
      body.bytes = data;
      return st->insert_object(w, body).status();
    };
    warehouse_->set_objects(std::move(io));
  }
  timers_.assign(scheduled_.size(), std::nullopt);
  for (size_t i = 0; i < scheduled_.size(); ++i) schedule(i);
}

size_t BigQueryService::background_work() const { return warehouse_->queries_running(); }

void BigQueryService::stop() {
  warehouse_->shutdown();
  for (auto& t : timers_)
    if (t) env_.clock.cancel(*t);
  timers_.clear();
}

void BigQueryService::schedule(size_t i) {
  const auto& q = scheduled_[i];
  core::Time now = env_.clock.now();
  core::Time next;
  if (q.daily_minute) {
    auto day = std::chrono::floor<std::chrono::days>(now);
    next = day + std::chrono::minutes(*q.daily_minute);
    if (next <= now) next += std::chrono::days(1);
  } else {
    next = now + q.period;
  }
  timers_[i] = env_.clock.schedule(next, [this, i] {
    run_scheduled(i);
    schedule(i);
  });
}

// A run is a query job like any other (its id from the seed), recorded as an event.
void BigQueryService::run_scheduled(size_t i) {
  const auto& q = scheduled_[i];
  Json config = {{"query", q.query}, {"useLegacySql", false}};
  if (q.destination) {
    auto dot = q.destination->find('.');
    config["destinationTable"] = {{"projectId", env_.project}, {"datasetId", q.destination->substr(0, dot)},
                                  {"tableId", q.destination->substr(dot + 1)}};
    config["writeDisposition"] = q.write_disposition;
    config["createDisposition"] = "CREATE_IF_NEEDED";
  }
  auto job = warehouse_->run_query(env_.project, config);
  core::Attrs attrs{{"name", q.name}};
  if (!job.ok()) attrs["error"] = job.status().to_string();
  else {
    attrs["job"] = (*job)["jobReference"].value("jobId", "");
    if ((*job)["status"].contains("errorResult")) attrs["error"] = (*job)["status"]["errorResult"].value("message", "");
  }
  env_.events.record("bigquery.scheduled_query", "bigquery", std::move(attrs));
}

std::unique_ptr<Service> create(Context& ctx) { return std::make_unique<BigQueryService>(ctx); }

}  // namespace gcpsim::services::bigquery
