// The running backing servers of one gcpsim process (every Redis and Postgres instance and
// the Firestore emulator): each on a private port behind its own fault proxy, started,
// seeded, restarted after a crash, reset in place; Cloud SQL backups and restores of the
// Postgres ones. Created by the first emulator, kept in the Runtime across resets. Engine thread.
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/events.h"
#include "core/status.h"
#include "core/time.h"
#include "net/http.h"
#include "services/backing/config.h"
#include "services/backing/servers.h"
#include "services/service.h"

namespace gcpsim::net { class TcpProxy; class HttpClient; }
namespace gcpsim::proc { class Supervisor; }

namespace gcpsim::services::backing {

// A Cloud SQL backup run (the Admin API's BackupRun, the fields gcpsim keeps).
struct Backup {
  int64_t id = 0;
  std::string instance;  // the Cloud SQL instance ID
  std::string type;    // AUTOMATED | ON_DEMAND
  core::Time at{};     // when it was taken, on gcpsim's clock
  std::string file;    // pg_dump's custom-format archive
};

class Servers {
 public:
  // `secret(name)`: a Secret Manager secret's latest version (passwords, AUTH strings).
  using SecretReader = std::function<core::StatusOr<std::string>(const std::string&)>;

  Servers(core::Env& env, const BackingConfig& config, Runtime& runtime, net::HttpClient& http);
  ~Servers();

  void start(const SecretReader& secret);
  void reset();
  void stop();
  void when_ready(std::function<void()> done);
  void kill(const std::string& name, net::Reply reply);
  nlohmann::json describe() const;
  std::vector<std::pair<std::string, std::string>> env_vars() const;
  bool ready(const std::string& name) const;
  uint16_t private_port(const std::string& name) const;  // 0 when there is no such server
  size_t jobs() const { return jobs_; }                  // backups and restores running

  // Cloud SQL backups of a Postgres instance (engine postgres), by server name.
  void backup(const std::string& name, const std::string& type, std::function<void(core::StatusOr<Backup>)> done);
  void restore(const std::string& name, int64_t id, std::function<void(core::Status)> done);
  core::StatusOr<std::vector<Backup>> backups(const std::string& name) const;
  void trim_backups(const std::string& name, const std::string& type, size_t keep);

 private:
  struct Server {
    enum class State { kStarting, kReady, kFailed };
    std::string name;            // redis | redis-NAME | postgres | postgres-NAME | firestore
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
    const RedisConfig* redis = nullptr;
    const PostgresConfig* postgres = nullptr;
    std::string secret;          // Postgres password or Redis AUTH string; empty: none
    std::string socket_dir;      // Postgres: …/cloudsql/PROJECT:REGION:INSTANCE
    std::vector<Backup> backups;  // oldest first
    // The attributes of the last proxy.fault event, by phase (connect, data), while it holds.
    std::map<std::string, core::Attrs> reported;
  };

  Server* add(const std::string& name, std::optional<int> public_port, std::string unix_path);
  void boot(Server& s);
  void run_steps(Server& s, const std::vector<proc::SpawnSpec>* steps, size_t i, std::function<void()> then);
  void run_job(std::vector<proc::SpawnSpec> steps, std::function<void(core::Status)> done);
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
  Server* find(const std::string& name) const;
  core::StatusOr<Server*> backed_up(const std::string& name) const;
  void drop_backups(Server& s);
  std::string backup_dir(const Server& s) const;

  core::Env& env_;
  const BackingConfig& config_;
  Runtime& runtime_;
  net::HttpClient& http_;
  std::unique_ptr<proc::Supervisor> supervisor_;
  std::map<std::string, std::unique_ptr<Server>> servers_;
  std::vector<std::function<void()>> waiters_;
  std::string socket_root_;  // temp dir holding cloudsql/PROJECT:REGION:INSTANCE
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool all_started_ = false;  // every server answered or gave up once (since the last reset)
  bool stopped_ = false;
  size_t jobs_ = 0;
};

}  // namespace gcpsim::services::backing
