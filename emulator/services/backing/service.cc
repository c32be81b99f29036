// The backing service of one emulator: starts (or resets) the servers kept in the Runtime,
// schedules automated Cloud SQL backups and Firestore TTL sweeps on the clock, and serves the
// control routes under /_gcpsim/backing.
#include "services/backing/service.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "net/http.h"
#include "services/backing/config.h"
#include "services/backing/instances.h"
#include "services/backing/ttl.h"
#include "services/secrets/service.h"

namespace gcpsim::services::backing {
namespace {

using nlohmann::json;
constexpr core::Duration kDay = std::chrono::hours(24);

// The next instant after `now` at `minutes` past midnight UTC.
core::Time next_daily(core::Time now, int minutes) {
  auto day = std::chrono::floor<std::chrono::days>(now);
  core::Time t = day + std::chrono::minutes(minutes);
  return t > now ? t : t + kDay;
}

json backup_json(const Backup& b) {
  // The Admin API's BackupRun, as far as gcpsim keeps it.
  return {{"kind", "sql#backupRun"}, {"id", std::to_string(b.id)}, {"instance", b.instance},
          {"type", b.type}, {"status", "SUCCESSFUL"}, {"windowStartTime", core::format_rfc3339(b.at)},
          {"endTime", core::format_rfc3339(b.at)}};
}

net::HttpResponse error(const core::Status& st) { return net::HttpResponse::error(st); }

}  // namespace

void release(Runtime& runtime) {
  if (auto servers = std::move(runtime.backing)) servers->stop();
}

std::unique_ptr<Service> BackingService::create(Context& ctx) {
  std::unique_ptr<BackingService> svc(new BackingService(ctx));
  svc->add_routes(ctx.router);
  return svc;
}

BackingService::BackingService(Context& ctx) : ctx_(ctx) {}

BackingService::~BackingService() { stop(); }

void BackingService::start() {
  const BackingConfig* cfg = config_of(ctx_.stack);
  if (!cfg) return;
  servers_ = ctx_.runtime.backing;
  if (servers_) {
    servers_->reset();
  } else {
    auto* secrets = ctx_.registry.get<secrets::SecretsService>("secrets");
    auto read = [secrets](const std::string& name) -> core::StatusOr<std::string> {
      if (!secrets) return core::Status::failed_precondition("Secret Manager is not served");
      return secrets->access(name, "latest");
    };
    servers_ = std::make_shared<Servers>(ctx_.env, *cfg, ctx_.runtime, ctx_.http);
    ctx_.runtime.backing = servers_;
    servers_->start(read);
  }
  for (const auto& pg : cfg->postgres)
    if (pg.backups) schedule_backup(pg);
  if (cfg->firestore && !cfg->firestore->ttl.empty()) {
    ttl_ = std::make_unique<TtlSweeper>(ctx_.env, ctx_.http, *cfg->firestore, servers_);
    ttl_->start();
  }
}

void BackingService::stop() {
  for (auto id : timers_) ctx_.env.clock.cancel(id);
  timers_.clear();
  ttl_.reset();
  servers_.reset();
}

void BackingService::when_ready(std::function<void()> done) {
  if (!servers_) return done();
  servers_->when_ready(std::move(done));
}

std::vector<std::pair<std::string, std::string>> BackingService::env_vars() const {
  return servers_ ? servers_->env_vars() : std::vector<std::pair<std::string, std::string>>{};
}

size_t BackingService::background_work() const { return (servers_ ? servers_->jobs() : 0) + (ttl_ ? ttl_->in_flight() : 0); }

// Cloud SQL's automated backup: daily in the window starting at `start` (gcpsim takes it at
// the window's start), keeping the newest `retained`.
void BackingService::schedule_backup(const PostgresConfig& pg) {
  auto at = next_daily(ctx_.env.clock.now(), pg.backups->start_minutes);
  timers_.push_back(ctx_.env.clock.schedule(at, [this, &pg] {
    // The servers, not this service, outlive a reset that comes while pg_dump runs.
    servers_->backup(pg.name, "AUTOMATED", [servers = servers_, &pg](core::StatusOr<Backup> b) {
      if (b.ok()) servers->trim_backups(pg.name, "AUTOMATED", static_cast<size_t>(pg.backups->retained));
    });
    schedule_backup(pg);
  }));
}

// GET /_gcpsim/backing: servers, their public ports, state and the variables Run services get.
// POST /_gcpsim/backing/{name}:kill — SIGKILL the server (it is restarted, as after a crash).
void BackingService::add_routes(net::Router& router) {
  router.add_guarded("GET", "/_gcpsim/backing", [this](net::HttpRequest&, net::Reply reply) {
    json env = json::object();
    for (const auto& [k, v] : env_vars()) env[k] = v;
    json servers = servers_ ? servers_->describe() : json::object();
    reply(net::HttpResponse::json(200, json{{"servers", std::move(servers)}, {"env", std::move(env)}}.dump()));
  });
  router.add_guarded("POST", "/_gcpsim/backing/{target}", [this](net::HttpRequest& req, net::Reply reply) {
    std::string target = req.param("target");
    auto colon = target.rfind(':');
    std::string name = target.substr(0, colon);
    if (colon == std::string::npos || target.substr(colon + 1) != "kill")
      return reply(error(core::Status::invalid_argument("expected " + name + ":kill")));
    if (!servers_) return reply(error(core::Status::not_found("backing server [" + name + "] is not running")));
    servers_->kill(name, std::move(reply));
  });
  add_backup_routes(router);
}

// GET  /_gcpsim/backing/{name}/backups               — the instance's backup runs, newest first
// POST /_gcpsim/backing/{name}/backups               — an on-demand backup (answers when taken)
// POST /_gcpsim/backing/{name}/backups/{id}:restore  — restore it into the instance
void BackingService::add_backup_routes(net::Router& router) {
  router.add_guarded("GET", "/_gcpsim/backing/{name}/backups", [this](net::HttpRequest& req, net::Reply reply) {
    if (!servers_) return reply(error(core::Status::not_found("the stack has no backing servers")));
    std::string name = req.param("name");
    auto list = servers_->backups(name);
    if (!list.ok()) return reply(error(list.status()));
    json items = json::array();
    for (auto it = list->rbegin(); it != list->rend(); ++it) items.push_back(backup_json(*it));
    reply(net::HttpResponse::json(200, json{{"backups", std::move(items)}}.dump()));
  });
  router.add_guarded("POST", "/_gcpsim/backing/{name}/backups", [this](net::HttpRequest& req, net::Reply reply) {
    if (!servers_) return reply(error(core::Status::not_found("the stack has no backing servers")));
    std::string name = req.param("name");
    servers_->backup(name, "ON_DEMAND", [reply = std::move(reply)](core::StatusOr<Backup> b) {
      if (!b.ok()) return reply(error(b.status()));
      reply(net::HttpResponse::json(200, backup_json(*b).dump()));
    });
  });
  router.add_guarded("POST", "/_gcpsim/backing/{name}/backups/{target}", [this](net::HttpRequest& req, net::Reply reply) {
    if (!servers_) return reply(error(core::Status::not_found("the stack has no backing servers")));
    std::string name = req.param("name"), target = req.param("target");
    auto colon = target.rfind(':');
    if (colon == std::string::npos || target.substr(colon + 1) != "restore")
      return reply(error(core::Status::invalid_argument("expected {backup id}:restore, got '" + target + "'")));
    int64_t id = 0;
    try {
      size_t used = 0;
      id = std::stoll(target.substr(0, colon), &used);
      if (used != colon) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return reply(error(core::Status::invalid_argument("a backup run id is a number, got '" + target.substr(0, colon) + "'")));
    }
    servers_->restore(name, id, [name, id, reply = std::move(reply)](core::Status st) {
      if (!st.is_ok()) return reply(error(st));
      reply(net::HttpResponse::json(200, json{{"restored", std::to_string(id)}, {"instance", name}}.dump()));
    });
  });
}

}  // namespace gcpsim::services::backing
