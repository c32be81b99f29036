// Specification of BigQuery's tables and rows: insertAll's per-row errors and insertId
// window, tabledata encodings (TIMESTAMP as float seconds or int64 micros), schema evolution,
// expiration on the clock, and load/extract through an object reader.
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/bigquery/domain.h"

namespace bigquery_warehouse_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::bigquery;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-01T00:00:00Z")};
  core::Ids ids{7};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> db = core::Store::open("").value();
  core::Env env{clock, ids, events, faults, *db, "p", "123456789012", "us-central1", ""};
  std::unique_ptr<Warehouse> w = Warehouse::open(env).value();
  std::map<std::string, std::string> objects;  // "bucket/name" → bytes
  TableRef t{"p", "d", "t"};

  Fixture() {
    REQUIRE(w->insert_dataset("p", Json::parse(R"({"datasetReference":{"datasetId":"d"}})")).ok());
    ObjectIo io;
    io.read = [this](const std::string& b, const std::string& n) -> core::StatusOr<std::string> {
      auto it = objects.find(b + "/" + n);
      if (it == objects.end()) return core::Status::not_found("no object");
      return it->second;
    };
    io.list = [this](const std::string& b, const std::string& prefix) -> core::StatusOr<std::vector<std::string>> {
      std::vector<std::string> out;
      for (auto& [k, v] : objects)
        if (k.rfind(b + "/" + prefix, 0) == 0) out.push_back(k.substr(b.size() + 1));
      return out;
    };
    io.write = [this](const std::string& b, const std::string& n, const std::string& data, const std::string&) {
      objects[b + "/" + n] = data;
      return core::Status::ok();
    };
    w->set_objects(io);
  }

  void table(const char* fields, Json extra = Json::object()) {
    extra["tableReference"] = {{"tableId", "t"}};
    extra["schema"] = {{"fields", Json::parse(fields)}};
    auto r = w->insert_table("p", "d", extra);
    INFO(r.status().to_string());
    REQUIRE(r.ok());
  }

  Json insert(const char* rows, InsertOptions opt = {}) {
    std::vector<InsertRow> in;
    for (auto& r : Json::parse(rows)) in.push_back({r.value("insertId", ""), r["json"]});
    auto errs = w->insert_all(t, in, opt);
    INFO(errs.status().to_string());
    REQUIRE(errs.ok());
    return *errs;
  }

  // tabledata.list's "v" values, row by row.
  Json list(TsFormat ts = TsFormat::kFloatSeconds, int64_t start = 0, size_t max = 100) {
    auto page = w->list_rows(t, start, max, "", {});
    REQUIRE(page.ok());
    Json out = Json::array();
    for (auto& row : page->rows) {
      Json r = Json::array();
      for (size_t i = 0; i < page->schema.size(); ++i) r.push_back(encode(page->schema[i], row[i], ts));
      out.push_back(r);
    }
    return out;
  }

  Json job(Json config) {
    auto j = w->insert_job("p", Json{{"configuration", config}});
    INFO(j.status().to_string());
    REQUIRE(j.ok());
    return *j;
  }
};

}  // namespace

TEST_CASE("insertAll: a refused request reports invalid rows and stops the valid ones, skipInvalidRows keeps them") {
  Fixture f;
  f.table(R"([{"name":"id","type":"INTEGER","mode":"REQUIRED"},{"name":"name","type":"STRING"}])");
  Json errs = f.insert(R"([{"json":{"id":"x"}},{"json":{"id":2}},{"json":{"name":"no id"}},{"json":{"id":4,"zip":1}}])");
  REQUIRE(errs.size() == 4);
  CHECK(errs[0]["errors"][0]["reason"] == "invalid");
  CHECK(errs[0]["errors"][0]["location"] == "id");
  CHECK(errs[1]["errors"][0]["reason"] == "stopped");
  CHECK(errs[2]["errors"][0]["message"] == "Missing required field: id.");
  CHECK(errs[3]["errors"][0]["message"] == "no such field: zip.");
  CHECK(f.list().empty());
  InsertOptions skip;
  skip.skip_invalid = true;
  CHECK(f.insert(R"([{"json":{"id":"x"}},{"json":{"id":2}}])", skip).size() == 1);
  InsertOptions ignore;
  ignore.ignore_unknown = true;
  CHECK(f.insert(R"([{"json":{"id":4,"zip":1}}])", ignore).empty());
  CHECK(f.list() == Json::parse(R"([["2",null],["4",null]])"));
}

TEST_CASE("insertId: a retried row within a minute of the clock goes in once") {
  Fixture f;
  f.table(R"([{"name":"id","type":"INTEGER"}])");
  f.insert(R"([{"insertId":"a","json":{"id":1}},{"insertId":"a","json":{"id":1}}])");
  f.clock.advance(30s);
  f.insert(R"([{"insertId":"a","json":{"id":1}}])");
  CHECK(f.list().size() == 1);
  f.clock.advance(61s);
  f.insert(R"([{"insertId":"a","json":{"id":1}}])");
  CHECK(f.list().size() == 2);
}

