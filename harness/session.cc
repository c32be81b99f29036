// Session: a fresh app::Server on a virtual clock, requests in process or over sockets,
// and the loop that settles real I/O and then jumps the clock to the next timer.
#include "harness/session.h"

#include "services/backing/config.h"
#include "services/functions/config.h"
#include "services/run/config.h"

#include <atomic>
#include <fstream>
#include <map>

#include "core/clock.h"
#include "core/env.h"
#include "harness/faketime.h"

namespace gcpsim::harness {
namespace {

// Between looks at the emulator, real I/O runs this long; this many looks make the bound
// on how long real I/O may take to settle (about a minute).
constexpr auto kPoll = std::chrono::microseconds(250);
constexpr int kMaxPolls = 240000;
constexpr auto kSocketGuard = std::chrono::milliseconds(120000);
// How long (in polls) a Run service's router may take to record a request it answered.
constexpr int kRecordPolls = 4000;
// With no timer left before the limit, how long (in polls) a condition may wait on what
// real processes do by themselves (a killed process's exit, a log line) — about 5 s.
constexpr int kIdlePolls = 20000;

// An edge request handed to the engine, and its answer (written on the engine thread).
struct Pending {
  net::HttpRequest req;
  Response response;
  std::atomic<bool> done{false};
};

// Collects a streamed body (SSE, chunked) until the handler ends it.
class Collector final : public net::BodyWriter {
 public:
  explicit Collector(std::shared_ptr<Pending> p) : p_(std::move(p)) {}
  bool write(std::string chunk) override {
    p_->response.body += chunk;
    return true;
  }
  void end() override { p_->done = true; }

