// An external HTTP load balancer: a forwarding port on 127.0.0.1, a URL map (host and path
// rules) to backends — instance groups, Cloud Run services (serverless NEGs, through the Run
// router) and buckets (backend buckets, through Cloud Storage on the edge) — session
// affinity, Google's request headers, 502 when no backend is healthy, `lb.request` events
// and fault rules at the `lb` boundary. A frontend of the Cloud Run router, which does the
// proxying. Engine thread only.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "services/compute/config.h"
#include "services/run/router.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::services::compute {

class Group;

struct LbDeps {
  core::Env& env;
  run::Router& router;
  std::function<Group*(const std::string&)> group;
  std::function<std::optional<uint16_t>(const std::string&)> run_port;  // a Run service's port
};

// Google's 502 page for a request no backend could take.
net::HttpResponse no_healthy_backend();

class LoadBalancer final : public run::Frontend, public std::enable_shared_from_this<LoadBalancer> {
 public:
  LoadBalancer(LbDeps& deps, std::string name, LoadBalancerConfig config);
  core::Status start();
  const std::string& name() const { return name_; }
  uint16_t port() const { return port_; }
  size_t in_flight() const { return flights_.size(); }

  void admit(run::Arrival arrival, std::function<void(run::Decision)> decide) override;
  void finished(uint64_t ticket, run::Outcome outcome) override;
  void fetch_head(uint64_t, int, net::Headers, bool) override {}
  void fetch_data(uint64_t, std::string) override {}

 private:
  struct Flight {
    std::string method, path, backend, group, instance;
    core::Time started{};
  };
  const Backend& route(const std::string& host, const std::string& path) const;
  void choose(run::Arrival arrival, std::function<void(run::Decision)> decide);
  bool pick_instance(const Backend& b, const run::Arrival& a, run::Decision& d, Flight& f);
  void respond(const Flight& f, net::HttpResponse r, const std::function<void(run::Decision)>& decide);
  void record(const Flight& f, int status);

  LbDeps& deps_;
  std::string name_;
  LoadBalancerConfig config_;
  uint16_t port_ = 0;
  uint64_t next_ticket_ = 1;
  std::map<uint64_t, Flight> flights_;
  std::map<std::string, size_t> next_rr_;  // round robin per group
};

}  // namespace gcpsim::services::compute
