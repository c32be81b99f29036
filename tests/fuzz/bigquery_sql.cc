// BigQuery's GoogleSQL translator: the input is one statement, compiled against a catalog of
// one table (scalars, an array and a struct) and one view, with a named parameter; a type
// name on a first line starting "TYPE " goes to the type reader instead.
#include <optional>
#include <string>
#include <vector>

#include "fuzz.h"
#include "services/bigquery/sql.h"

using namespace gcpsim;
namespace bq = gcpsim::services::bigquery;

namespace {

class OneTable final : public bq::Catalog {
 public:
  OneTable() {
    auto schema = bq::schema_of(bq::Json::parse(R"({"fields":[
      {"name":"id","type":"INT64"},{"name":"name","type":"STRING"},{"name":"amount","type":"NUMERIC"},
      {"name":"at","type":"TIMESTAMP"},{"name":"day","type":"DATE"},{"name":"tags","type":"STRING","mode":"REPEATED"},
      {"name":"ship","type":"RECORD","fields":[{"name":"city","type":"STRING"},{"name":"zip","type":"INT64"}]}]})"));
    table_.ref = {"demo-project", "shop", "orders"};
    table_.schema = *schema;
    view_.ref = {"demo-project", "shop", "big_orders"};
    view_.type = "VIEW";
    view_.view_query = "SELECT id, name FROM shop.orders WHERE amount > 10";
    view_.schema = {table_.schema[0], table_.schema[1]};
  }
  std::optional<bq::TableInfo> table(const bq::TableRef& t) const override {
    if (t.project != "demo-project" || t.dataset != "shop") return std::nullopt;
    if (t.table == "orders") return table_;
    if (t.table == "big_orders") return view_;
    return std::nullopt;
  }
  std::vector<bq::TableInfo> tables(const std::string& project, const std::string& dataset) const override {
    if (project != "demo-project" || dataset != "shop") return {};
    return {table_, view_};
  }
  bool dataset_exists(const std::string& project, const std::string& dataset) const override {
    return project == "demo-project" && dataset == "shop";
  }

 private:
  bq::TableInfo table_, view_;
};

}  // namespace

GCPSIM_FUZZ_TARGET(bigquery_sql) {
  if (input.substr(0, 5) == "TYPE ") {
    (void)bq::parse_type(std::string(input.substr(5)));
    return;
  }
  static const OneTable catalog;
  bq::CompileOptions opt;
  opt.project = "demo-project";
  opt.default_dataset = "shop";
  bq::Parameter p;
  p.name = "min";
  p.type = bq::scalar(bq::Kind::kInt64);
  p.value = "5";
  opt.params.push_back(p);
  (void)bq::compile(std::string(input), catalog, opt);
}
