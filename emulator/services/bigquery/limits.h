// BigQuery limits and fixed values, in one place (the real service's documented numbers).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/time.h"

namespace gcpsim::services::bigquery::limits {

using namespace std::chrono_literals;

constexpr size_t kMaxIdBytes = 1024;             // dataset and table ids
constexpr size_t kMaxColumns = 10000;
constexpr size_t kMaxNestingDepth = 15;          // RECORD levels
constexpr size_t kMaxInsertAllRows = 50000;      // rows per insertAll request (recommended 500)
constexpr uint64_t kMaxInsertAllBytes = 10ull * 1024 * 1024;
constexpr size_t kDefaultListResults = 50;       // datasets, tables, jobs
constexpr size_t kMaxListResults = 1000;
constexpr size_t kDefaultRowsPerPage = 100000;   // tabledata.list and query results without maxResults
constexpr uint64_t kMaxResponseBytes = 10ull * 1024 * 1024;  // a page of rows stops here
// insertId de-duplication is best effort over at least a minute.
constexpr core::Duration kInsertIdWindow = 60s;
constexpr size_t kMaxQueryBytes = 1024 * 1024;   // query text
constexpr size_t kMaxParameters = 10000;
// How long jobs.query and getQueryResults wait for a job (timeoutMs, a uint32 field).
constexpr int64_t kDefaultQueryTimeoutMs = 10000;
constexpr int64_t kMaxQueryTimeoutMs = 4294967295;

}  // namespace gcpsim::services::bigquery::limits
