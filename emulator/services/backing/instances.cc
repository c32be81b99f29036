// Runs the backing servers' plans: one-shot preparation, the server on a private port behind
// its fault proxy, readiness, seeding, restart after a crash, reset in place; and the fault
// rules' verdicts for the proxies, recorded as events on the clock.
#include "services/backing/instances.h"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/stack.h"
#include "net/http.h"
#include "net/http_client.h"
#include "net/tcp_proxy.h"
#include "services/backing/servers.h"
#include "proc/limits.h"
#include "proc/supervisor.h"

namespace gcpsim::services::backing {
namespace {

// Exits before a server ever answers, in a row, before gcpsim gives up on it.
constexpr int kMaxFailedStarts = 5;
constexpr size_t kTailLines = 20;

net::ProxyVerdict to_verdict(const std::optional<core::FaultAction>& a) {
  net::ProxyVerdict v;
  if (!a) return v;
  using K = core::FaultAction::Kind;
  switch (a->kind) {
    case K::kDelay:
      v.kind = net::ProxyVerdict::Kind::kSlow;
      v.latency = a->delay;
      v.bandwidth_kbps = a->bandwidth_kbps;
      break;
    case K::kError:
    case K::kCrash:
    case K::kOutage: v.kind = net::ProxyVerdict::Kind::kReset; break;
    case K::kDrop:
    case K::kTimeout: v.kind = net::ProxyVerdict::Kind::kBlackhole; break;
  }
  return v;
}

const char* verdict_name(net::ProxyVerdict::Kind k) {
  switch (k) {
    case net::ProxyVerdict::Kind::kPass: return "pass";
    case net::ProxyVerdict::Kind::kSlow: return "slow";
    case net::ProxyVerdict::Kind::kReset: return "reset";
    case net::ProxyVerdict::Kind::kBlackhole: return "blackhole";
  }
  return "pass";
}

// Keeps a server's last output lines, for error messages.
void keep_tail(std::deque<std::string>& tail, std::string line) {
  tail.push_back(std::move(line));
  if (tail.size() > kTailLines) tail.pop_front();
}

std::string join_tail(const std::deque<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

Servers::Servers(core::Env& env, const BackingConfig& config, Runtime& runtime, net::HttpClient& http)
    : env_(env), config_(config), runtime_(runtime), http_(http) {}

Servers::~Servers() { stop(); }

// A server's private port and its proxy (public port, and for Postgres the Cloud SQL socket).
Servers::Server* Servers::add(const std::string& name, std::optional<int> public_port, std::string unix_path) {
  auto s = std::make_unique<Server>();
  s->name = name;
  auto& srv = *servers_.emplace(name, std::move(s)).first->second;
  auto priv = proc::pick_free_port();
  if (!priv.ok()) return fail(srv, priv.status().message()), nullptr;
  srv.private_port = *priv;
  net::TcpProxyOptions po;
  po.name = name;
  po.port = static_cast<uint16_t>(public_port.value_or(0));
  po.unix_path = std::move(unix_path);
  po.upstream_port = srv.private_port;
  // One proxy.fault event each time what this server's connections get changes, per phase,
  // not one per connection: clients reconnect on real-time backoff, so how many connections
  // an outage refuses differs from run to run, and the transcript must not.
  po.check = [this, s = &srv, name, alive = std::weak_ptr<bool>(alive_)](
                 const char* phase, std::function<void(net::ProxyVerdict)> done) {
    runtime_.post([this, s, name, alive, phase, done = std::move(done)] {
      if (alive.expired()) return done({});
      core::FaultSubject subject{core::Boundary::kProxy, name, std::string("proxy.") + phase, name};
      auto v = to_verdict(env_.faults.check(subject));
      if (v.kind == net::ProxyVerdict::Kind::kPass) {
        s->reported.erase(phase);
      } else {
        core::Attrs attrs = {{"phase", std::string(phase)}, {"action", std::string(verdict_name(v.kind))}};
        if (v.latency.count()) attrs["latency"] = core::format_duration(v.latency);
        if (v.bandwidth_kbps) attrs["bandwidth"] = v.bandwidth_kbps;
        auto [it, added] = s->reported.try_emplace(phase, attrs);
        if (added || it->second != attrs) {
          it->second = attrs;
          env_.events.record("proxy.fault", name, std::move(attrs));
        }
      }
      done(v);
    });
  };
  srv.proxy = std::make_unique<net::TcpProxy>(*runtime_.io, std::move(po));
  auto st = srv.proxy->start();
  if (!st.is_ok()) return fail(srv, st.message()), nullptr;
  return &srv;
}

void Servers::start(const SecretReader& secret) {
  supervisor_ = std::make_unique<proc::Supervisor>(runtime_.engine);
  auto begin = [&](Server* srv, const std::function<core::StatusOr<Plan>(uint16_t)>& make_plan) {
    if (!srv) return;
    auto plan = make_plan(srv->private_port);
    if (!plan.ok()) return fail(*srv, plan.status().message());
    srv->plan = std::move(plan).value();
    env_.events.record("backing.start", srv->name, {{"restarts", int64_t{0}}});
    boot(*srv);
  };
  for (const auto& r : config_.redis) {
    Server* srv = add(r.name, r.port, "");
    if (!srv) continue;
    srv->redis = &r;
    core::Status problem = core::Status::ok();
    if (!r.auth_secret.empty()) {
      auto value = secret(r.auth_secret);
      if (value.ok()) srv->secret = *value;
      else problem = core::Status(value.status().code(), "auth_secret " + r.auth_secret + ": " + value.status().message());
    } else if (r.auth) {
      srv->secret = env_.ids.uuid("memorystore.auth");  // Memorystore's AUTH strings are UUIDs
    }
    begin(srv, [&](uint16_t port) -> core::StatusOr<Plan> {
      if (!problem.is_ok()) return problem;
      return redis_plan(port, r, srv->secret);
    });
  }
  if (!config_.postgres.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gcpsim-sql-XXXXXX").string();
    if (mkdtemp(tmpl.data())) {
      socket_root_ = tmpl;
      ::chmod(socket_root_.c_str(), 0755);
    }
  }
  for (const auto& pg : config_.postgres) {
    std::string unix_path, dir;
    if (!socket_root_.empty()) {
      dir = socket_root_ + "/cloudsql/" + env_.project + ":" + env_.region + ":" + pg.instance;
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      unix_path = dir + "/.s.PGSQL.5432";
    }
    Server* srv = add(pg.name, pg.port, unix_path);
    if (!srv) continue;
    srv->postgres = &pg;
    srv->socket_dir = dir;
    core::Status problem = core::Status::ok();
    if (!pg.password_secret.empty()) {
      auto value = secret(pg.password_secret);
      if (value.ok()) srv->secret = *value;
      else problem = core::Status(value.status().code(), "password_secret " + pg.password_secret + ": " + value.status().message());
    }
    const std::string& base = env_.work_dir;
    begin(srv, [&](uint16_t port) -> core::StatusOr<Plan> {
      if (!problem.is_ok()) return problem;
      std::string data = base + "/backing/" + pg.name;
      if (pg.engine == PostgresConfig::Engine::kPglite) return pglite_plan({pg, "", data + "/pglite", base, port});
      return postgres_plan({pg, srv->secret, data + "/data", base, port});
    });
  }
  if (config_.firestore) {
    begin(add("firestore", config_.firestore->port, ""),
          [&](uint16_t port) { return firestore_plan(env_.project, port, *config_.firestore); });
  }
  env_.faults.set_observer([this] { rearm(); });
  rearm();
}

// Preparation one-shots, then the server.
void Servers::boot(Server& s) {
  run_steps(s, &s.plan.before, 0, [this, &s] { launch(s); });
}

// Runs steps[i..] one after another; a step that fails fails the server.
void Servers::run_steps(Server& s, const std::vector<proc::SpawnSpec>* steps, size_t i, std::function<void()> then) {
  if (i >= steps->size()) return then();
  proc::LaunchSpec spec;
  spec.spawn = (*steps)[i];
  proc::ProcessCallbacks cb;
  cb.lines = [&s](proc::Stream, std::vector<std::string> lines) {
    for (auto& l : lines) keep_tail(s.tail, std::move(l));
  };
  std::string what = std::filesystem::path(spec.spawn.argv[spec.spawn.argv[0] == "setpriv" ? 5 : 0]).filename().string();
  cb.exited = [this, &s, steps, i, then = std::move(then), what](proc::ExitStatus st) mutable {
    if (stopped_) return;
    if (st.code != 0) return fail(s, what + " exited with status " + std::to_string(st.code) + ":\n" + join_tail(s.tail));
    run_steps(s, steps, i + 1, std::move(then));
  };
  auto id = supervisor_->launch(std::move(spec), std::move(cb));
  if (!id.ok()) fail(s, id.status().message());
}

void Servers::launch(Server& s) {
  if (stopped_ || s.state == Server::State::kFailed) return;
  proc::LaunchSpec spec;
  spec.spawn = s.plan.server;
  spec.port = s.private_port;
  s.answered = false;
  proc::ProcessCallbacks cb;
  cb.lines = [this, &s](proc::Stream, std::vector<std::string> lines) {
    for (auto& l : lines) {
      bool ready = !s.plan.ready_line.empty() && !s.answered && l.find(s.plan.ready_line) != std::string::npos;
      keep_tail(s.tail, std::move(l));
      if (ready) on_answers(s);
    }
  };
  cb.ready = [this, &s] {
    if (s.plan.ready_line.empty() && !s.answered) on_answers(s);
  };
  cb.probe_failed = [this, &s] {
    if (!s.answered) fail(s, s.name + " did not answer on its port:\n" + join_tail(s.tail));
  };
  cb.exited = [this, &s](proc::ExitStatus st) { on_exit(s, st.code, st.signal); };
  auto id = supervisor_->launch(std::move(spec), std::move(cb));
  if (!id.ok()) return fail(s, id.status().message());
  s.process = *id;
  if (s.restarts > 0) env_.events.record("backing.start", s.name, {{"restarts", static_cast<int64_t>(s.restarts)}});
}

// The server answers: prepare and seed it the first time (database, init SQL, seed data),
// then it is ready. After a crash it comes back as it restarts (Redis and Firestore empty).
void Servers::on_answers(Server& s) {
  s.answered = true;
  if (s.state == Server::State::kReady) return;
  if (s.seeded) {
    if (!s.reset_pending) return set_ready(s);
    return reset(s);
  }
  run_steps(s, &s.plan.after, 0, [this, &s] {
    if (!s.plan.done_marker.empty()) std::ofstream(s.plan.done_marker) << "seeded by gcpsim\n";
    s.plan.after.clear();
    seed(s, [this, &s] {
      s.seeded = true;
      set_ready(s);
    });
  });
}

// The stack's seed data: one-shots (redis-cli), then calls (Firestore documents).
void Servers::seed(Server& s, std::function<void()> then) {
  run_steps(s, &s.plan.seed, 0, [this, &s, then = std::move(then)]() mutable {
    run_calls(s, &s.plan.seed_calls, 0, std::move(then));
  });
}

// Calls to the server's private port, in order (not through its proxy: faults do not apply);
// one that does not succeed fails the server.
void Servers::run_calls(Server& s, const std::vector<Call>* calls, size_t i, std::function<void()> then) {
  if (i >= calls->size()) return then();
  const Call& call = (*calls)[i];
  net::OutboundRequest r;
  r.method = call.method;
  r.url = "http://127.0.0.1:" + std::to_string(s.private_port) + call.target;
  r.headers.emplace_back("Authorization", "Bearer owner");  // the emulator's admin: rules do not apply
  if (!call.body.empty()) {
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = call.body;
  }
  std::string what = call.method + " " + call.target;
  http_.send(std::move(r), [this, alive = std::weak_ptr<bool>(alive_), &s, calls, i, then = std::move(then),
                            what](net::OutboundResponse res) mutable {
    if (alive.expired() || stopped_) return;
    if (res.status < 200 || res.status >= 300) {
      return fail(s, what + " failed: " + (res.status ? "status " + std::to_string(res.status) + ": " + res.body : res.error));
    }
    run_calls(s, calls, i + 1, std::move(then));
  });
}

// POST /_gcpsim/reset: every server that is up goes back to the stack's initial state in
// place (emptied, init SQL, seed data); until then it counts as starting, so the reset
// answers once all are done. A server still starting is seeded when it answers.
void Servers::reset() {
  all_started_ = false;
  for (auto& [name, s] : servers_) {
    drop_backups(*s);
    if (s->state == Server::State::kReady) {
      s->state = Server::State::kStarting;
      reset(*s);
    } else if (s->state == Server::State::kStarting && s->seeded) {
      s->reset_pending = true;  // restarting after a crash
    }
  }
  rearm();
  notify_waiters();
}

void Servers::reset(Server& s) {
  s.reset_pending = false;
  run_steps(s, &s.plan.reset, 0, [this, &s] {
    run_calls(s, &s.plan.reset_calls, 0, [this, &s] { seed(s, [this, &s] { set_ready(s); }); });
  });
}

// At start-up the servers become ready in whatever order they happen to; their events are
// recorded together, in name order, once all are up, so the transcript does not depend on it.
void Servers::set_ready(Server& s) {
  s.state = Server::State::kReady;
  s.failed_starts = 0;
  if (all_started_) env_.events.record("backing.ready", s.name);
  notify_waiters();
}

// A crash: logged, and the server comes back on the same private port (its proxy keeps
// waiting connections until it answers). Repeated failures to start give up.
void Servers::on_exit(Server& s, int code, int signal) {
  s.process.reset();
  if (stopped_) return;
  core::Attrs attrs = {{"code", static_cast<int64_t>(code)}};
  if (signal) attrs["signal"] = static_cast<int64_t>(signal);
  env_.events.record("backing.exit", s.name, std::move(attrs));
  std::cerr << "gcpsim: backing " << s.name << " exited (status " << code << "), restarting" << std::endl;
  if (s.state == Server::State::kFailed) return;
  if (!s.answered && ++s.failed_starts >= kMaxFailedStarts) {
    return fail(s, s.name + " exited " + std::to_string(kMaxFailedStarts) + " times before answering:\n" + join_tail(s.tail));
  }
  ++s.restarts;
  if (s.state == Server::State::kReady) s.state = Server::State::kStarting;
  launch(s);
}

void Servers::fail(Server& s, const std::string& error) {
  s.state = Server::State::kFailed;
  s.error = error;
  env_.events.record("backing.error", s.name, {{"error", error}});
  std::cerr << "gcpsim: backing " << s.name << ": " << error << std::endl;
  if (s.process && supervisor_) supervisor_->kill(*s.process);
  notify_waiters();
}

void Servers::when_ready(std::function<void()> done) {
  waiters_.push_back(std::move(done));
  notify_waiters();
}

void Servers::notify_waiters() {
  for (const auto& [name, s] : servers_)
    if (s->state == Server::State::kStarting) return;
  if (!all_started_ && !stopped_) {
    all_started_ = true;
    for (const auto& [name, s] : servers_)
      if (s->state == Server::State::kReady) env_.events.record("backing.ready", name);
  }
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiters) w();
}

// The proxies ask the engine only while some rule could apply to them.
void Servers::rearm() {
  for (auto& [name, s] : servers_)
    if (s->proxy) s->proxy->set_armed(env_.faults.may_fire(core::Boundary::kProxy, name));
}

void Servers::stop() {
  if (stopped_) return;
  stopped_ = true;
  *alive_ = false;
  alive_.reset();
  if (!servers_.empty()) env_.faults.set_observer(nullptr);
  for (auto& [name, s] : servers_)
    if (s->proxy) s->proxy->close();
  if (supervisor_) supervisor_->stop_all(proc::kTerminationGrace);
  servers_.clear();
  supervisor_.reset();
  if (!socket_root_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(socket_root_, ec);
  }
  notify_waiters();
}

nlohmann::json Servers::describe() const {
  using nlohmann::json;
  json servers = json::object();
  for (const auto& [name, s] : servers_) {
    const char* state = s->state == Server::State::kReady ? "READY" : s->state == Server::State::kFailed ? "FAILED" : "STARTING";
    json j = {{"state", state}, {"port", s->proxy ? s->proxy->port() : 0}, {"upstreamPort", s->private_port},
              {"restarts", s->restarts}};
    if (s->redis) {
      j["kind"] = "redis";
      j["instance"] = s->redis->instance;
      j["databases"] = s->redis->databases;
      if (!s->secret.empty()) j["authString"] = s->secret;  // Memorystore's instances.getAuthString
    } else if (s->postgres) {
      j["kind"] = "postgres";
      j["instance"] = s->postgres->instance;
      j["connectionName"] = env_.project + ":" + env_.region + ":" + s->postgres->instance;
      j["engine"] = s->postgres->engine == PostgresConfig::Engine::kPglite ? "pglite" : "postgres";
    } else {
      j["kind"] = "firestore";
    }
    if (!s->error.empty()) j["error"] = s->error;
    servers[name] = std::move(j);
  }
  return servers;
}

void Servers::kill(const std::string& name, net::Reply reply) {
  auto it = servers_.find(name);
  if (it == servers_.end()) return reply(net::HttpResponse::error(core::Status::not_found("backing server [" + name + "] is not running")));
  if (it->second->process) supervisor_->kill(*it->second->process);
  reply(net::HttpResponse::json(200, nlohmann::json{{"killed", name}}.dump()));
}

// The variables Run services get: the first instance of each kind under the plain names Cloud
// Run samples read, and, when instances are named, every one under NAME_SUFFIX (main →
// DATABASE_URL_MAIN).
std::vector<std::pair<std::string, std::string>> Servers::env_vars() const {
  std::vector<std::pair<std::string, std::string>> vars;
  auto port_of = [&](const std::string& name) -> std::optional<uint16_t> {
    auto it = servers_.find(name);
    if (it == servers_.end() || !it->second->proxy) return std::nullopt;
    return it->second->proxy->port();
  };
  auto add_redis = [&](const RedisConfig& r, const std::string& suffix) {
    auto p = port_of(r.name);
    if (!p) return;
    vars.emplace_back("REDIS_HOST" + suffix, "127.0.0.1");
    vars.emplace_back("REDIS_PORT" + suffix, std::to_string(*p));
    const auto& auth = servers_.at(r.name)->secret;
    if (!auth.empty()) vars.emplace_back("REDIS_AUTH" + suffix, auth);
  };
  auto add_postgres = [&](const PostgresConfig& pg, const std::string& suffix) {
    auto p = port_of(pg.name);
    if (!p) return;
    const Server& s = *servers_.at(pg.name);
    std::string connection = env_.project + ":" + env_.region + ":" + pg.instance;
    bool pglite = pg.engine == PostgresConfig::Engine::kPglite;
    // PGlite answers as its one database and user, whatever the client asks for.
    vars.emplace_back("DATABASE_URL" + suffix, pglite ? postgres_url("postgres", "", *p, "postgres")
                                                      : postgres_url(pg.user, s.secret, *p, pg.database));
    vars.emplace_back("INSTANCE_CONNECTION_NAME" + suffix, connection);
    if (!s.socket_dir.empty()) {
      if (suffix.empty()) vars.emplace_back("CLOUD_SQL_SOCKET_DIR", socket_root_ + "/cloudsql");
      vars.emplace_back("INSTANCE_UNIX_SOCKET" + suffix, s.socket_dir);
    }
  };
  for (size_t i = 0; i < config_.redis.size(); ++i) {
    if (i == 0) add_redis(config_.redis[i], "");
    if (config_.named_redis) add_redis(config_.redis[i], "_" + env_suffix(config_.redis[i].instance));
  }
  for (size_t i = 0; i < config_.postgres.size(); ++i) {
    if (i == 0) add_postgres(config_.postgres[i], "");
    if (config_.named_postgres) add_postgres(config_.postgres[i], "_" + env_suffix(config_.postgres[i].instance));
  }
  if (auto p = port_of("firestore")) vars.emplace_back("FIRESTORE_EMULATOR_HOST", "127.0.0.1:" + std::to_string(*p));
  return vars;
}

Servers::Server* Servers::find(const std::string& name) const {
  auto it = servers_.find(name);
  return it == servers_.end() ? nullptr : it->second.get();
}

bool Servers::ready(const std::string& name) const {
  auto* s = find(name);
  return s && s->state == Server::State::kReady;
}

uint16_t Servers::private_port(const std::string& name) const {
  auto* s = find(name);
  return s ? s->private_port : 0;
}

}  // namespace gcpsim::services::backing
