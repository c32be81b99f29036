// BigQuery subscriptions: Pub/Sub writes each message of a subscription with a bigquery_config
// as a row here, the way the real service maps messages to columns. Without a schema option
// the row is `data` (plus metadata columns with write_metadata); with use_table_schema (or
// use_topic_schema, for JSON-encoded messages) the message's JSON fields become the columns.
#include "services/bigquery/pubsub_sink.h"

#include "core/time.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/service.h"
#include "services/bigquery/values.h"
#include "services/pubsub/service.h"

namespace gcpsim::services::bigquery {

// "project.dataset.table" or "project:dataset.table".
std::optional<TableRef> parse_table_name(const std::string& s) {
  auto first = s.find_first_of(".:");
  if (first == std::string::npos) return std::nullopt;
  auto second = s.find('.', first + 1);
  if (second == std::string::npos || s.find('.', second + 1) != std::string::npos) return std::nullopt;
  TableRef t{s.substr(0, first), s.substr(first + 1, second - first - 1), s.substr(second + 1)};
  if (t.project.empty() || t.dataset.empty() || t.table.empty()) return std::nullopt;
  return t;
}

namespace {

namespace ps = services::pubsub;

const Field* column(const TableInfo& t, const std::string& name) {
  for (const auto& f : t.schema)
    if (f.name == name) return &f;
  return nullptr;
}

core::Status check(const Warehouse& w, const ps::BigQueryConfig& c) {
  auto ref = parse_table_name(c.table);
  if (!ref) return core::Status::invalid_argument("Invalid BigQuery table: " + c.table + " (expected PROJECT.DATASET.TABLE).");
  auto info = w.table(*ref);
  if (!info) return core::Status::failed_precondition("The BigQuery table " + c.table + " does not exist.");
  bool schema_fields = c.use_table_schema || c.use_topic_schema;
  const Field* data = column(*info, "data");
  if (!schema_fields && (!data || (data->kind != Kind::kString && data->kind != Kind::kBytes && data->kind != Kind::kJson)))
    return core::Status::failed_precondition("The BigQuery table " + c.table +
                                             " needs a 'data' column of type STRING, BYTES or JSON.");
  if (c.write_metadata) {
    for (const char* name : {"subscription_name", "message_id", "publish_time", "attributes"}) {
      if (!column(*info, name))
        return core::Status::failed_precondition("The BigQuery table " + c.table + " has no '" + name +
                                                 "' column, which write_metadata writes.");
    }
  }
  return core::Status::ok();
}

core::Status write(Warehouse& w, const ps::BigQueryConfig& c, const std::string& subscription, const ps::Message& m) {
  auto ref = parse_table_name(c.table);
  auto info = ref ? w.table(*ref) : std::nullopt;
  if (!info) return core::Status::not_found("The BigQuery table " + c.table + " does not exist.");
  Json row = Json::object();
  std::string data(m.data());
  if (c.use_table_schema || c.use_topic_schema) {
    Json fields = Json::parse(data, nullptr, false);
    if (!fields.is_object()) return core::Status::invalid_argument("The message data is not a JSON object.");
    for (auto& [k, v] : fields.items()) {
      if (column(*info, k)) row[k] = v;
      else if (!c.drop_unknown_fields) return core::Status::invalid_argument("The message has a field '" + k + "' the table does not.");
    }
  } else {
    const Field* col = column(*info, "data");
    row["data"] = col && col->kind == Kind::kBytes ? base64_encode(data) : data;
  }
  if (c.write_metadata) {
    Json attrs = Json::object();
    for (const auto& a : m.attributes()) attrs[std::string(a.key)] = std::string(a.value);
    row["subscription_name"] = subscription;
    row["message_id"] = m.id();
    row["publish_time"] = core::format_rfc3339(m.publish_time());
    row["attributes"] = attrs.dump();
  }
  // The row's insert id is the message id: a redelivered message is not written twice.
  auto res = w.insert_all(*ref, {InsertRow{m.id(), row}}, InsertOptions{false, c.drop_unknown_fields});
  if (!res.ok()) return res.status();
  if (res->is_object() && res->contains("insertErrors") && !(*res)["insertErrors"].empty())
    return core::Status::invalid_argument("BigQuery refused the row: " + (*res)["insertErrors"].dump());
  return core::Status::ok();
}

}  // namespace

void attach_pubsub_sink(Warehouse& warehouse, ps::PubsubService& pubsub) {
  ps::BigQuerySink sink;
  sink.check = [&warehouse](const ps::BigQueryConfig& c, const std::string&) { return check(warehouse, c); };
  sink.write = [&warehouse](const ps::BigQueryConfig& c, const std::string& subscription, const ps::Message& m) {
    return write(warehouse, c, subscription, m);
  };
  pubsub.set_bigquery_sink(std::move(sink));
}

}  // namespace gcpsim::services::bigquery
