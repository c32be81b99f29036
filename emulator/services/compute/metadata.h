// Each instance's own view of the metadata server: gcpsim listens on the instance's address
// (at the edge's port number) and sets GCE_METADATA_HOST to it. Instance paths (name, id,
// zone, hostname, internal IP, instance/attributes/*) and project/attributes/* are answered
// here; everything else (project id, service-account tokens) goes on to gcpsim's metadata
// server on the edge. Engine thread only.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "services/run/router.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::services::compute {

struct InstanceIdentity {
  std::string name, group, zone;
  uint64_t id = 0;
  uint32_t address = 0;
  const std::map<std::string, std::string>* attributes = nullptr;
};

class MetadataView final : public run::Frontend {
 public:
  using Lookup = std::function<std::optional<InstanceIdentity>(uint32_t address)>;
  MetadataView(core::Env& env, uint32_t address, Lookup lookup, const std::map<std::string, std::string>& project);

  void admit(run::Arrival arrival, std::function<void(run::Decision)> decide) override;
  void finished(uint64_t, run::Outcome) override {}
  void fetch_head(uint64_t, int, net::Headers, bool) override {}
  void fetch_data(uint64_t, std::string) override {}

 private:
  std::optional<net::HttpResponse> answer(const InstanceIdentity& who, const std::string& path,
                                          const std::string& query) const;

  core::Env& env_;
  uint32_t address_;
  Lookup lookup_;
  const std::map<std::string, std::string>& project_;
  uint64_t next_ticket_ = 1;
};

}  // namespace gcpsim::services::compute
