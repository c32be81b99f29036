// The stack file's `bigquery` section: datasets with their tables (schemas, partitioning,
// clustering, views, seed rows) and scheduled queries on the virtual clock.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/stack_section.h"
#include "core/time.h"
#include "services/bigquery/schema.h"

namespace gcpsim::core { struct StackConfig; }

namespace gcpsim::services::bigquery {

struct TableConfig {
  Json resource;             // tables.insert's body (schema, timePartitioning, clustering, view)
  std::vector<Json> rows;    // seed rows, as insertAll's json
  std::optional<int64_t> expiration_ms;  // the table expires this long after it is created
};

struct DatasetConfig {
  Json resource;             // datasets.insert's body (labels, description, defaultTableExpirationMs)
  std::vector<std::pair<std::string, TableConfig>> tables;
};

struct ScheduledQuery {
  std::string name;
  std::string query;
  std::optional<std::string> destination;  // "dataset.table"
  std::string write_disposition = "WRITE_APPEND";
  // Either at a time of day every day, or every `period`.
  std::optional<int> daily_minute;          // minutes after midnight UTC
  core::Duration period{};
};

struct BigQueryConfig {
  std::vector<std::pair<std::string, DatasetConfig>> datasets;
  std::vector<ScheduledQuery> scheduled;
};

core::StackSection stack_section();
// Whether the stack file declares `dataset`.`table` under bigquery.datasets: other sections'
// references (a Pub/Sub BigQuery subscription's table) check it once the file is read.
bool declares_table(const core::StackConfig& stack, const std::string& dataset, const std::string& table);

}  // namespace gcpsim::services::bigquery
