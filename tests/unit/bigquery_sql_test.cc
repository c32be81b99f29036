// Specification of gcpsim's GoogleSQL subset: each expected result is written from the
// GoogleSQL reference (functions, operators, query syntax), run on the SQLite translation.
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/bigquery/domain.h"
#include "services/bigquery/errors.h"

namespace bigquery_sql_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::bigquery;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-03-15T10:30:00Z")};
  core::Ids ids{7};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> db = core::Store::open("").value();
  core::Env env{clock, ids, events, faults, *db, "demo-project", "123456789012", "us-central1", ""};
  std::unique_ptr<Warehouse> w = Warehouse::open(env).value();

  Fixture() {
    REQUIRE(w->insert_dataset("demo-project", Json::parse(R"({"datasetReference":{"datasetId":"shop"}})")).ok());
    table("orders", R"([{"name":"id","type":"INT64"},{"name":"customer","type":"STRING"},{"name":"amount","type":"FLOAT64"},
                       {"name":"at","type":"TIMESTAMP"},{"name":"day","type":"DATE"},
                       {"name":"tags","type":"STRING","mode":"REPEATED"},
                       {"name":"ship","type":"RECORD","fields":[{"name":"city","type":"STRING"},{"name":"zip","type":"INT64"}]}])");
    insert("orders", R"([
      {"id":1,"customer":"ann","amount":10.5,"at":"2026-03-01T08:00:00Z","day":"2026-03-01","tags":["a","b"],"ship":{"city":"Oslo","zip":150}},
      {"id":2,"customer":"bob","amount":20,"at":"2026-03-02T09:30:00Z","day":"2026-03-02","tags":[],"ship":{"city":"Rome","zip":100}},
      {"id":3,"customer":"ann","amount":5,"at":"2026-03-10T23:59:59.5Z","day":"2026-03-10","tags":["c"],"ship":null},
      {"id":4,"customer":"cy","amount":null,"at":null,"day":null,"tags":null,"ship":{"city":"Oslo","zip":null}}])");
  }

  void table(const std::string& name, const std::string& fields) {
    auto r = w->insert_table("demo-project", "shop",
                             Json{{"tableReference", {{"tableId", name}}}, {"schema", {{"fields", Json::parse(fields)}}}});
    INFO(r.status().to_string());
    REQUIRE(r.ok());
  }

  void insert(const std::string& name, const std::string& rows_json) {
    std::vector<InsertRow> rows;
    for (auto& r : Json::parse(rows_json)) rows.push_back({"", r});
    auto errs = w->insert_all({"demo-project", "shop", name}, rows, {});
    INFO((errs.ok() ? errs->dump() : errs.status().to_string()));
    REQUIRE((errs.ok() && errs->empty()));
  }

  // The finished job, or its error.
  core::StatusOr<Json> run(const std::string& sql, Json params = Json()) {
    Json config = {{"query", sql}, {"useLegacySql", false}};
    if (!params.is_null()) config["queryParameters"] = params;
    auto job = w->run_query("demo-project", config);
    if (!job.ok()) return job;
    if ((*job)["status"].contains("errorResult")) {
      auto& e = (*job)["status"]["errorResult"];
      return errors::make(core::Code::kInvalidArgument, e.value("reason", ""), e.value("message", ""));
    }
    return job;
  }

  // Rows as plain JSON (strings for most scalars, as an NDJSON export writes them).
  Json rows(const std::string& sql, Json params = Json()) {
    auto job = run(sql, params);
    INFO(sql);
    INFO((job.ok() ? "" : job.status().to_string()));
    REQUIRE(job.ok());
    auto page = w->job_rows("demo-project", (*job)["jobReference"]["jobId"], 0, 1000, "");
    REQUIRE(page.ok());
    Json out = Json::array();
    for (const auto& r : page->rows) {
      Json row = Json::array();
      for (size_t i = 0; i < page->schema.size(); ++i) row.push_back(plain(page->schema[i], r[i]));
      out.push_back(row);
    }
    return out;
  }

  Schema schema(const std::string& sql) {
    auto job = run(sql);
    REQUIRE(job.ok());
    return *schema_of((*job)["statistics"]["query"]["schema"]);
  }

  std::string error(const std::string& sql) {
    auto job = run(sql);
    REQUIRE_FALSE(job.ok());
    return job.status().message();
  }
};

