// Load, extract and copy jobs: NDJSON and CSV from gs:// objects in gcpsim's Storage or an
// upload, with explicit schemas or autodetect; exports as NDJSON or CSV to gs://.
#include "core/clock.h"
#include "core/env.h"
#include "core/store.h"
#include "services/bigquery/civil.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/errors.h"

namespace gcpsim::services::bigquery {
namespace {

struct GsUri {
  std::string bucket, name;
};
std::optional<GsUri> gs_uri(const std::string& uri) {
  if (uri.rfind("gs://", 0) != 0) return std::nullopt;
  auto slash = uri.find('/', 5);
  if (slash == std::string::npos || slash == 5) return std::nullopt;
  return GsUri{uri.substr(5, slash - 5), uri.substr(slash + 1)};
}

// One CSV record (RFC 4180 quoting), advancing `pos`.
std::vector<std::string> csv_record(const std::string& data, size_t& pos, char delim, bool& ok) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, was_quoted = false;
  ok = true;
  while (pos < data.size()) {
    char c = data[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < data.size() && data[pos] == '"') { cur += '"'; ++pos; }
        else quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty()) {
      quoted = was_quoted = true;
    } else if (c == delim) {
      out.push_back(cur);
      cur.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos < data.size() && data[pos] == '\n') ++pos;
      break;
    } else {
      cur += c;
    }
  }
  if (quoted) ok = false;
  out.push_back(cur);
  (void)was_quoted;
  return out;
}

Field detect(const std::string& name, const Json& v) {
  Field f;
  f.name = name;
  if (v.is_array()) {
    f = v.empty() ? scalar(Kind::kString) : detect(name, v[0]);
    f.name = name;
    f.mode = "REPEATED";
    return f;
  }
  if (v.is_object()) {
    f.kind = Kind::kStruct;
    for (auto it = v.begin(); it != v.end(); ++it) f.fields.push_back(detect(it.key(), it.value()));
    return f;
  }
  if (v.is_boolean()) f.kind = Kind::kBool;
  else if (v.is_number_integer()) f.kind = Kind::kInt64;
  else if (v.is_number()) f.kind = Kind::kFloat64;
  else if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (civil::parse_date(s)) f.kind = Kind::kDate;
    else if (s.size() > 10 && civil::parse_timestamp(s) && (s.back() == 'Z' || s.find("UTC") != std::string::npos || s.find('+') != std::string::npos)) f.kind = Kind::kTimestamp;
    else if (civil::parse_datetime(s)) f.kind = Kind::kDatetime;
    else f.kind = Kind::kString;
  }
  return f;
}

Field detect_text(const std::string& name, const std::string& s) {
  Field f;
  f.name = name;
  char* end = nullptr;
  std::strtoll(s.c_str(), &end, 10);
  if (!s.empty() && !*end) { f.kind = Kind::kInt64; return f; }
  std::strtod(s.c_str(), &end);
  if (!s.empty() && !*end) { f.kind = Kind::kFloat64; return f; }
  if (iequals(s, "true") || iequals(s, "false")) { f.kind = Kind::kBool; return f; }
  return detect(name, Json(s));
}

