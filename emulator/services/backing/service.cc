// Runs the backing servers' plans: one-shot preparation, the server on a private port behind
// its fault proxy, readiness, seeding, restart after a crash, reset in place; and the fault
// rules' verdicts for the proxies, recorded as events on the clock.
#include "services/backing/service.h"

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
#include "core/stack.h"
#include "net/http.h"
#include "net/http_client.h"
#include "net/tcp_proxy.h"
#include "services/backing/servers.h"
#include "proc/limits.h"
#include "proc/supervisor.h"
#include "services/secrets/service.h"

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

// The servers of one gcpsim process: created by the first emulator, kept in the Runtime
// across resets. Engine thread.
class Servers {
 public:
  Servers(core::Env& env, const core::StackConfig& stack, Runtime& runtime, net::HttpClient& http)
      : env_(env), stack_(stack), runtime_(runtime), http_(http) {}
  ~Servers() { stop(); }

  void start(const std::string& password, const core::Status& password_problem);
  void reset();
  void stop();
  void when_ready(std::function<void()> done);
  void kill(const std::string& name, net::Reply reply);
  nlohmann::json describe() const;
  std::vector<std::pair<std::string, std::string>> env_vars() const;

 private:
  struct Server {
    enum class State { kStarting, kReady, kFailed };
    std::string name;            // redis | postgres | firestore
    Plan plan;
    uint16_t private_port = 0;
    std::unique_ptr<net::TcpProxy> proxy;
    std::optional<uint64_t> process;
    State state = State::kStarting;
    bool answered = false;       // this launch passed its readiness check
    bool seeded = false;         // the first launch's one-shots and seed ran
    bool reset_pending = false;  // a reset came while it was (re)starting: done when it answers
    int failed_starts = 0;
    int restarts = 0;
    std::string error;
    std::deque<std::string> tail;  // last output lines, for error messages
  };

  void boot(Server& s);
  void run_steps(Server& s, const std::vector<proc::SpawnSpec>* steps, size_t i, std::function<void()> then);
  void run_calls(Server& s, const std::vector<Call>* calls, size_t i, std::function<void()> then);
  void seed(Server& s, std::function<void()> then);
  void reset(Server& s);
  void launch(Server& s);
  void on_answers(Server& s);
  void on_exit(Server& s, int code, int signal);
  void set_ready(Server& s);
  void fail(Server& s, const std::string& error);
  void notify_waiters();
  void rearm();

  core::Env& env_;
  const core::StackConfig& stack_;
  Runtime& runtime_;
  net::HttpClient& http_;
  std::string password_;
  std::unique_ptr<proc::Supervisor> supervisor_;
  std::map<std::string, std::unique_ptr<Server>> servers_;
  std::vector<std::function<void()>> waiters_;
  std::string socket_root_;  // temp dir holding cloudsql/PROJECT:REGION:INSTANCE
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool all_started_ = false;  // every server answered or gave up once (since the last reset)
  bool stopped_ = false;
};

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
  const auto& cfg = ctx_.stack.backing;
  if (!cfg.redis && !cfg.postgres && !cfg.firestore) return;
  servers_ = ctx_.runtime.backing;
  if (servers_) return servers_->reset();
  std::string password;
  core::Status problem = core::Status::ok();
  if (cfg.postgres && !cfg.postgres->password_secret.empty()) {
    auto* secrets = ctx_.registry.get<secrets::SecretsService>("secrets");
    auto value = secrets ? secrets->access(cfg.postgres->password_secret, "latest")
                         : core::StatusOr<std::string>(core::Status::failed_precondition("Secret Manager is not served"));
    if (value.ok()) password = *value;
    else problem = value.status();
  }
  servers_ = std::make_shared<Servers>(ctx_.env, ctx_.stack, ctx_.runtime, ctx_.http);
  ctx_.runtime.backing = servers_;
  servers_->start(password, problem);
}

void BackingService::stop() { servers_.reset(); }

void BackingService::when_ready(std::function<void()> done) {
  if (!servers_) return done();
  servers_->when_ready(std::move(done));
}

std::vector<std::pair<std::string, std::string>> BackingService::env_vars() const {
  return servers_ ? servers_->env_vars() : std::vector<std::pair<std::string, std::string>>{};
}