Json J(const char* s) { return Json::parse(s); }

}  // namespace

TEST_CASE("SELECT with WHERE, ORDER BY, LIMIT/OFFSET and backtick names") {
  Fixture f;
  CHECK(f.rows("SELECT id, customer FROM `demo-project.shop.orders` WHERE amount > 6 ORDER BY id") == J(R"([[1,"ann"],[2,"bob"]])"));
  CHECK(f.rows("SELECT id FROM shop.orders ORDER BY id DESC LIMIT 2 OFFSET 1") == J("[[3],[2]]"));
  CHECK(f.rows("SELECT id FROM `shop`.orders WHERE customer LIKE 'A%' ORDER BY id") == J("[]"));  // LIKE is case-sensitive
  CHECK(f.rows("SELECT id FROM shop.orders WHERE customer IN ('bob', 'cy') ORDER BY 1") == J("[[2],[4]]"));
  CHECK(f.rows("SELECT id FROM shop.orders WHERE amount IS NULL") == J("[[4]]"));
}

TEST_CASE("GROUP BY with COUNT, COUNTIF, SUM, AVG, MIN, MAX, STRING_AGG and HAVING") {
  Fixture f;
  CHECK(f.rows("SELECT customer, COUNT(*) AS n, SUM(amount) AS total, COUNTIF(amount > 6) AS big FROM shop.orders "
               "GROUP BY customer HAVING COUNT(*) >= 1 ORDER BY customer") ==
        J(R"([["ann",2,15.5,1],["bob",1,20.0,1],["cy",1,null,0]])"));
  CHECK(f.rows("SELECT AVG(amount), MIN(id), MAX(customer), APPROX_COUNT_DISTINCT(customer) FROM shop.orders") ==
        J(R"([[11.833333333333334,1,"cy",3]])"));
  CHECK(f.rows("SELECT STRING_AGG(customer, '|') FROM (SELECT customer FROM shop.orders ORDER BY id)") == J(R"([["ann|bob|ann|cy"]])"));
  auto s = f.schema("SELECT COUNT(*) AS n, AVG(id) AS a, SUM(id) AS s FROM shop.orders");
  CHECK(s[0].kind == Kind::kInt64);
  CHECK(s[1].kind == Kind::kFloat64);
  CHECK(s[2].kind == Kind::kInt64);
}

TEST_CASE("window functions and QUALIFY") {
  Fixture f;
  CHECK(f.rows("SELECT id, ROW_NUMBER() OVER (PARTITION BY customer ORDER BY id DESC) AS rn FROM shop.orders ORDER BY id") ==
        J("[[1,2],[2,1],[3,1],[4,1]]"));
  CHECK(f.rows("SELECT id, SUM(id) OVER (ORDER BY id) AS running, LAG(id) OVER (ORDER BY id) AS prev FROM shop.orders ORDER BY id") ==
        J("[[1,1,null],[2,3,1],[3,6,2],[4,10,3]]"));
  CHECK(f.rows("SELECT customer, id FROM shop.orders WHERE true QUALIFY ROW_NUMBER() OVER (PARTITION BY customer ORDER BY id DESC) = 1 ORDER BY customer") ==
        J(R"([["ann",3],["bob",2],["cy",4]])"));
  CHECK(f.rows("SELECT id, RANK() OVER (ORDER BY customer) FROM shop.orders ORDER BY id") == J("[[1,1],[2,3],[3,1],[4,4]]"));
}

