// A request's life in a Run revision: access checks and router faults, a ticket with its
// deadline on the clock, the autoscaler's grant (or 429), the instance's answer (or 504),
// and one run.request event with status, virtual latency and instance.
#include "services/run/revision.h"

#include <strings.h>

#include <cstdlib>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "services/run/responses.h"

namespace gcpsim::services::run {
namespace {

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

bool is_hex(std::string_view s, size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos &&
         s.find_first_not_of('0') != std::string_view::npos;
}

// The caller's trace id (traceparent, then X-Cloud-Trace-Context), if any.
std::string incoming_trace(const net::Headers& h) {
  if (auto tp = net::find_header(h, "traceparent"); tp && tp->size() >= 55 && is_hex(std::string_view(*tp).substr(3, 32), 32))
    return tp->substr(3, 32);
  if (auto xc = net::find_header(h, "X-Cloud-Trace-Context")) {
    auto id = xc->substr(0, xc->find('/'));
    if (is_hex(id, 32)) return id;
  }
  return "";
}

// Replaces same-named headers; an empty value removes the header.
void apply_headers(net::Headers& headers, const net::Headers& set) {
  for (const auto& [k, v] : set) {
    std::erase_if(headers, [&name = k](const auto& kv) { return strcasecmp(kv.first.c_str(), name.c_str()) == 0; });
    if (!v.empty()) headers.emplace_back(k, v);
  }
}

}  // namespace

// The router's view of this revision.
class Revision::Front final : public Frontend {
 public:
  explicit Front(Revision& r) : r_(r) {}
  void admit(Arrival a, std::function<void(Decision)> decide) override {
    Incoming in;
    in.method = std::move(a.method);
    in.target = std::move(a.target);
    in.path = path_of(in.target);
    in.headers = std::move(a.headers);
    in.remote_ip = std::move(a.remote_ip);
    in.websocket = a.websocket;
    in.internal = r_.is_internal(in.headers);
    in.arrived = r_.env_.clock.now();
    r_.admit(std::move(in), std::move(decide), nullptr);
  }
  void finished(uint64_t ticket, Outcome outcome) override { r_.finished(ticket, outcome); }
  void fetch_head(uint64_t ticket, int status, net::Headers headers, bool streaming) override {
    auto it = r_.tickets_.find(ticket);
    if (it == r_.tickets_.end() || !it->second.consumer) return;
    it->second.answered = true;
    it->second.consumer->head(status, std::move(headers), streaming);
  }
  void fetch_data(uint64_t ticket, std::string chunk) override {
    auto it = r_.tickets_.find(ticket);
    if (it != r_.tickets_.end() && it->second.consumer) it->second.consumer->data(std::move(chunk));
  }

