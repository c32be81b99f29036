// Datasets: their rows, REST resources, labels, default table expiration; the store's
// migration for the whole service.
#include <cctype>

#include "core/clock.h"
#include "core/env.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/errors.h"
#include "services/bigquery/limits.h"

namespace gcpsim::services::bigquery {
namespace {

const std::vector<std::string> kMigration = {R"sql(
CREATE TABLE bigquery_datasets (project TEXT NOT NULL, dataset TEXT NOT NULL, resource TEXT NOT NULL,
  PRIMARY KEY (project, dataset));
CREATE TABLE bigquery_tables (project TEXT NOT NULL, dataset TEXT NOT NULL, table_id TEXT NOT NULL,
  resource TEXT NOT NULL, PRIMARY KEY (project, dataset, table_id));
CREATE TABLE bigquery_jobs (project TEXT NOT NULL, job_id TEXT NOT NULL, seq INTEGER NOT NULL,
  resource TEXT NOT NULL, result TEXT NOT NULL, schema TEXT NOT NULL, PRIMARY KEY (project, job_id));
)sql"};

bool valid_dataset_id(const std::string& id) {
  if (id.empty() || id.size() > limits::kMaxIdBytes) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

std::string table_key(const TableRef& t) { return t.project + ":" + t.dataset + "." + t.table; }

core::StatusOr<std::unique_ptr<Warehouse>> Warehouse::open(core::Env& env) {
  std::unique_ptr<Warehouse> w(new Warehouse(env));
  RETURN_IF_ERROR(w->migrate());
  w->abandon_running_jobs();
  core::Clock* clock = &env.clock;
  register_functions(env.store.handle(), [clock] { return core::to_micros(clock->now()); });
  return w;
}

core::Status Warehouse::migrate() { return env_.store.migrate("bigquery", kMigration); }

int64_t Warehouse::now_ms() const { return core::to_millis(env_.clock.now()); }

core::StatusOr<Json> Warehouse::dataset_row(const std::string& project, const std::string& dataset) const {
  auto st = env_.store.prepare("SELECT resource FROM bigquery_datasets WHERE project = ? AND dataset = ?");
  st.bind_all(project, dataset);
  if (!st.step()) return errors::dataset_not_found(project, dataset);
  return Json::parse(st.column_text(0));
}

bool Warehouse::dataset_exists(const std::string& project, const std::string& dataset) const {
  return dataset_row(project, dataset).ok();
}

core::StatusOr<Json> Warehouse::insert_dataset(const std::string& project, const Json& body) {
  if (!body.is_object()) return errors::invalid("Invalid dataset resource: expected an object");
  const Json ref = body.value("datasetReference", Json::object());
  std::string id = ref.is_object() ? ref.value("datasetId", "") : "";
  if (id.empty()) return errors::required("Missing required field: datasetReference.datasetId");
  std::string p = ref.value("projectId", project);
  if (!valid_dataset_id(id))
    return errors::invalid("Invalid dataset ID \"" + id + "\". Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.");
  if (dataset_exists(p, id)) return errors::duplicate("Dataset " + p + ":" + id);
  Json r = Json::object();
  r["kind"] = "bigquery#dataset";
  r["etag"] = env_.ids.token("bigquery.etag", 16);
  r["id"] = p + ":" + id;
  r["selfLink"] = "https://bigquery.googleapis.com/bigquery/v2/projects/" + p + "/datasets/" + id;
  r["datasetReference"] = {{"datasetId", id}, {"projectId", p}};
  for (const char* k : {"friendlyName", "description", "labels", "defaultTableExpirationMs", "defaultPartitionExpirationMs", "access"})
    if (body.contains(k) && !body[k].is_null()) r[k] = body[k];
  if (r.contains("defaultTableExpirationMs")) {
    const Json& v = r["defaultTableExpirationMs"];
    int64_t ms = v.is_string() ? std::atoll(v.get<std::string>().c_str()) : v.is_number() ? v.get<int64_t>() : -1;
    if (ms < 3600000) return errors::invalid("The default table expiration must be at least 1 hour (3600000 ms)");
    r["defaultTableExpirationMs"] = std::to_string(ms);
  }
  if (r.contains("labels") && !r["labels"].is_object()) return errors::invalid("Invalid labels: expected an object");
  r["creationTime"] = std::to_string(now_ms());
  r["lastModifiedTime"] = std::to_string(now_ms());
  r["location"] = body.value("location", "US");
  r["type"] = "DEFAULT";
  auto st = env_.store.prepare("INSERT INTO bigquery_datasets (project, dataset, resource) VALUES (?, ?, ?)");
  RETURN_IF_ERROR(st.bind_all(p, id, r.dump()).run());
  return r;
}

core::StatusOr<Json> Warehouse::get_dataset(const std::string& project, const std::string& dataset) const {
  return dataset_row(project, dataset);
}

core::StatusOr<Page> Warehouse::list_datasets(const std::string& project, size_t max, const std::string& token,
                                              const std::string& filter) const {
  auto st = env_.store.prepare("SELECT dataset, resource FROM bigquery_datasets WHERE project = ? AND dataset > ? ORDER BY dataset");
  st.bind_all(project, token);
  Page page;
  while (st.step()) {
    Json r = Json::parse(st.column_text(1));
    if (!filter.empty()) {  // labels.KEY[:VALUE], space-separated, all must hold
      bool ok = true;
      size_t b = 0;
      while (b < filter.size()) {
        size_t e = filter.find(' ', b);
        std::string term = filter.substr(b, e == std::string::npos ? std::string::npos : e - b);
        b = e == std::string::npos ? filter.size() : e + 1;
        if (term.rfind("labels.", 0) != 0) continue;
        term = term.substr(7);
        auto colon = term.find(':');
        std::string k = term.substr(0, colon);
        const Json labels = r.value("labels", Json::object());
        if (!labels.contains(k)) ok = false;
        else if (colon != std::string::npos && labels[k] != term.substr(colon + 1)) ok = false;
      }
      if (!ok) continue;
    }
    if (page.items.size() == max) {
      page.next_token = page.items.back()["datasetReference"]["datasetId"].get<std::string>();
      break;
    }
    Json item = {{"kind", "bigquery#dataset"}, {"id", r["id"]}, {"datasetReference", r["datasetReference"]}, {"location", r["location"]}};
    if (r.contains("labels")) item["labels"] = r["labels"];
    if (r.contains("friendlyName")) item["friendlyName"] = r["friendlyName"];
    page.items.push_back(item);
  }
  return page;
}

core::StatusOr<Json> Warehouse::update_dataset(const std::string& project, const std::string& dataset, const Json& body, bool patch) {
  ASSIGN_OR_RETURN(Json r, dataset_row(project, dataset));
  if (!body.is_object()) return errors::invalid("Invalid dataset resource: expected an object");
  for (const char* k : {"friendlyName", "description", "defaultTableExpirationMs", "defaultPartitionExpirationMs", "access"}) {
    if (body.contains(k)) {
      if (body[k].is_null()) r.erase(k);
      else r[k] = body[k];
    } else if (!patch) {
      r.erase(k);
    }
  }
  if (body.contains("labels")) {
    if (body["labels"].is_null()) r.erase("labels");
    else if (!body["labels"].is_object()) return errors::invalid("Invalid labels: expected an object");
    else if (patch) {  // a null value removes the label
      Json labels = r.value("labels", Json::object());
      for (auto it = body["labels"].begin(); it != body["labels"].end(); ++it) {
        if (it.value().is_null()) labels.erase(it.key());
        else labels[it.key()] = it.value();
      }
      r["labels"] = labels;
    } else {
      r["labels"] = body["labels"];
    }
  } else if (!patch) {
    r.erase("labels");
  }
  r["lastModifiedTime"] = std::to_string(now_ms());
  r["etag"] = env_.ids.token("bigquery.etag", 16);
  auto st = env_.store.prepare("UPDATE bigquery_datasets SET resource = ? WHERE project = ? AND dataset = ?");
  RETURN_IF_ERROR(st.bind_all(r.dump(), project, dataset).run());
  return r;
}

core::Status Warehouse::delete_dataset(const std::string& project, const std::string& dataset, bool contents) {
  RETURN_IF_ERROR(dataset_row(project, dataset).status());
  auto tabs = env_.store.prepare("SELECT table_id FROM bigquery_tables WHERE project = ? AND dataset = ?");
  tabs.bind_all(project, dataset);
  std::vector<std::string> ids;
  while (tabs.step()) ids.push_back(tabs.column_text(0));
  if (!ids.empty() && !contents)
    return errors::resource_in_use("Dataset " + project + ":" + dataset + " is still in use");
  auto tx = env_.store.begin();
  for (const auto& id : ids) RETURN_IF_ERROR(delete_table({project, dataset, id}));
  auto st = env_.store.prepare("DELETE FROM bigquery_datasets WHERE project = ? AND dataset = ?");
  RETURN_IF_ERROR(st.bind_all(project, dataset).run());
  return tx.commit();
}

}  // namespace gcpsim::services::bigquery