TEST_CASE("WITH, UNION ALL, joins and subqueries") {
  Fixture f;
  CHECK(f.rows("WITH big AS (SELECT id FROM shop.orders WHERE amount >= 10) SELECT id FROM big UNION ALL SELECT 99 ORDER BY id") ==
        J("[[1],[2],[99]]"));
  CHECK(f.rows("SELECT a.id, b.id FROM shop.orders a JOIN shop.orders b ON a.customer = b.customer AND a.id < b.id") == J("[[1,3]]"));
  CHECK(f.schema("SELECT a.id, b.id FROM shop.orders a, shop.orders b")[1].name == "id_1");
  CHECK(f.rows("SELECT o.id, c.n FROM shop.orders o LEFT JOIN (SELECT customer, COUNT(*) n FROM shop.orders WHERE id > 2 GROUP BY customer) c "
               "USING (customer) ORDER BY o.id") == J("[[1,1],[2,null],[3,1],[4,1]]"));
  CHECK(f.rows("SELECT id FROM shop.orders WHERE amount = (SELECT MAX(amount) FROM shop.orders)") == J("[[2]]"));
  CHECK(f.rows("SELECT id FROM shop.orders o WHERE EXISTS (SELECT 1 FROM shop.orders p WHERE p.customer = o.customer AND p.id <> o.id) ORDER BY id") ==
        J("[[1],[3]]"));
}

TEST_CASE("arrays and structs: UNNEST, WITH OFFSET, literals, field access, ARRAY_AGG") {
  Fixture f;
  CHECK(f.rows("SELECT o.id, t FROM shop.orders o, UNNEST(o.tags) AS t ORDER BY o.id, t") == J(R"([[1,"a"],[1,"b"],[3,"c"]])"));
  CHECK(f.rows("SELECT x, off FROM UNNEST([10, 20, 30]) AS x WITH OFFSET AS off WHERE x > 10") == J("[[20,1],[30,2]]"));
  CHECK(f.rows("SELECT ship.city, ARRAY_LENGTH(tags) FROM shop.orders WHERE id = 1") == J(R"([["Oslo",2]])"));
  CHECK(f.rows("SELECT STRUCT(1 AS a, 'x' AS b) AS s, [1, 2] AS arr") == J(R"([[{"a":1,"b":"x"},[1,2]]])"));
  CHECK(f.rows("SELECT ARRAY_AGG(id) FROM (SELECT id FROM shop.orders WHERE customer = 'ann' ORDER BY id)") == J("[[[1,3]]]"));
  CHECK(f.rows("SELECT id FROM shop.orders WHERE 'c' IN UNNEST(tags)") == J("[[3]]"));
  CHECK(f.rows("SELECT [1, 2, 3][OFFSET(1)], [1, 2, 3][ORDINAL(1)], [1][SAFE_OFFSET(5)]") == J("[[2,1,null]]"));
  auto s = f.schema("SELECT tags, ship FROM shop.orders");
  CHECK(s[0].repeated());
  CHECK(s[1].is_struct());
  CHECK(s[1].fields.size() == 2);
}