 private:
  std::shared_ptr<Pending> p_;
};

std::string read_slice(const net::FileSlice& f) {
  std::ifstream in(f.path, std::ios::binary);
  std::string out(f.length, '\0');
  in.seekg(static_cast<std::streamoff>(f.offset));
  in.read(out.data(), static_cast<std::streamsize>(f.length));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

net::HttpRequest to_edge_request(const Request& r, uint16_t port) {
  net::HttpRequest req;
  req.method = r.method;
  req.target = r.target;
  auto q = r.target.find('?');
  req.path = r.target.substr(0, q);
  std::string_view qs = q == std::string::npos ? "" : std::string_view(r.target).substr(q + 1);
  while (!qs.empty()) {
    auto amp = qs.find('&');
    auto part = qs.substr(0, amp);
    auto eq = part.find('=');
    if (!part.empty()) {
      req.query.emplace_back(net::percent_decode(part.substr(0, eq), true),
                             eq == std::string_view::npos ? "" : net::percent_decode(part.substr(eq + 1), true));
    }
    qs = amp == std::string_view::npos ? "" : qs.substr(amp + 1);
  }
  req.headers = r.headers;
  if (!net::find_header(req.headers, "Host")) req.headers.emplace_back("Host", "127.0.0.1:" + std::to_string(port));
  if (!r.body.empty()) req.headers.emplace_back("Content-Length", std::to_string(r.body.size()));
  req.body = r.body;
  req.body_size = r.body.size();
  req.remote_ip = "127.0.0.1";
  req.loopback = true;
  return req;
}

}  // namespace

Session::Session(SessionOptions options)
    : options_(std::move(options)),
      server_([this] {
        app::ServerOptions o;
        o.port = 0;
        o.clock_mode = core::Clock::Mode::kVirtual;
        o.start_time = options_.start_time;
        o.stack = options_.stack;
        return o;
      }()),
      has_processes_(!services::run::stack_run(options_.stack).empty() ||
                     !services::functions::stack_functions(options_.stack).empty() ||
                     services::backing::config_of(options_.stack) != nullptr ||
                     options_.stack.sections.count("compute")) {}

Session::~Session() { server_.stop(); }

core::Status Session::start() {
  write_faketime();
  return server_.start();
}

core::Time Session::now() {
  return on_engine([](core::Env& env) { return env.clock.now(); });
}

std::vector<core::Event> Session::events_since(uint64_t seq) {
  return on_engine([seq](core::Env& env) {
    core::EventQuery q;
    q.since_seq = seq;
    return env.events.query(q);
  });
}

core::StatusOr<Response> Session::exchange(Request r, core::Time limit) {
  std::vector<Request> one;
  one.push_back(std::move(r));
  auto all = exchange_all(std::move(one), limit);
  if (!all.ok()) return all.status();
  return std::move(all->front());
}

// Socket requests all start before the clock is driven, so they are in flight together;
// edge requests are all handed to the engine first.
core::StatusOr<std::vector<Response>> Session::exchange_all(std::vector<Request> reqs, core::Time limit) {
  std::vector<std::optional<Response>> got(reqs.size());
  std::vector<std::pair<size_t, SocketClient::Id>> sockets;
  std::vector<std::pair<size_t, std::shared_ptr<Pending>>> edge;
  // Per Run service and path: how many run.request events there were, and how many more to await.
  std::map<std::pair<std::string, std::string>, std::pair<size_t, size_t>> routed;
  for (size_t i = 0; i < reqs.size(); ++i) {
    Request& r = reqs[i];
    if (!r.url.empty()) {
      if (!r.run_service.empty()) {
        auto key = std::make_pair(r.run_service, r.target.substr(0, r.target.find('?')));
        auto [it, fresh] = routed.try_emplace(key, 0, 0);
        if (fresh) it->second.first = run_requests(key.first, key.second);
        ++it->second.second;
      }
      sockets.emplace_back(i, sockets_.start(std::move(r), kSocketGuard));
      continue;
    }
    auto p = std::make_shared<Pending>();
    p->req = to_edge_request(r, port());
    edge.emplace_back(i, p);
    server_.run_on_engine([this, p] {
      server_.handle(p->req, [p](net::HttpResponse res) {
        p->response.status = res.status;
        p->response.headers = res.headers;
        p->response.body = std::move(res.body);
        if (res.file) p->response.body = read_slice(*res.file);
        if (res.stream) return res.stream(std::make_shared<Collector>(p));
        p->done = true;
      });
    });
  }
  auto sockets_done = [&] {
    bool all = true;
    for (auto& [i, id] : sockets) {
      if (!got[i]) got[i] = sockets_.take(id);
      all = all && got[i].has_value();
    }
    return all;
  };
  auto edge_done = [&edge](core::Env&) {
    for (auto& [i, p] : edge) {
      if (!p->done.load()) return false;
    }
    return true;
  };
  Until until;
  if (!sockets.empty()) until.harness = sockets_done;
  if (!edge.empty()) until.engine = edge_done;
  if (sockets.empty() && edge.empty()) return std::vector<Response>{};
  // Both kinds at once: the harness condition decides, once the edge answers are in.
  if (!sockets.empty() && !edge.empty()) {
    until.harness = [&] { return sockets_done() && on_engine(edge_done); };
    until.engine = nullptr;
  }
  auto done = drive(until, limit);
  if (!done.ok()) return done.status();
  for (auto& [i, p] : edge) {
    if (p->done.load()) got[i] = p->response;
  }
  size_t missing = 0;
  for (const auto& g : got) missing += !g.has_value();
  if (missing == got.size() && got.size() == 1) {
    return core::Status::deadline_exceeded("no response within the step's timeout (virtual time)");
  }
  if (missing > 0) {
    return core::Status::deadline_exceeded(std::to_string(missing) + " of " + std::to_string(got.size()) +
                                           " requests got no response within the step's timeout (virtual time)");
  }
  for (const auto& [key, counts] : routed) await_run_requests(key.first, key.second, counts.first + counts.second);
  std::vector<Response> out;
  out.reserve(got.size());
  for (auto& g : got) out.push_back(std::move(*g));
  return out;
}

// run.request events of a service for a path: the router records each request it answered.
size_t Session::run_requests(const std::string& service, const std::string& path) {
  return on_engine([&](core::Env& env) {
    core::EventQuery q;
    q.kind = "run.request";
    q.service = service;
    size_t n = 0;
    for (const auto& e : env.events.query(q)) {
      auto it = e.attrs.find("path");
      n += it != e.attrs.end() && std::get_if<std::string>(&it->second) && std::get<std::string>(it->second) == path;
    }
    return n;
  });
}

// The reply can reach the harness before the router has recorded the request; the
// transcript must not depend on which comes first.
void Session::await_run_requests(const std::string& service, const std::string& path, size_t total) {
  for (int polls = 0; polls < kRecordPolls && run_requests(service, path) < total; ++polls) sockets_.poll(kPoll);
  (void)settle();
}

core::StatusOr<bool> Session::drive(const Until& until, core::Time limit) {
  auto holds = [&] { return (until.harness && until.harness()) || (until.engine && on_engine(until.engine)); };
  for (;;) {
    auto st = settle();
    if (!st.is_ok()) return st;
    if (until.harness && until.harness()) return true;
    Jump j = run_timers(until, limit);
    if (j == Jump::kDone) return true;
    if (j == Jump::kMoved || j == Jump::kBusy) continue;
    if ((until.engine || until.harness) && has_processes_) {
      auto waited = wait_on_processes(holds, limit);
      if (!waited.ok()) return waited.status();
      if (*waited == Jump::kDone) return true;
      if (*waited == Jump::kMoved) continue;
    }
    on_engine([limit](core::Env& env) {
      if (env.clock.now() < limit) env.clock.set(limit);
    });
    write_faketime();
    st = settle();
    if (!st.is_ok()) return st;
    return holds();
  }
}

core::StatusOr<bool> Session::hold(const Until& until, core::Duration real) {
  const int64_t polls = std::chrono::duration_cast<std::chrono::microseconds>(real) / kPoll;
  for (int64_t i = 0;; ++i) {
    auto st = settle();
    if (!st.is_ok()) return st;
    if ((until.harness && until.harness()) || (until.engine && on_engine(until.engine))) return true;
    if (i >= polls) return false;
    sockets_.poll(kPoll);
  }
}

// No timer is due before the limit, but processes may still act on their own: give them
// real time (bounded) before the clock jumps to the limit.
core::StatusOr<Session::Jump> Session::wait_on_processes(const std::function<bool()>& holds, core::Time limit) {
  for (int polls = 0; polls < kIdlePolls; ++polls) {
    sockets_.poll(kPoll);
    auto st = settle();
    if (!st.is_ok()) return st;
    if (holds()) return Jump::kDone;
    bool timer = on_engine([limit](core::Env& env) {
      auto next = env.clock.next_timer();
      return next && *next <= limit;
    });
    if (timer) return Jump::kMoved;
  }
  return Jump::kIdle;
}

// Engine thread: check, jump to the next timer, check again… Stops after one jump when
// real I/O may have started (processes, sockets, outbound requests), so it can settle.
Session::Jump Session::run_timers(const Until& until, core::Time limit) {
  size_t sockets = sockets_.outstanding();
  bool real_io = has_processes_ || sockets > 0;
  Jump j = on_engine([&](core::Env& env) {
    for (bool first = true;; first = false) {
      if (until.engine && until.engine(env)) return Jump::kDone;
      // Settled, but an edge request a process was waiting on may have been answered since
      // (it ran on the engine before this): then the process is working again.
      if (first && busy(server_.activity(), sockets)) return Jump::kBusy;
      if (!env.clock.step(limit)) return Jump::kIdle;
      auto a = server_.activity();
      if (real_io || a.outbound > 0 || a.background > 0) return Jump::kMoved;
    }
  });
  if (j == Jump::kDone || j == Jump::kMoved) write_faketime();
  return j;
}

// Real work the clock must wait for: edge requests the engine has not started yet, outbound
// requests on the wire, the services' work off the engine thread, harness sockets whose service is not waiting on the emulator, and
// requests in processes beyond those waiting on the emulator (each waiting one holds an
// edge request the engine has started: a timer will answer it).
bool Session::busy(const app::Server::Activity& a, size_t sockets) {
  return a.inbound > a.held || a.outbound > 0 || a.background > 0 || (sockets > 0 && a.held == 0) ||
         a.in_processes > a.held;
}

core::Status Session::settle() {
  uint64_t last_seq = UINT64_MAX;
  size_t last_sockets = SIZE_MAX;
  for (int polls = 0;; ++polls) {
    auto [activity, seq] = on_engine([this](core::Env& env) { return std::pair{server_.activity(), env.events.last_seq()}; });
    size_t in_processes = activity.in_processes;
    size_t sockets = sockets_.outstanding();
    bool busy = Session::busy(activity, sockets);
    // Processes act on their own: wait for one whole poll in which nothing happened (a
    // reply may reach the harness before the router has recorded it).
    if (has_processes_ && (seq != last_seq || sockets != last_sockets)) busy = true;
    last_seq = seq;
    last_sockets = sockets;
    if (!busy) return core::Status::ok();
    if (polls >= kMaxPolls) {
      return core::Status::deadline_exceeded("real I/O did not settle: " + std::to_string(activity.outbound) +
                                             " outbound, " + std::to_string(activity.background) +
                                             " background jobs, " + std::to_string(in_processes) +
                                             " routed to processes and " + std::to_string(sockets) +
                                             " harness requests still in flight");
    }
    sockets_.poll(kPoll);
  }
}

bool Session::ws_readable(const std::string& name) {
  auto it = websockets_.find(name);
  return it != websockets_.end() && (!sockets_.ws_closed(it->second.id) || !it->second.end_reported);
}

bool Session::ws_open_now(const std::string& name) {
  auto it = websockets_.find(name);
  return it != websockets_.end() && !sockets_.ws_closed(it->second.id);
}

core::StatusOr<Response> Session::ws_open(const std::string& name, Request req, core::Time limit) {
  WebSocket ws;
  ws.service = req.run_service;
  ws.path = req.target.substr(0, req.target.find('?'));
  if (!ws.service.empty()) ws.routed_before = run_requests(ws.service, ws.path);
  ws.id = sockets_.open_websocket(std::move(req), kSocketGuard);
  std::optional<Response> got;
  Until until;
  until.harness = [&] {
    if (!got) got = sockets_.take(ws.id);
    return got.has_value();
  };
  auto done = drive(until, limit);
  if (!done.ok()) return done.status();
  if (!got) return core::Status::deadline_exceeded("no answer to the WebSocket handshake within the step's timeout (virtual time)");
  // A refused upgrade is an ordinary request for the router: wait until it is recorded.
  if (got->status != 101 && !ws.service.empty()) await_run_requests(ws.service, ws.path, ws.routed_before + 1);
  ws.recorded = got->status != 101;
  websockets_[name] = ws;
  return *got;
}

core::StatusOr<Session::Frames> Session::ws_exchange(const std::string& name, const std::vector<std::string>& send,
                                                     Stop stop, bool close, core::Time limit,
                                                     std::optional<core::Duration> hold) {
  auto it = websockets_.find(name);
  if (it == websockets_.end()) return core::Status::failed_precondition("no WebSocket named '" + name + "' was opened");
  WebSocket& ws = it->second;
  for (const auto& text : send) sockets_.ws_send(ws.id, text);
  // Frames that came before this step count too; new ones are judged as they arrive.
  std::vector<std::string> got = std::exchange(ws.unread, {});
  for (auto& f : sockets_.ws_take(ws.id)) got.push_back(std::move(f));
  auto holds_in = [&](const std::vector<std::string>& frames) {
    for (size_t n = 0; n < frames.size(); ++n)
      if (stop(frames[n], n)) return true;
    return false;
  };
  if (stop && !holds_in(got) && !sockets_.ws_closed(ws.id)) {
    size_t next = got.size();
    sockets_.ws_await(ws.id, [&next, &stop](const std::string& f) { return stop(f, next++); });
    Until until;
    until.harness = [&] { return !sockets_.ws_awaited(ws.id); };
    auto done = hold ? this->hold(until, *hold) : drive(until, limit);
    sockets_.ws_await(ws.id, nullptr);
    if (!done.ok()) return done.status();
    for (auto& f : sockets_.ws_take(ws.id)) got.push_back(std::move(f));
  }
  if (close) {
    sockets_.ws_close(ws.id);
    sockets_.ws_await(ws.id, [](const std::string&) { return false; });  // until it has ended
    Until until;
    until.harness = [&] { return sockets_.ws_closed(ws.id); };
    auto done = drive(until, limit);
    if (!done.ok()) return done.status();
    for (auto& f : sockets_.ws_take(ws.id)) got.push_back(std::move(f));
  }
  Frames out;
  for (size_t n = 0; n < got.size(); ++n) {
    bool last = stop && !out.stopped && !close && stop(got[n], n);
    if (out.stopped) {
      ws.unread.push_back(std::move(got[n]));
      continue;
    }
    out.frames.push_back(std::move(got[n]));
    out.stopped = last;
  }
  if (close && stop) out.stopped = holds_in(out.frames);
  out.closed = sockets_.ws_closed(ws.id) && ws.unread.empty();
  out.close_code = out.closed ? sockets_.ws_close_code(ws.id) : 0;
  ws.end_reported = ws.end_reported || out.closed;
  if (sockets_.ws_closed(ws.id)) await_ws_recorded(ws);
  return out;
}

// The router records a WebSocket when its byte pump ends; the transcript must not depend on
// whether that comes before or after the next step.
void Session::await_ws_recorded(WebSocket& ws) {
  if (ws.recorded || ws.service.empty()) return;
  await_run_requests(ws.service, ws.path, ws.routed_before + 1);
  ws.recorded = true;
}

void Session::write_faketime() {
  if (options_.faketime_file.empty()) return;
  write_faketime_file(options_.faketime_file, server_.port() ? now() : options_.start_time);
}

}  // namespace gcpsim::harness