 private:
  Revision& r_;
};

Revision::Revision(RevisionDeps& deps, std::string name, RunServiceConfig config)
    : deps_(deps), env_(deps.env), name_(std::move(name)), config_(std::move(config)) {
  revision_ = name_ + "-00001-" + env_.ids.hex("run.revision." + name_, 2).substr(0, 3);
  policy_.allow_unauthenticated = config_.allow_unauthenticated;
  policy_.ingress = config_.ingress;
  front_ = std::make_shared<Front>(*this);
  ScalerConfig sc;
  sc.concurrency = config_.concurrency;
  sc.min_instances = config_.min_instances;
  sc.max_instances = config_.max_instances;
  scaler_ = std::make_unique<Scaler>(env_.clock, sc,
                                     ScalerHooks{[this](uint64_t id) { start_instance(id); },
                                                 [this](uint64_t id) { stop_instance(id); },
                                                 [this](uint64_t t, uint64_t i) { grant(t, i); },
                                                 [this](uint64_t t) { reject(t); }});
}

Revision::~Revision() {
  if (deadline_timer_) env_.clock.cancel(*deadline_timer_);
  for (auto id : pending_timers_) env_.clock.cancel(id);
  for (auto& [id, inst] : instances_)
    if (inst.kill_timer) env_.clock.cancel(*inst.kill_timer);
}

core::Status Revision::start() {
  auto port = deps_.router.listen(static_cast<uint16_t>(config_.port.value_or(0)), front_);
  if (!port.ok()) return port.status();
  port_ = *port;
  std::string p = std::to_string(port_);
  std::string edge = name_ + ".run.localhost";
  policy_.audiences = {url(), "http://localhost:" + p, "http://" + edge + ":" + std::to_string(env_.edge_port),
                       "http://" + edge};
  core::Attrs attrs{{"revision", revision_}};
  if (config_.port) attrs["url"] = url();
  env_.events.record("run.service.ready", name_, std::move(attrs));
  scaler_->start();
  return core::Status::ok();
}

std::string Revision::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

bool Revision::is_internal(const net::Headers& headers) const {
  auto v = net::find_header(headers, kInternalHeader);
  return v && !deps_.internal_token.empty() && *v == deps_.internal_token;
}

void Revision::later(core::Duration d, std::function<void()> fn) {
  auto id = std::make_shared<uint64_t>(0);
  *id = env_.clock.schedule_in(d, [this, id, fn = std::move(fn)] {
    pending_timers_.erase(*id);
    fn();
  });
  pending_timers_.insert(*id);
}

// ---- requests the engine sends itself ----

Revision::Decide Revision::fetch_decider(std::shared_ptr<FetchConsumer> consumer) {
  return [this, consumer](Decision d) {
    switch (d.kind) {
      case Decision::Kind::kForward: return start_fetch(d);
      case Decision::Kind::kRespond: return consumer->respond(std::move(d.response));
      case Decision::Kind::kDrop: return consumer->respond(responses::upstream_failed());
    }
  };
}

void Revision::start_fetch(const Decision& d) {
  auto it = tickets_.find(d.ticket);
  if (it == tickets_.end()) return;
  Incoming& in = it->second.in;
  FetchRequest req{in.method, in.target, in.headers, std::move(in.body)};
  apply_headers(req.headers, d.set_headers);
  deps_.router.fetch(d.ticket, d.port, std::move(req), front_);
}

void Revision::request(net::OutboundRequest req, std::function<void(net::OutboundResponse)> done) {
  Incoming in;
  in.method = req.method;
  std::string_view url = req.url;
  if (url.rfind("http://", 0) == 0) url.remove_prefix(7);
  auto slash = url.find('/');
  in.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  in.path = path_of(in.target);
  in.headers = std::move(req.headers);
  if (!net::find_header(in.headers, "Host")) in.headers.emplace_back("Host", std::string(url.substr(0, slash)));
  in.internal = true;
  in.body = std::move(req.body);
  in.arrived = env_.clock.now();
  auto consumer = collect_response(std::move(done));
  admit(std::move(in), fetch_decider(consumer), consumer);
}

void Revision::handle_edge(net::HttpRequest& req, net::Reply reply) {
  if (!req.body_file.empty() || req.body_size > kMaxRequestBytes) return reply(responses::too_large());
  if (auto up = req.header("Upgrade"); up && strcasecmp(up->c_str(), "websocket") == 0)
    return reply(net::HttpResponse::text(400, "WebSocket upgrades are served on the service's own URL, " + url() + "\n"));
  Incoming in;
  in.method = req.method;
  in.target = req.target;
  in.path = path_of(req.target);
  in.headers = req.headers;
  in.remote_ip = req.remote_ip;
  in.internal = is_internal(in.headers);
  in.body = std::move(req.body);
  in.arrived = env_.clock.now();
  auto consumer = edge_response(std::move(reply));
  admit(std::move(in), fetch_decider(consumer), consumer);
}

// ---- admission ----

void Revision::admit(Incoming in, Decide decide, std::shared_ptr<FetchConsumer> consumer) {
  if (auto refusal = check_access(policy_, deps_.issuer, env_.clock.now(), in.headers, in.path, in.internal)) {
    record(in, refusal->status, in.arrived, std::nullopt, false, "");
    Decision d;
    d.response = std::move(*refusal);
    return decide(std::move(d));
  }
  if (apply_router_fault(in, decide, consumer)) return;
  enqueue(std::move(in), std::move(decide), std::move(consumer));
}

// Router fault rules: true when the rule took the request over.
bool Revision::apply_router_fault(Incoming& in, Decide& decide, std::shared_ptr<FetchConsumer>& consumer) {
  core::FaultSubject subject{core::Boundary::kRouter, name_, "run.request", in.path};
  auto action = env_.faults.check(subject);
  using Kind = core::FaultAction::Kind;
  if (!action) return false;
  if (action->kind == Kind::kCrash) {
    crash_one();
    return false;
  }
  if (action->kind == Kind::kDelay) {
    later(action->delay, [this, in = std::move(in), decide = std::move(decide), consumer = std::move(consumer)]() mutable {
      enqueue(std::move(in), std::move(decide), std::move(consumer));
    });
    return true;
  }
  Decision d;
  if (action->kind == Kind::kDrop) {
    d.kind = Decision::Kind::kDrop;
  } else if (action->kind == Kind::kTimeout) {
    d.response = responses::request_timeout();
  } else if (action->kind == Kind::kOutage) {
    d.response = responses::upstream_failed();
  } else {
    d.response = net::HttpResponse::error(core::Faults::to_status(*action, subject));
    if (action->http_status) d.response.status = action->http_status;
  }
  auto answer = [this, in = std::move(in), decide = std::move(decide), d = std::move(d)]() mutable {
    record(in, d.kind == Decision::Kind::kDrop ? 0 : d.response.status, in.arrived, std::nullopt, false, "");
    decide(std::move(d));
  };
  if (action->delay.count() > 0) {
    later(action->delay, std::move(answer));
  } else {
    answer();
  }
  return true;
}

void Revision::enqueue(Incoming in, Decide decide, std::shared_ptr<FetchConsumer> consumer) {
  uint64_t id = env_.ids.next_numeric("run.ticket");
  Ticket& t = tickets_[id];
  t.trace = incoming_trace(in.headers);
  if (t.trace.empty()) t.trace = env_.ids.hex("run.trace", 16);
  t.admitted = in.arrived;
  t.in = std::move(in);
  t.decide = std::move(decide);
  t.consumer = std::move(consumer);
  t.deadline = env_.clock.now() + config_.timeout;
  deadlines_.emplace(t.deadline, id);
  arm_deadline();
  scaler_->submit(id);
  auto it = tickets_.find(id);
  if (it != tickets_.end() && it->second.state == Ticket::State::kNew) it->second.state = Ticket::State::kQueued;
}

void Revision::grant(uint64_t ticket, uint64_t instance) {
  auto it = tickets_.find(ticket);
  auto inst = instances_.find(instance);
  if (it == tickets_.end() || inst == instances_.end()) return scaler_->release(instance);
  Ticket& t = it->second;
  const Scaler::Instance* si = scaler_->instance(instance);
  t.cold = t.state == Ticket::State::kQueued && si && si->served == 1;
  t.state = Ticket::State::kForwarding;
  if (!t.in.websocket) ++in_processes_;
  t.instance = instance;
  Decision d;
  d.kind = Decision::Kind::kForward;
  d.ticket = ticket;
  d.port = inst->second.port;
  d.set_headers = forward_headers(t.in, t.trace);
  t.decide(std::move(d));
}

void Revision::reject(uint64_t ticket) {
  auto it = tickets_.find(ticket);
  if (it == tickets_.end()) return;
  Ticket t = std::move(it->second);
  tickets_.erase(it);
  deadlines_.erase({t.deadline, ticket});
  auto r = responses::no_instance();
  record(t.in, r.status, t.admitted, std::nullopt, false, t.trace);
  Decision d;
  d.response = std::move(r);
  t.decide(std::move(d));
}

void Revision::finished(uint64_t ticket, Outcome outcome) {
  auto it = tickets_.find(ticket);
  if (it == tickets_.end()) return;  // timed out already
  Ticket t = std::move(it->second);
  tickets_.erase(it);
  deadlines_.erase({t.deadline, ticket});
  leave_process(t);
  if (t.instance) scaler_->release(*t.instance);
  int status = outcome.status;
  if (t.consumer) {
    bool failed = outcome.upstream_error || outcome.aborted;
    if (!t.answered) {
      auto r = responses::upstream_failed();
      status = r.status;
      t.consumer->respond(std::move(r));
    } else {
      t.consumer->end(!failed);
    }
  }
  record(t.in, status, t.admitted, t.instance, t.cold, t.trace);
}

size_t Revision::requests_in_processes() const {
  bool starting = false;
  // An instance told to stop (SIGTERM) counts until its exit is seen: the exit then lands at
  // the stop's instant instead of racing the clock to the SIGKILL grace timer.
  size_t stopping = 0;
  for (const auto& [id, inst] : instances_) {
    starting = starting || (inst.process && !inst.stopping && !inst.killed && inst.cold_start_ms < 0);
    stopping += inst.process && inst.stopping;
  }
  if (!starting) return in_processes_ + stopping;
  size_t queued = 0;
  for (const auto& [id, t] : tickets_) queued += t.state == Ticket::State::kQueued;
  return in_processes_ + stopping + queued;
}

size_t Revision::dying() const {
  size_t n = 0;
  for (const auto& [id, inst] : instances_) n += inst.process && inst.killed;
  return n;
}

// A forwarded request is no longer in a process (answered, timed out, or the revision gone).
void Revision::leave_process(const Ticket& t) {
  if (t.state == Ticket::State::kForwarding && !t.in.websocket) --in_processes_;
}

// ---- request timeouts ----

void Revision::arm_deadline() {
  if (deadline_timer_ || deadlines_.empty()) return;
  deadline_timer_ = env_.clock.schedule(deadlines_.begin()->first, [this] {
    deadline_timer_.reset();
    expire_deadlines();
  });
}

void Revision::expire_deadlines() {
  auto now = env_.clock.now();
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    uint64_t id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    time_out(id);
  }
  arm_deadline();
}