TEST_CASE("date and time functions, with CURRENT_TIMESTAMP from the virtual clock") {
  Fixture f;
  CHECK(f.rows("SELECT CAST(CURRENT_TIMESTAMP() AS STRING), CURRENT_DATE()") == J(R"([["2026-03-15 10:30:00+00","2026-03-15"]])"));
  f.clock.advance(24h);
  CHECK(f.rows("SELECT CURRENT_DATE()") == J(R"([["2026-03-16"]])"));
  CHECK(f.rows("SELECT TIMESTAMP_TRUNC(TIMESTAMP '2026-03-10 23:59:59.5+00', DAY), DATE_TRUNC(DATE '2026-03-10', MONTH)") ==
        J(R"([["2026-03-10 00:00:00 UTC","2026-03-01"]])"));
  CHECK(f.rows("SELECT TIMESTAMP_DIFF(TIMESTAMP '2026-03-02 00:00:00+00', TIMESTAMP '2026-03-01 12:00:00+00', HOUR), "
               "DATE_DIFF(DATE '2026-03-01', DATE '2025-12-31', DAY), DATE_DIFF(DATE '2026-03-01', DATE '2025-12-31', MONTH)") ==
        J("[[12,60,3]]"));
  CHECK(f.rows("SELECT TIMESTAMP_ADD(TIMESTAMP '2026-01-31 00:00:00+00', INTERVAL 90 MINUTE), DATE_ADD(DATE '2026-01-31', INTERVAL 1 MONTH), "
               "DATE_SUB(DATE '2026-03-01', INTERVAL 1 DAY)") == J(R"([["2026-01-31 01:30:00 UTC","2026-02-28","2026-02-28"]])"));
  CHECK(f.rows("SELECT EXTRACT(YEAR FROM at), EXTRACT(DAYOFWEEK FROM day), EXTRACT(HOUR FROM at) FROM shop.orders WHERE id = 2") ==
        J("[[2026,2,9]]"));  // 2026-03-02 is a Monday: DAYOFWEEK 2
  CHECK(f.rows("SELECT FORMAT_TIMESTAMP('%Y/%m/%d %H:%M', at), PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%S', '2026-05-04 03:02:01') "
               "FROM shop.orders WHERE id = 1") == J(R"([["2026/03/01 08:00","2026-05-04 03:02:01 UTC"]])"));
  CHECK(f.rows("SELECT id FROM shop.orders WHERE at >= '2026-03-02' AND at < TIMESTAMP '2026-03-03' ") == J("[[2]]"));
}

TEST_CASE("strings, JSON, conditionals and casts") {
  Fixture f;
  CHECK(f.rows("SELECT UPPER('ab'), CONCAT('a', 'b', 'c'), SUBSTR('hello', 2, 3), SUBSTR('hello', -3), LENGTH('héllo'), "
               "STARTS_WITH('hello', 'he'), REPLACE('a-b', '-', '+'), SPLIT('a,b', ','), TRIM('  x ')") ==
        J(R"([["AB","abc","ell","llo",5,true,"a+b",["a","b"],"x"]])"));
  CHECK(f.rows("SELECT REGEXP_CONTAINS('abc123', r'\\d+'), REGEXP_EXTRACT('abc123', r'[a-z]+(\\d)'), REGEXP_REPLACE('a1b2', r'\\d', 'X')") ==
        J(R"([[true,"1","aXbX"]])"));
  CHECK(f.rows(R"(SELECT JSON_VALUE('{"a":{"b":[1,"x"]}}', '$.a.b[1]'), JSON_QUERY('{"a":{"b":2}}', '$.a'))") ==
        J(R"([["x","{\"b\":2}"]])"));
  CHECK(f.rows("SELECT IF(1 < 2, 'y', 'n'), IFNULL(NULL, 3), COALESCE(NULL, NULL, 'z'), CASE WHEN 2 > 3 THEN 'a' ELSE 'b' END, "
               "CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END") == J(R"([["y",3,"z","b","two"]])"));
  CHECK(f.rows("SELECT CAST('42' AS INT64), CAST(2.5 AS INT64), CAST(-2.5 AS INT64), SAFE_CAST('x' AS INT64), CAST(1.5 AS STRING), "
               "CAST('true' AS BOOL), 7 / 2, DIV(7, 2), MOD(7, 2)") == J(R"([[42,3,-3,null,"1.5",true,3.5,3,1]])"));
  CHECK_THAT(f.error("SELECT CAST('x' AS INT64)"), Catch::Contains("Bad int64 value: x"));
  CHECK_THAT(f.error("SELECT 1 / 0"), Catch::Contains("division by zero"));
}