std::string csv_escape(const std::string& s, char delim) {
  if (s.find_first_of(std::string("\"\n\r") + delim) == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

core::StatusOr<std::string> Warehouse::parse_rows_into(const TableRef& t, const Schema& schema, const std::string& data,
                                                       const Json& cfg, int64_t& count) {
  std::string format = cfg.value("sourceFormat", "CSV");
  bool ignore_unknown = cfg.value("ignoreUnknownValues", false);
  int64_t max_bad = cfg.value("maxBadRecords", 0);
  int64_t bad = 0;
  std::vector<std::vector<Json>> rows;
  if (format == "NEWLINE_DELIMITED_JSON") {
    size_t pos = 0, line = 0;
    while (pos < data.size()) {
      size_t e = data.find('\n', pos);
      std::string l = data.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
      pos = e == std::string::npos ? data.size() : e + 1;
      ++line;
      if (l.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto j = Json::parse(l, nullptr, false);
      core::Status err;
      std::vector<Json> row;
      if (j.is_discarded() || !j.is_object()) {
        err = errors::invalid("Error while reading data, error message: JSON parsing error in row starting at position " +
                              std::to_string(pos - l.size() - 1) + ": Parser terminated before end of string");
      } else {
        for (const auto& f : schema) {
          auto v = stored_json(f, j.contains(f.name) ? j[f.name] : Json(), ignore_unknown, f.name);
          if (!v.ok()) { err = v.status(); break; }
          row.push_back(*v);
        }
        if (err.is_ok() && !ignore_unknown)
          for (auto it = j.begin(); it != j.end(); ++it) {
            bool known = false;
            for (const auto& f : schema) known = known || f.name == it.key();
            if (!known) { err = errors::invalid("Error while reading data, error message: JSON parsing error in row starting at position 0: No such field: " + it.key() + ". File: line " + std::to_string(line)); break; }
          }
      }
      if (!err.is_ok()) {
        if (++bad > max_bad) return err;
        continue;
      }
      rows.push_back(std::move(row));
    }
  } else if (format == "CSV") {
    std::string d = cfg.value("fieldDelimiter", ",");
    char delim = d == "\\t" || d == "tab" ? '\t' : d.empty() ? ',' : d[0];
    int64_t skip = cfg.contains("skipLeadingRows") ? std::atoll(cfg["skipLeadingRows"].is_string() ? cfg["skipLeadingRows"].get<std::string>().c_str() : std::to_string(cfg["skipLeadingRows"].get<int64_t>()).c_str()) : 0;
    std::string null_marker = cfg.value("nullMarker", "");
    size_t pos = 0;
    int64_t line = 0;
    while (pos < data.size()) {
      bool ok;
      auto rec = csv_record(data, pos, delim, ok);
      ++line;
      if (line <= skip) continue;
      if (rec.size() == 1 && rec[0].empty()) continue;
      core::Status err;
      if (!ok) err = errors::invalid("Error while reading data, error message: Missing close double quote (\") character.");
      else if (rec.size() > schema.size() && !ignore_unknown)
        err = errors::invalid("Error while reading data, error message: Too many values in row starting at position " + std::to_string(pos));
      std::vector<Json> row;
      for (size_t i = 0; err.is_ok() && i < schema.size(); ++i) {
        if (i >= rec.size() || rec[i] == null_marker) {
          auto v = stored_json(schema[i], Json(), false, schema[i].name);
          if (!v.ok()) err = v.status();
          else row.push_back(*v);
          continue;
        }
        auto v = parse_text(schema[i], rec[i], schema[i].name);
        if (!v.ok()) err = errors::invalid("Error while reading data, error message: Could not parse '" + rec[i] + "' as " +
                                           sql_name(schema[i].kind) + " for field " + schema[i].name + " (position " + std::to_string(i) + ") starting at location " + std::to_string(pos));
        else row.push_back(*v);
      }
      if (!err.is_ok()) {
        if (++bad > max_bad) return err;
        continue;
      }
      rows.push_back(std::move(row));
    }
  } else {
    return errors::invalid("Unsupported sourceFormat " + format + ": gcpsim loads CSV and NEWLINE_DELIMITED_JSON");
  }
  RETURN_IF_ERROR(append(t, schema, rows));
  count += int64_t(rows.size());
  return std::to_string(bad);
}

core::StatusOr<Json> Warehouse::run_load_job(const std::string& project, Json job, const std::string* upload) {
  std::string job_id = job["jobReference"]["jobId"];
  const Json cfg = job["configuration"]["load"];
  auto finish = [&](const core::Status& st, Json stats) -> core::StatusOr<Json> {
    if (!st.is_ok()) {
      auto e = errors::proto_of(st);
      Json err = {{"reason", e.reason}, {"message", e.message}};
      job["status"] = {{"state", "DONE"}, {"errorResult", err}, {"errors", Json::array({err})}};
    } else {
      job["status"] = {{"state", "DONE"}};
      job["statistics"]["load"] = stats;
    }
    job["statistics"]["endTime"] = std::to_string(now_ms());
    RETURN_IF_ERROR(save_job(project, job_id, job, "", {}));
    return job;
  };
  const Json d = cfg.value("destinationTable", Json::object());
  TableRef dest{d.value("projectId", project), d.value("datasetId", ""), d.value("tableId", "")};
  if (dest.dataset.empty() || dest.table.empty()) return finish(errors::required("Missing required field: configuration.load.destinationTable"), {});
  // The data: every source object (a trailing * matches a prefix), or the upload.
  std::vector<std::string> inputs;
  int64_t input_bytes = 0;
  if (upload) {
    input_bytes = int64_t(upload->size());
    inputs.push_back(*upload);
  } else {
    for (const auto& u : cfg.value("sourceUris", Json::array())) {
      auto uri = u.is_string() ? gs_uri(u.get<std::string>()) : std::nullopt;
      if (!uri) return finish(errors::invalid("Invalid source URI: " + u.dump() + ": gcpsim loads gs:// objects"), {});
      if (!objects_.read) return finish(errors::invalid("Cloud Storage is not running"), {});
      std::vector<std::string> names = {uri->name};
      if (auto star = uri->name.find('*'); star != std::string::npos) {
        auto listed = objects_.list(uri->bucket, uri->name.substr(0, star));
        if (!listed.ok()) return finish(listed.status(), {});
        names = *listed;
      }
      for (const auto& n : names) {
        auto data = objects_.read(uri->bucket, n);
        if (!data.ok()) return finish(errors::not_found("URI gs://" + uri->bucket + "/" + n), {});
        input_bytes += int64_t(data->size());
        inputs.push_back(std::move(*data));
      }
    }
    if (inputs.empty()) return finish(errors::required("Missing required field: configuration.load.sourceUris"), {});
  }
  std::optional<core::Store::Transaction> tx;
  tx.emplace(env_.store);
  auto failed = [&](const core::Status& st) {
    tx.reset();  // rolled back: the failed job is recorded outside it
    return finish(st, {});
  };
  Schema schema;
  auto info = table(dest);
  std::string format = cfg.value("sourceFormat", "CSV");
  if (cfg.contains("schema")) {
    auto s = schema_of(cfg["schema"]);
    if (!s.ok()) return failed(s.status());
    schema = *s;
  } else if (info && !(cfg.value("writeDisposition", "") == "WRITE_TRUNCATE" && cfg.value("autodetect", false))) {
    schema = info->schema;
  } else if (cfg.value("autodetect", false) && !inputs.empty()) {
    const std::string& first = inputs[0];
    if (format == "NEWLINE_DELIMITED_JSON") {
      std::map<std::string, bool> seen;
      size_t pos = 0;
      for (int n = 0; n < 500 && pos < first.size(); ++n) {
        size_t e = first.find('\n', pos);
        auto j = Json::parse(first.substr(pos, e == std::string::npos ? std::string::npos : e - pos), nullptr, false);
        pos = e == std::string::npos ? first.size() : e + 1;
        if (!j.is_object()) continue;
        for (auto it = j.begin(); it != j.end(); ++it)
          if (!it.value().is_null() && !seen[it.key()]) { seen[it.key()] = true; schema.push_back(detect(it.key(), it.value())); }
      }
    } else {
      size_t pos = 0;
      bool ok;
      std::string dl = cfg.value("fieldDelimiter", ",");
      char delim = dl.empty() ? ',' : dl[0];
      auto header = csv_record(first, pos, delim, ok);
      auto sample = csv_record(first, pos, delim, ok);
      bool has_header = false;
      for (size_t i = 0; i < header.size(); ++i)
        if (i < sample.size() && detect_text("x", header[i]).kind == Kind::kString && detect_text("x", sample[i]).kind != Kind::kString) has_header = true;
      for (size_t i = 0; i < header.size(); ++i) {
        Field f = detect_text(has_header ? header[i] : "string_field_" + std::to_string(i), has_header && i < sample.size() ? sample[i] : header[i]);
        schema.push_back(f);
      }
      if (has_header && !cfg.contains("skipLeadingRows")) job["configuration"]["load"]["skipLeadingRows"] = 1;
    }
  }
  if (schema.empty()) return failed(errors::invalid("No schema specified on job or table."));
  Json table_opts = Json::object();
  for (const char* k : {"timePartitioning", "clustering"})
    if (cfg.contains(k)) table_opts[k] = cfg[k];
  std::string write = cfg.value("writeDisposition", "WRITE_APPEND");
  // Creates or truncates the table as the dispositions say, from an empty SELECT.
  std::string empty = "SELECT ";
  for (size_t i = 0; i < schema.size(); ++i) empty += (i ? ", " : "") + std::string("NULL AS ") + quote_ident(schema[i].name);
  empty += " WHERE 0";
  auto st = write_destination(dest, schema, empty, write, cfg.value("createDisposition", "CREATE_IF_NEEDED"), &table_opts);
  if (!st.is_ok()) return failed(st);
  info = table(dest);
  int64_t count = 0;
  int64_t bad = 0;
  for (const auto& data : inputs) {
    auto r = parse_rows_into(dest, info->schema.size() == schema.size() ? schema : info->schema, data, job["configuration"]["load"], count);
    if (!r.ok()) return failed(r.status());
    bad += std::atoll(r->c_str());
  }
  RETURN_IF_ERROR(tx->commit());
  tx.reset();
  return finish(core::Status::ok(), {{"inputFiles", std::to_string(inputs.size())}, {"inputFileBytes", std::to_string(input_bytes)},
                                     {"outputRows", std::to_string(count)}, {"outputBytes", std::to_string(count * int64_t(schema.size()) * 8)},
                                     {"badRecords", std::to_string(bad)}});
}

core::StatusOr<Json> Warehouse::run_extract_job(const std::string& project, Json job) {
  std::string job_id = job["jobReference"]["jobId"];
  const Json cfg = job["configuration"]["extract"];
  auto finish = [&](const core::Status& st, Json stats) -> core::StatusOr<Json> {
    if (!st.is_ok()) {
      auto e = errors::proto_of(st);
      Json err = {{"reason", e.reason}, {"message", e.message}};
      job["status"] = {{"state", "DONE"}, {"errorResult", err}, {"errors", Json::array({err})}};
    } else {
      job["status"] = {{"state", "DONE"}};
      job["statistics"]["extract"] = stats;
    }
    job["statistics"]["endTime"] = std::to_string(now_ms());
    RETURN_IF_ERROR(save_job(project, job_id, job, "", {}));
    return job;
  };
  const Json s = cfg.value("sourceTable", Json::object());
  TableRef src{s.value("projectId", project), s.value("datasetId", ""), s.value("tableId", "")};
  auto info = table(src);
  if (!info) return finish(errors::table_not_found(src.project, src.dataset, src.table), {});
  Json uris = cfg.value("destinationUris", Json::array());
  if (uris.empty() && cfg.contains("destinationUri")) uris.push_back(cfg["destinationUri"]);
  if (uris.empty()) return finish(errors::required("Missing required field: configuration.extract.destinationUris"), {});
  auto uri = uris[0].is_string() ? gs_uri(uris[0].get<std::string>()) : std::nullopt;
  if (!uri) return finish(errors::invalid("Invalid extract destination URI " + uris[0].dump()), {});
  std::string name = uri->name;
  if (auto star = name.find('*'); star != std::string::npos) name.replace(star, 1, "000000000000");
  std::string cols;
  for (const auto& f : info->schema) cols += (cols.empty() ? "" : ", ") + quote_ident(f.name);
  auto rows = read_rows(env_.store, "SELECT " + (cols.empty() ? std::string("NULL") : cols) + " FROM " + data_table(src) + " ORDER BY rowid", info->schema);
  if (!rows.ok()) return finish(rows.status(), {});
  std::string format = cfg.value("destinationFormat", "CSV");
  std::string out;
  if (format == "NEWLINE_DELIMITED_JSON") {
    for (const auto& row : *rows) {
      Json obj = Json::object();
      for (size_t i = 0; i < info->schema.size(); ++i) {
        Json v = plain(info->schema[i], row[i]);
        if (!v.is_null()) obj[info->schema[i].name] = v;
      }
      out += obj.dump() + "\n";
    }
  } else if (format == "CSV") {
    std::string dl = cfg.value("fieldDelimiter", ",");
    char delim = dl.empty() ? ',' : dl[0];
    for (const auto& f : info->schema)
      if (f.repeated() || f.is_struct()) return finish(errors::invalid("Operation cannot be performed on a nested schema. Field: " + f.name), {});
    if (cfg.value("printHeader", true)) {
      for (size_t i = 0; i < info->schema.size(); ++i) out += (i ? std::string(1, delim) : "") + csv_escape(info->schema[i].name, delim);
      out += "\n";
    }
    for (const auto& row : *rows) {
      for (size_t i = 0; i < info->schema.size(); ++i) {
        Json v = plain(info->schema[i], row[i]);
        std::string text = v.is_null() ? "" : v.is_string() ? v.get<std::string>() : v.dump();
        out += (i ? std::string(1, delim) : "") + csv_escape(text, delim);
      }
      out += "\n";
    }
  } else {
    return finish(errors::invalid("Unsupported destinationFormat " + format + ": gcpsim extracts CSV and NEWLINE_DELIMITED_JSON"), {});
  }
  if (!objects_.write) return finish(errors::invalid("Cloud Storage is not running"), {});
  auto st = objects_.write(uri->bucket, name, out, format == "CSV" ? "text/csv" : "application/json");
  if (!st.is_ok()) return finish(st, {});
  return finish(core::Status::ok(), {{"destinationUriFileCounts", Json::array({"1"})}, {"inputBytes", std::to_string(out.size())}});
}

core::StatusOr<Json> Warehouse::run_copy_job(const std::string& project, Json job) {
  std::string job_id = job["jobReference"]["jobId"];
  const Json cfg = job["configuration"]["copy"];
  Json sources = cfg.value("sourceTables", Json::array());
  if (sources.empty() && cfg.contains("sourceTable")) sources.push_back(cfg["sourceTable"]);
  const Json d = cfg.value("destinationTable", Json::object());
  TableRef dest{d.value("projectId", project), d.value("datasetId", ""), d.value("tableId", "")};
  core::Status st;
  std::optional<core::Store::Transaction> tx;
  tx.emplace(env_.store);
  std::string write = cfg.value("writeDisposition", "WRITE_EMPTY");
  for (const auto& s : sources) {
    TableRef src{s.value("projectId", project), s.value("datasetId", ""), s.value("tableId", "")};
    auto info = table(src);
    if (!info) { st = errors::table_not_found(src.project, src.dataset, src.table); break; }
    std::string cols;
    for (const auto& f : info->schema) cols += (cols.empty() ? "" : ", ") + quote_ident(f.name);
    st = write_destination(dest, info->schema, "SELECT " + cols + " FROM " + data_table(src), write, cfg.value("createDisposition", "CREATE_IF_NEEDED"), nullptr);
    if (!st.is_ok()) break;
    write = "WRITE_APPEND";
  }
  if (st.is_ok()) st = tx->commit();
  tx.reset();
  if (!st.is_ok()) {
    auto e = errors::proto_of(st);
    Json err = {{"reason", e.reason}, {"message", e.message}};
    job["status"] = {{"state", "DONE"}, {"errorResult", err}, {"errors", Json::array({err})}};
  } else {
    job["status"] = {{"state", "DONE"}};
  }
  job["statistics"]["endTime"] = std::to_string(now_ms());
  RETURN_IF_ERROR(save_job(project, job_id, job, "", {}));
  return job;
}

}  // namespace gcpsim::services::bigquery
