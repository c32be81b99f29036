// Backing servers (stack file `backing:`): Memorystore as redis-server, Cloud SQL as
// PostgreSQL (Debian's server, or PGlite for pgvector), Firestore as the Google Cloud CLI's
// emulator. Each runs as a real process on a private port, supervised by Run's supervisor
// (started, probed, restarted after crashes, stopped with the emulator), and is reached only
// through its own TCP fault proxy.
// The servers outlive a reset: they are kept in the Runtime (one per gcpsim process), and the
// rebuilt service returns each to the stack's initial state (emptied, init SQL and seed data
// again) in place. The process's stop releases them, which stops them. What runs on the clock
// (automated Cloud SQL backups, Firestore TTL deletion) belongs to the service, one per emulator.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "services/backing/config.h"
#include "services/service.h"

namespace gcpsim::core { struct StackSection; }

namespace gcpsim::services::backing {

// The section parser for the services table (defined in config.cc); declared here because
// other services, the table among them, reach backing only through this header.
core::StackSection stack_section();

class Servers;     // the running servers (instances.h)
class TtlSweeper;  // Firestore TTL policies (ttl.h)
struct PostgresConfig;

class BackingService final : public Service {
 public:
  static std::unique_ptr<Service> create(Context& ctx);
  ~BackingService() override;

  void start() override;  // starts the servers, or resets the ones a previous emulator left
  void stop() override;   // leaves them running for the next emulator; release() ends them
  void when_ready(std::function<void()> done) override;

  // What Run services (and `gcpsim env`) are given: REDIS_HOST, DATABASE_URL, …, in order.
  std::vector<std::pair<std::string, std::string>> env_vars() const;
  // Backups, restores and TTL sweeps running.
  size_t background_work() const override;

 private:
  explicit BackingService(Context& ctx);
  void add_routes(net::Router& router);
  void add_backup_routes(net::Router& router);
  void schedule_backup(const PostgresConfig& pg);

  Context ctx_;
  std::shared_ptr<Servers> servers_;
  std::vector<uint64_t> timers_;  // automated backups, on the clock
  std::unique_ptr<TtlSweeper> ttl_;
};

// Engine thread, at the process's stop, after the emulator is gone: stops the servers kept
// for `runtime`.
void release(Runtime& runtime);

}  // namespace gcpsim::services::backing