TEST_CASE("parameters: named, positional, arrays and structs") {
  Fixture f;
  auto p = J(R"([{"name":"who","parameterType":{"type":"STRING"},"parameterValue":{"value":"ann"}},
                {"name":"ids","parameterType":{"type":"ARRAY","arrayType":{"type":"INT64"}},"parameterValue":{"arrayValues":[{"value":"1"},{"value":"3"}]}},
                {"name":"since","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2026-03-05 00:00:00"}},
                {"name":"s","parameterType":{"type":"STRUCT","structTypes":[{"name":"x","type":{"type":"INT64"}}]},"parameterValue":{"structValues":{"x":{"value":"5"}}}}])");
  CHECK(f.rows("SELECT id, @s.x FROM shop.orders WHERE customer = @who AND id IN UNNEST(@ids) AND at > @since", p) == J("[[3,5]]"));
  auto q = J(R"([{"parameterType":{"type":"INT64"},"parameterValue":{"value":"2"}}])");
  CHECK(f.rows("SELECT id FROM shop.orders WHERE id = ?", q) == J("[[2]]"));
}

TEST_CASE("INFORMATION_SCHEMA, DML, MERGE, CREATE TABLE AS SELECT and DROP TABLE") {
  Fixture f;
  CHECK(f.rows("SELECT table_name, table_type FROM shop.INFORMATION_SCHEMA.TABLES") == J(R"([["orders","BASE TABLE"]])"));
  CHECK(f.rows("SELECT column_name, data_type FROM shop.INFORMATION_SCHEMA.COLUMNS WHERE column_name IN ('tags', 'ship')") ==
        J(R"([["tags","ARRAY<STRING>"],["ship","STRUCT<city STRING, zip INT64>"]])"));
  auto ins = f.run("INSERT INTO shop.orders (id, customer, at) VALUES (5, 'dee', '2026-03-12 00:00:00')");
  REQUIRE(ins.ok());
  CHECK((*ins)["statistics"]["query"]["numDmlAffectedRows"] == "1");
  REQUIRE(f.run("UPDATE shop.orders SET amount = amount * 2 WHERE customer = 'ann'").ok());
  CHECK(f.rows("SELECT SUM(amount) FROM shop.orders WHERE customer = 'ann'") == J("[[31.0]]"));
  CHECK_THAT(f.error("DELETE FROM shop.orders"), Catch::Contains("WHERE"));
  REQUIRE(f.run("DELETE FROM shop.orders WHERE id = 5").ok());
  REQUIRE(f.run("CREATE TABLE shop.totals AS SELECT customer, COUNT(*) AS n FROM shop.orders GROUP BY customer").ok());
  CHECK(f.rows("SELECT customer, n FROM shop.totals ORDER BY customer") == J(R"([["ann",2],["bob",1],["cy",1]])"));
  REQUIRE(f.run("MERGE shop.totals t USING (SELECT 'ann' AS customer, 10 AS n UNION ALL SELECT 'zed', 1) s ON t.customer = s.customer "
                "WHEN MATCHED THEN UPDATE SET n = s.n WHEN NOT MATCHED THEN INSERT (customer, n) VALUES (s.customer, s.n)").ok());
  CHECK(f.rows("SELECT customer, n FROM shop.totals ORDER BY customer") == J(R"([["ann",10],["bob",1],["cy",1],["zed",1]])"));
  REQUIRE(f.run("DROP TABLE shop.totals").ok());
  CHECK_THAT(f.error("SELECT * FROM shop.totals"), Catch::Contains("Not found: Table demo-project:shop.totals"));
}

TEST_CASE("anything outside the subset is invalidQuery naming the construct") {
  Fixture f;
  CHECK_THAT(f.error("SELECT FOO(1)"), Catch::Contains("Function not found: FOO at [1:8]"));
  CHECK_THAT(f.error("SELECT nope FROM shop.orders"), Catch::Contains("Unrecognized name: nope at [1:8]"));
  CHECK_THAT(f.error("SELECT 1; SELECT 2"), Catch::Contains("script"));
  CHECK_THAT(f.error("SELECT id FROM shop.orders FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()"), Catch::Contains("FOR SYSTEM_TIME AS OF"));
  CHECK_THAT(f.error("SELECT ARRAY_AGG(id ORDER BY id) FROM shop.orders"), Catch::Contains("ARRAY_AGG with ORDER"));
  CHECK_THAT(f.error("SELECT 1 +"), Catch::Contains("Syntax error"));
}

}  // namespace bigquery_sql_test
