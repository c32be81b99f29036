// Compute Engine as gcpsim hosts it: the `compute:` section's managed instance groups (real
// processes per instance on 127.0.1.N), each instance's metadata view, and the HTTP load
// balancers in front of groups, Run services and buckets; plus /_gcpsim/compute to list,
// resize, roll and recreate.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "services/compute/config.h"  // compute_section(), for the services table
#include "services/service.h"

namespace gcpsim::proc { class Supervisor; }
namespace gcpsim::services::run { class Router; }

namespace gcpsim::services::compute {

class Addresses;
class Group;
class LoadBalancer;
class MetadataView;
struct GroupDeps;
struct LbDeps;
struct InstanceIdentity;

class ComputeService final : public Service {
 public:
  static std::unique_ptr<Service> create(Context& ctx);
  ~ComputeService() override;

  void start() override;
  void stop() override;
  // Load-balanced requests in the instances' processes (a process waiting on the emulator
  // holds one of them, which a timer answers).
  size_t requests_in_processes() const;
  // Instances booting, processes (re)starting or dying, health-check probes on the wire:
  // real work, whatever the processes wait on, so the clock waits for all of it.
  size_t background_work() const override;

 private:
  explicit ComputeService(Context& ctx);
  void add_routes(net::Router& router);
  Group* group(const std::string& name) const;
  std::optional<InstanceIdentity> identity(uint32_t address) const;
  uint16_t metadata_port(uint32_t address);

  Context ctx_;
  const ComputeConfig* config_ = nullptr;
  std::unique_ptr<proc::Supervisor> supervisor_;
  std::unique_ptr<run::Router> router_;
  std::unique_ptr<Addresses> addresses_;
  std::unique_ptr<GroupDeps> group_deps_;
  std::unique_ptr<LbDeps> lb_deps_;
  std::map<std::string, std::unique_ptr<Group>> groups_;
  std::map<std::string, std::shared_ptr<LoadBalancer>> lbs_;
  std::map<uint32_t, std::pair<std::shared_ptr<MetadataView>, uint16_t>> metadata_;  // by address
  std::vector<std::pair<std::string, std::string>> backing_env_;
  bool stopped_ = false;
};

}  // namespace gcpsim::services::compute