void Revision::time_out(uint64_t ticket) {
  auto it = tickets_.find(ticket);
  if (it == tickets_.end()) return;
  Ticket t = std::move(it->second);
  tickets_.erase(it);
  leave_process(t);
  auto r = responses::request_timeout();
  record(t.in, r.status, t.admitted, t.instance, t.cold, t.trace);
  if (t.state != Ticket::State::kForwarding) {
    scaler_->withdraw(ticket);
    Decision d;
    d.response = std::move(r);
    return t.decide(std::move(d));
  }
  scaler_->release(*t.instance);
  if (!t.consumer) return deps_.router.abort(ticket, std::move(r));
  deps_.router.abort(ticket, std::nullopt);
  if (t.answered) {
    t.consumer->end(false);
  } else {
    t.consumer->respond(std::move(r));
  }
}

// ---- headers and events ----

net::Headers Revision::forward_headers(const Incoming& in, const std::string& trace) const {
  std::string span = env_.ids.hex("run.span", 8);
  uint64_t span_num = std::strtoull(span.c_str(), nullptr, 16) >> 1;  // Cloud Trace span ids are decimal
  net::Headers h;
  h.reserve(5);
  h.emplace_back("X-Cloud-Trace-Context", trace + "/" + std::to_string(span_num) + ";o=1");
  h.emplace_back("traceparent", "00-" + trace + "-" + span + "-01");
  if (!in.remote_ip.empty()) {
    auto prior = net::find_header(in.headers, "X-Forwarded-For");
    h.emplace_back("X-Forwarded-For", prior && !prior->empty() ? *prior + ", " + in.remote_ip : in.remote_ip);
  }
  h.emplace_back("X-Forwarded-Proto", "http");
  h.emplace_back(kInternalHeader, "");
  return h;
}

void Revision::record(const Incoming& in, int status, core::Time admitted, std::optional<uint64_t> instance, bool cold,
                      const std::string& trace) {
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(env_.clock.now() - admitted).count();
  core::Attrs a{{"method", in.method}, {"path", in.path}, {"status", static_cast<int64_t>(status)},
                {"latencyMs", static_cast<int64_t>(latency)}};
  if (!trace.empty()) a["trace"] = trace;
  if (instance) a["instance"] = static_cast<int64_t>(*instance);
  if (cold) a["coldStart"] = true;
  if (in.websocket) a["websocket"] = true;
  env_.events.record("run.request", name_, std::move(a));
}

}  // namespace gcpsim::services::run