TEST_CASE("tabledata encodes each type as BigQuery writes it") {
  Fixture f;
  f.table(R"([{"name":"ts","type":"TIMESTAMP"},{"name":"i","type":"INT64"},{"name":"f","type":"FLOAT"},{"name":"b","type":"BOOLEAN"},
              {"name":"n","type":"NUMERIC"},{"name":"d","type":"DATE"},{"name":"dt","type":"DATETIME"},{"name":"by","type":"BYTES"},
              {"name":"j","type":"JSON"},{"name":"r","type":"RECORD","mode":"REPEATED","fields":[{"name":"x","type":"INT64"}]}])");
  f.insert(R"([{"json":{"ts":"2026-01-02 03:04:05.5 UTC","i":"9007199254740993","f":1e20,"b":true,"n":"123.456","d":"2026-01-02",
                 "dt":"2026-01-02 03:04:05","by":"AQID","j":{"a":[1]},"r":[{"x":1},{"x":2}]}}])");
  CHECK(f.list()[0] == Json::parse(R"(["1.7673230455E9","9007199254740993","1.0E20","true","123.456","2026-01-02","2026-01-02T03:04:05",
                                       "AQID","{\"a\":[1]}",[{"v":{"f":[{"v":"1"}]}},{"v":{"f":[{"v":"2"}]}}]])"));
  CHECK(f.list(TsFormat::kInt64Micros)[0][0] == "1767323045500000");
  CHECK(f.list(TsFormat::kIso)[0][0] == "2026-01-02T03:04:05.500000Z");
}

TEST_CASE("schema evolution: new NULLABLE columns by patch, dropping or retyping one is refused") {
  Fixture f;
  f.table(R"([{"name":"a","type":"STRING","mode":"REQUIRED"}])");
  f.insert(R"([{"json":{"a":"x"}}])");
  auto ok = f.w->update_table(f.t, Json::parse(R"({"schema":{"fields":[{"name":"a","type":"STRING","mode":"NULLABLE"},{"name":"b","type":"INT64"}]}})"), true);
  REQUIRE(ok.ok());
  f.insert(R"([{"json":{"a":"y","b":2}}])");
  CHECK(f.list() == Json::parse(R"([["x",null],["y","2"]])"));
  auto dropped = f.w->update_table(f.t, Json::parse(R"({"schema":{"fields":[{"name":"b","type":"INT64"}]}})"), true);
  CHECK_THAT(dropped.status().message(), Catch::Contains("Field a is missing in new schema"));
  auto retyped = f.w->update_table(f.t, Json::parse(R"({"schema":{"fields":[{"name":"a","type":"INT64"},{"name":"b","type":"INT64"}]}})"), true);
  CHECK_THAT(retyped.status().message(), Catch::Contains("has changed type from STRING to INTEGER"));
}

TEST_CASE("a table's expirationTime and the dataset's default expiration run on the clock") {
  Fixture f;
  REQUIRE(f.w->update_dataset("p", "d", Json::parse(R"({"defaultTableExpirationMs":"3600000"})"), true).ok());
  f.table(R"([{"name":"a","type":"STRING"}])");
  f.clock.advance(59min);
  CHECK(f.w->get_table(f.t).ok());
  f.clock.advance(1min);
  CHECK(f.w->get_table(f.t).status().code() == core::Code::kNotFound);
}

TEST_CASE("load NDJSON with autodetect and CSV with a header from gs://, extract NDJSON back") {
  Fixture f;
  f.objects["b/in/1.json"] = "{\"id\":1,\"at\":\"2026-01-01T00:00:00Z\",\"tags\":[\"a\"]}\n{\"id\":2,\"at\":\"2026-01-02T00:00:00Z\",\"tags\":[]}\n";
  f.objects["b/in/2.json"] = "{\"id\":3}\n";
  Json job = f.job({{"load", {{"sourceUris", {"gs://b/in/*"}}, {"sourceFormat", "NEWLINE_DELIMITED_JSON"}, {"autodetect", true},
                               {"destinationTable", {{"projectId", "p"}, {"datasetId", "d"}, {"tableId", "t"}}}}}});
  INFO(job.dump());
  CHECK(job["status"]["state"] == "DONE");
  CHECK(job["statistics"]["load"]["outputRows"] == "3");
  auto info = f.w->table(f.t);
  REQUIRE(info);
  CHECK(sql_type_name(info->schema[1]) == "TIMESTAMP");
  CHECK(sql_type_name(info->schema[2]) == "ARRAY<STRING>");
  f.objects["b/more.csv"] = "id,at,tags\n4,2026-01-04 00:00:00 UTC,\n";
  Json csv = f.job({{"load", {{"sourceUris", {"gs://b/more.csv"}}, {"schema", {{"fields", Json::parse(R"([{"name":"id","type":"INT64"},{"name":"at","type":"TIMESTAMP"}])")}}},
                              {"skipLeadingRows", 1}, {"destinationTable", {{"projectId", "p"}, {"datasetId", "d"}, {"tableId", "c"}}}}}});
  CHECK(csv["status"]["state"] == "DONE");
  Json bad = f.job({{"load", {{"sourceUris", {"gs://b/missing.json"}}, {"sourceFormat", "NEWLINE_DELIMITED_JSON"},
                              {"destinationTable", {{"projectId", "p"}, {"datasetId", "d"}, {"tableId", "t"}}}}}});
  CHECK(bad["status"]["errorResult"]["reason"] == "notFound");
  Json ex = f.job({{"extract", {{"sourceTable", {{"projectId", "p"}, {"datasetId", "d"}, {"tableId", "t"}}},
                                {"destinationUris", {"gs://b/out/*.json"}}, {"destinationFormat", "NEWLINE_DELIMITED_JSON"}}}});
  CHECK(ex["status"]["state"] == "DONE");
  CHECK(f.objects["b/out/000000000000.json"] ==
        "{\"id\":1,\"at\":\"2026-01-01 00:00:00 UTC\",\"tags\":[\"a\"]}\n{\"id\":2,\"at\":\"2026-01-02 00:00:00 UTC\",\"tags\":[]}\n{\"id\":3,\"tags\":[]}\n");
}

}  // namespace bigquery_warehouse_test