void Servers::start(const std::string& password, const core::Status& problem) {
  const auto& cfg = stack_.backing;
  password_ = password;
  supervisor_ = std::make_unique<proc::Supervisor>(runtime_.engine);

  auto add = [&](const std::string& name, std::optional<int> public_port,
                 const std::function<core::StatusOr<Plan>(uint16_t)>& make_plan, std::string unix_path = "") {
    auto s = std::make_unique<Server>();
    s->name = name;
    auto& srv = *servers_.emplace(name, std::move(s)).first->second;
    auto priv = proc::pick_free_port();
    if (!priv.ok()) return fail(srv, priv.status().message());
    srv.private_port = *priv;
    net::TcpProxyOptions po;
    po.name = name;
    po.port = static_cast<uint16_t>(public_port.value_or(0));
    po.unix_path = std::move(unix_path);
    po.upstream_port = srv.private_port;
    po.check = [this, name, alive = std::weak_ptr<bool>(alive_)](const char* phase, net::ProxyVerdict previous,
                                                                 std::function<void(net::ProxyVerdict)> done) {
      runtime_.post([this, name, alive, phase, previous, done = std::move(done)] {
        if (alive.expired()) return done({});
        core::FaultSubject subject{core::Boundary::kProxy, name, std::string("proxy.") + phase, name};
        auto v = to_verdict(env_.faults.check(subject));
        if (v.kind != net::ProxyVerdict::Kind::kPass && !(v == previous)) {
          core::Attrs attrs = {{"phase", std::string(phase)}, {"action", std::string(verdict_name(v.kind))}};
          if (v.latency.count()) attrs["latency"] = core::format_duration(v.latency);
          if (v.bandwidth_kbps) attrs["bandwidth"] = v.bandwidth_kbps;
          env_.events.record("proxy.fault", name, std::move(attrs));
        }
        done(v);
      });
    };
    srv.proxy = std::make_unique<net::TcpProxy>(*runtime_.io, std::move(po));
    auto st = srv.proxy->start();
    if (!st.is_ok()) return fail(srv, st.message());
    auto plan = make_plan(srv.private_port);
    if (!plan.ok()) return fail(srv, plan.status().message());
    srv.plan = std::move(plan).value();
    env_.events.record("backing.start", name, {{"restarts", int64_t{0}}});
    boot(srv);
  };

  if (cfg.redis) add("redis", cfg.redis->port, [&](uint16_t port) { return redis_plan(port, cfg.redis->seed); });
  if (cfg.postgres) {
    const auto& pg = *cfg.postgres;
    std::string tmpl = (std::filesystem::temp_directory_path() / "gcpsim-sql-XXXXXX").string();
    std::string unix_path;
    if (mkdtemp(tmpl.data())) {
      socket_root_ = tmpl;
      ::chmod(socket_root_.c_str(), 0755);
      std::string dir = socket_root_ + "/cloudsql/" + env_.project + ":" + env_.region + ":" + pg.instance;
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      unix_path = dir + "/.s.PGSQL.5432";
    }
    std::string base = env_.work_dir;
    add("postgres", pg.port,
        [&](uint16_t port) -> core::StatusOr<Plan> {
          if (!problem.is_ok()) return core::Status(problem.code(), "password_secret " + pg.password_secret + ": " + problem.message());
          return postgres_plan({pg, password, base + "/backing/postgres/data", base, port});
        },
        unix_path);
  }
  if (cfg.firestore) {
    add("firestore", cfg.firestore->port, [&](uint16_t port) { return firestore_plan(env_.project, port, *cfg.firestore); });
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

// GET /_gcpsim/backing: servers, their public ports, state and the variables Run services get.
// POST /_gcpsim/backing/{name}:kill — SIGKILL the server (it is restarted, as after a crash).
void BackingService::add_routes(net::Router& router) {
  using nlohmann::json;
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
      return reply(net::HttpResponse::error(core::Status::invalid_argument("expected " + name + ":kill")));
    if (!servers_) return reply(net::HttpResponse::error(core::Status::not_found("backing server [" + name + "] is not running")));
    servers_->kill(name, std::move(reply));
  });
}

std::vector<std::pair<std::string, std::string>> Servers::env_vars() const {
  std::vector<std::pair<std::string, std::string>> vars;
  auto port_of = [&](const std::string& name) -> std::optional<uint16_t> {
    auto it = servers_.find(name);
    if (it == servers_.end() || !it->second->proxy) return std::nullopt;
    return it->second->proxy->port();
  };
  const auto& cfg = stack_.backing;
  if (auto p = port_of("redis")) {
    vars.emplace_back("REDIS_HOST", "127.0.0.1");
    vars.emplace_back("REDIS_PORT", std::to_string(*p));
  }
  if (auto p = port_of("postgres")) {
    const auto& pg = *cfg.postgres;
    std::string connection = env_.project + ":" + env_.region + ":" + pg.instance;
    vars.emplace_back("DATABASE_URL", postgres_url(pg.user, password_, *p, pg.database));
    vars.emplace_back("INSTANCE_CONNECTION_NAME", connection);
    if (!socket_root_.empty()) {
      vars.emplace_back("CLOUD_SQL_SOCKET_DIR", socket_root_ + "/cloudsql");
      vars.emplace_back("INSTANCE_UNIX_SOCKET", socket_root_ + "/cloudsql/" + connection);
    }
  }
  if (auto p = port_of("firestore")) vars.emplace_back("FIRESTORE_EMULATOR_HOST", "127.0.0.1:" + std::to_string(*p));
  return vars;
}

}  // namespace gcpsim::services::backing
