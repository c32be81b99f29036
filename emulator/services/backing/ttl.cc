// Firestore TTL sweeps: a collection-group query per policy (`field <= now` as a timestamp),
// then one DELETE per expired document, in the query's order (by expiry, then name).
#include "services/backing/ttl.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/events.h"
#include "core/time.h"
#include "net/http_client.h"
#include "services/backing/instances.h"

namespace gcpsim::services::backing {

using nlohmann::json;

TtlSweeper::TtlSweeper(core::Env& env, net::HttpClient& http, const FirestoreConfig& config, std::shared_ptr<Servers> servers)
    : env_(env), http_(http), config_(config), servers_(std::move(servers)) {}

TtlSweeper::~TtlSweeper() {
  if (timer_) env_.clock.cancel(*timer_);
}

void TtlSweeper::start() {
  timer_ = env_.clock.schedule_in(config_.ttl_sweep, [this] {
    timer_.reset();
    sweep();
    start();
  });
}

std::string TtlSweeper::base() const {
  return "http://127.0.0.1:" + std::to_string(servers_->private_port("firestore"));
}

void TtlSweeper::sweep() {
  if (sweeping_ || !servers_->ready("firestore")) return;  // the next sweep catches up
  sweeping_ = true;
  query(0, core::format_rfc3339(env_.clock.now()));
}

void TtlSweeper::done() { sweeping_ = false; }

void TtlSweeper::query(size_t policy, std::string now) {
  if (policy >= config_.ttl.size()) return done();
  const TtlPolicy& p = config_.ttl[policy];
  json q = {{"structuredQuery",
             {{"from", json::array({{{"collectionId", p.collection_group}, {"allDescendants", true}}})},
              {"where", {{"fieldFilter", {{"field", {{"fieldPath", p.field}}}, {"op", "LESS_THAN_OR_EQUAL"},
                                          {"value", {{"timestampValue", now}}}}}}},
              {"orderBy", json::array({{{"field", {{"fieldPath", p.field}}}, {"direction", "ASCENDING"}}})}}}};
  net::OutboundRequest r;
  r.method = "POST";
  r.url = base() + "/v1/projects/" + env_.project + "/databases/(default)/documents:runQuery";
  r.headers.emplace_back("Authorization", "Bearer owner");  // the emulator's admin: rules do not apply
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = q.dump();
  http_.send(std::move(r), [this, alive = std::weak_ptr<bool>(alive_), policy, now](net::OutboundResponse res) {
    if (alive.expired()) return;
    auto names = std::make_shared<std::vector<std::string>>();
    json body = json::parse(res.body, nullptr, false);
    if (res.status != 200 || !body.is_array()) {
      env_.events.record("firestore.ttl.error", "firestore",
                         {{"collectionGroup", config_.ttl[policy].collection_group},
                          {"error", "runQuery: status " + std::to_string(res.status) + " " + res.error}});
      return query(policy + 1, now);
    }
    for (const auto& item : body)
      if (item.contains("document")) names->push_back(item["document"].value("name", ""));
    remove(policy, now, names, 0);
  });
}

void TtlSweeper::remove(size_t policy, std::string now, std::shared_ptr<std::vector<std::string>> names, size_t i) {
  if (i >= names->size()) return query(policy + 1, now);
  const std::string& name = (*names)[i];
  net::OutboundRequest r;
  r.method = "DELETE";
  r.url = base() + "/v1/" + name;
  r.headers.emplace_back("Authorization", "Bearer owner");
  http_.send(std::move(r), [this, alive = std::weak_ptr<bool>(alive_), policy, now, names, i](net::OutboundResponse res) {
    if (alive.expired()) return;
    const std::string& name = (*names)[i];
    auto at = name.find("/documents/");
    std::string document = at == std::string::npos ? name : name.substr(at + 11);
    if (res.status == 200) {
      env_.events.record("firestore.ttl.deleted", "firestore",
                         {{"document", document}, {"field", config_.ttl[policy].field}});
    } else {
      env_.events.record("firestore.ttl.error", "firestore",
                         {{"document", document}, {"error", "delete: status " + std::to_string(res.status) + " " + res.error}});
    }
    remove(policy, now, names, i + 1);
  });
}

}  // namespace gcpsim::services::backing
