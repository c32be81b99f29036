// Backing servers (stack file `backing:`): Memorystore as redis-server, Cloud SQL as
// PostgreSQL, Firestore as the Google Cloud CLI's emulator. Each runs as a real process on a
// private port, supervised by Run's supervisor (started, probed, restarted after crashes,
// stopped with the emulator), and is reached only through its own TCP fault proxy.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "services/service.h"

namespace gcpsim::services::run { class Supervisor; struct SpawnSpec; }

namespace gcpsim::services::backing {

class BackingService final : public Service {
 public:
  static std::unique_ptr<Service> create(Context& ctx);
  ~BackingService() override;

  void start() override;
  void stop() override;
  void when_ready(std::function<void()> done) override;

  // What Run services (and `gcpsim env`) are given: REDIS_HOST, DATABASE_URL, …, in order.
  std::vector<std::pair<std::string, std::string>> env_vars() const;

  struct Server;

 private:
  explicit BackingService(Context& ctx);
  void add_routes(net::Router& router);
  void boot(Server& s);
  void run_steps(Server& s, const std::vector<run::SpawnSpec>* steps, size_t i, std::function<void()> then);
  void launch(Server& s);
  void on_answers(Server& s);
  void on_exit(Server& s, int code, int signal);
  void set_ready(Server& s);
  void fail(Server& s, const std::string& error);
  void notify_waiters();
  void rearm();

  Context ctx_;
  std::unique_ptr<run::Supervisor> supervisor_;
  std::map<std::string, std::unique_ptr<Server>> servers_;
  std::vector<std::function<void()>> waiters_;
  std::string socket_root_;  // temp dir holding cloudsql/PROJECT:REGION:INSTANCE
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool all_started_ = false;  // every server answered or gave up once
  bool stopped_ = false;
};

}  // namespace gcpsim::services::backing
