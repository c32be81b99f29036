// The load balancer's decisions (see lb.h): URL map, backend choice with session affinity,
// Google's headers, fault rules at the `lb` boundary, and one lb.request event per request.
#include "services/compute/lb.h"

#include <strings.h>

#include <functional>

#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "services/compute/group.h"

namespace gcpsim::services::compute {
namespace {

constexpr char kCookie[] = "GCLB";

// Google front ends' error page, as served for a 502 (no healthy backend).
constexpr char k502Body[] =
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
    "  <meta name=viewport content=\"initial-scale=1, minimum-scale=1, width=device-width\">\n"
    "  <title>Error 502 (Server Error)!!1</title>\n"
    "  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n"
    "  <p><b>502.</b> <ins>That\xE2\x80\x99s an error.</ins>\n"
    "  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 "
    "seconds.  <ins>That\xE2\x80\x99s all we know.</ins>\n";

bool path_matches(const std::string& pattern, const std::string& path) {
  if (!pattern.empty() && pattern.back() == '*') return path.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return path == pattern;
}

std::string host_of(const net::Headers& headers) {
  std::string h = net::find_header(headers, "Host").value_or("");
  if (auto colon = h.rfind(':'); colon != std::string::npos && h.find(']') == std::string::npos) h.resize(colon);
  return h;
}

std::string cookie_value(const net::Headers& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k.size() != 6 || strncasecmp(k.c_str(), "cookie", 6) != 0) continue;
    size_t at = 0;
    while (at < v.size()) {
      size_t end = v.find(';', at);
      if (end == std::string::npos) end = v.size();
      std::string part = v.substr(at, end - at);
      part.erase(0, part.find_first_not_of(' '));
      if (part.rfind(name + "=", 0) == 0) {
        std::string value = part.substr(name.size() + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        return value;
      }
      at = end + 1;
    }
  }
  return "";
}

std::string describe(const Backend& b) {
  if (!b.group.empty()) return "group:" + b.group;
  if (!b.run.empty()) return "run:" + b.run;
  return "bucket:" + b.bucket;
}

// FNV-1a: a stable hash of the client address for CLIENT_IP affinity.
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

net::HttpResponse no_healthy_backend() {
  return net::HttpResponse::text(502, k502Body, "text/html; charset=UTF-8").header("Referrer-Policy", "no-referrer");
}

LoadBalancer::LoadBalancer(LbDeps& deps, std::string name, LoadBalancerConfig config)
    : deps_(deps), name_(std::move(name)), config_(std::move(config)) {}

core::Status LoadBalancer::start() {
  auto port = deps_.router.listen(static_cast<uint16_t>(config_.port), weak_from_this());
  if (!port.ok()) return port.status();
  port_ = *port;
  deps_.env.events.record("lb.ready", name_, {{"url", "http://127.0.0.1:" + std::to_string(port_)}});
  return core::Status::ok();
}

// Host rules in order ("*" matches any host), then their path rules in order; the host
// rule's default, then the URL map's.
const Backend& LoadBalancer::route(const std::string& host, const std::string& path) const {
  for (const auto& h : config_.host_rules) {
    bool host_ok = false;
    for (const auto& pattern : h.hosts) host_ok = host_ok || pattern == "*" || pattern == host;
    if (!host_ok) continue;
    for (const auto& r : h.path_rules)
      for (const auto& p : r.paths)
        if (path_matches(p, path)) return r.backend;
    if (h.default_backend) return *h.default_backend;
  }
  return config_.default_backend;
}

void LoadBalancer::record(const Flight& f, int status) {
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(deps_.env.clock.now() - f.started);
  core::Attrs attrs{{"method", f.method}, {"path", f.path}, {"backend", f.backend}, {"status", int64_t{status}},
                    {"latency_ms", int64_t{latency.count()}}};
  if (!f.instance.empty()) attrs["instance"] = f.instance;
  deps_.env.events.record("lb.request", name_, std::move(attrs));
}

void LoadBalancer::respond(const Flight& f, net::HttpResponse r, const std::function<void(run::Decision)>& decide) {
  record(f, r.status);
  run::Decision d;
  d.kind = run::Decision::Kind::kRespond;
  d.response = std::move(r);
  decide(std::move(d));
}

void LoadBalancer::admit(run::Arrival arrival, std::function<void(run::Decision)> decide) {
  std::string path = arrival.target.substr(0, arrival.target.find('?'));
  core::FaultSubject subject{core::Boundary::kLb, name_, "lb.request", path};
  auto action = deps_.env.faults.check(subject);
  using Kind = core::FaultAction::Kind;
  if (action && action->kind == Kind::kDelay) {
    auto self = weak_from_this();
    deps_.env.clock.schedule_in(action->delay, [self, arrival = std::move(arrival), decide = std::move(decide)]() mutable {
      if (auto lb = self.lock()) lb->choose(std::move(arrival), std::move(decide));
    });
    return;
  }
  if (action && action->kind != Kind::kCrash) {
    Flight f{arrival.method, path, "fault", "", "", deps_.env.clock.now()};
    if (action->kind == Kind::kDrop) {
      record(f, 0);
      run::Decision d;
      d.kind = run::Decision::Kind::kDrop;
      return decide(std::move(d));
    }
    if (action->kind == Kind::kOutage || action->kind == Kind::kTimeout) return respond(f, no_healthy_backend(), decide);
    auto r = net::HttpResponse::error(core::Faults::to_status(*action, subject));
    if (action->http_status) r.status = action->http_status;
    return respond(f, std::move(r), decide);
  }
  choose(std::move(arrival), std::move(decide));
}

void LoadBalancer::choose(run::Arrival arrival, std::function<void(run::Decision)> decide) {
  Flight f;
  f.method = arrival.method;
  f.path = arrival.target.substr(0, arrival.target.find('?'));
  f.started = deps_.env.clock.now();
  const Backend& b = route(host_of(arrival.headers), f.path);
  f.backend = describe(b);
  run::Decision d;
  d.kind = run::Decision::Kind::kForward;
  d.failed = no_healthy_backend();
  // What Google's front end adds: the client and the forwarding rule's address appended to
  // X-Forwarded-For, the scheme, Via, and a trace context when the client sent none.
  auto xff = net::find_header(arrival.headers, "X-Forwarded-For");
  d.set_headers.emplace_back("X-Forwarded-For", (xff ? *xff + ", " : "") + arrival.remote_ip + ", 127.0.0.1");
  d.set_headers.emplace_back("X-Forwarded-Proto", "http");
  d.set_headers.emplace_back("Via", "1.1 google");
  if (!net::find_header(arrival.headers, "X-Cloud-Trace-Context")) {
    std::string trace = deps_.env.ids.hex("lb.trace", 16) + "/" + std::to_string(deps_.env.ids.next_numeric("lb.span"));
    d.set_headers.emplace_back("X-Cloud-Trace-Context", trace);
  }
  if (!b.group.empty()) {
    if (!pick_instance(b, arrival, d, f)) return respond(f, no_healthy_backend(), decide);
  } else if (!b.run.empty()) {
    auto port = deps_.run_port(b.run);
    if (!port) return respond(f, no_healthy_backend(), decide);
    d.port = *port;
  } else {
    d.port = deps_.env.edge_port;
    // A backend bucket serves the object named by the path (without its leading '/').
    std::string query = arrival.target.size() > f.path.size() ? arrival.target.substr(f.path.size()) : "";
    d.target = "/" + b.bucket + f.path + query;
  }
  d.ticket = next_ticket_++;
  if (!f.group.empty()) deps_.group(f.group)->begin_request(f.instance);
  flights_[d.ticket] = std::move(f);
  decide(std::move(d));
}

// Among the group's serving instances (sorted by name): the GCLB cookie's instance while it
// serves, else the client address's hash (CLIENT_IP), else round robin.
bool LoadBalancer::pick_instance(const Backend& b, const run::Arrival& a, run::Decision& d, Flight& f) {
  Group* g = deps_.group(b.group);
  if (!g) return false;
  auto serving = g->serving();
  if (serving.empty()) return false;
  size_t pick = serving.size();
  if (config_.affinity == Affinity::kGeneratedCookie) {
    std::string want = cookie_value(a.headers, kCookie);
    for (size_t i = 0; i < serving.size() && !want.empty(); ++i)
      if (auto id = g->id_of(serving[i].first); id && std::to_string(*id) == want) pick = i;
  } else if (config_.affinity == Affinity::kClientIp) {
    pick = fnv1a(a.remote_ip) % serving.size();
  }
  if (pick == serving.size()) {
    pick = next_rr_[b.group]++ % serving.size();
    if (config_.affinity == Affinity::kGeneratedCookie) {
      std::string cookie = std::string(kCookie) + "=" + std::to_string(*g->id_of(serving[pick].first)) + "; path=/; HttpOnly";
      if (config_.cookie_ttl.count() > 0)
        cookie += "; Max-Age=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(config_.cookie_ttl).count());
      d.response_headers.emplace_back("Set-Cookie", cookie);
    }
  }
  f.group = b.group;
  f.instance = serving[pick].first;
  d.host = serving[pick].second;
  d.port = static_cast<uint16_t>(g->config().named_ports.at(b.port_name));
  return true;
}

void LoadBalancer::finished(uint64_t ticket, run::Outcome outcome) {
  auto it = flights_.find(ticket);
  if (it == flights_.end()) return;
  Flight f = std::move(it->second);
  flights_.erase(it);
  int status = outcome.upstream_error ? 502 : outcome.status;
  record(f, status);
  if (!f.group.empty())
    if (Group* g = deps_.group(f.group)) g->end_request(f.instance);
}

}  // namespace gcpsim::services::compute
