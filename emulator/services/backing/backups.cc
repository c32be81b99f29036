// Cloud SQL backups of the Postgres instances: pg_dump archives taken on demand or on the
// automated schedule, listed, trimmed to the retained count, and restored into the instance
// (its database dropped, created and pg_restore'd). Each is a one-shot process gcpsim waits on.
#include <filesystem>

#include "core/events.h"
#include "core/ids.h"
#include "core/clock.h"
#include "services/backing/instances.h"
#include "proc/supervisor.h"

namespace gcpsim::services::backing {

namespace fs = std::filesystem;

std::string Servers::backup_dir(const Server& s) const { return env_.work_dir + "/backing/" + s.name + "/backups"; }

// A Postgres instance backups apply to: Debian's server (pg_dump cannot read PGlite's newer one).
core::StatusOr<Servers::Server*> Servers::backed_up(const std::string& name) const {
  Server* s = find(name);
  if (!s || !s->postgres) return core::Status::not_found("Cloud SQL instance [" + name + "] is not a backing Postgres server");
  if (s->postgres->engine != PostgresConfig::Engine::kPostgres) {
    return core::Status::failed_precondition("backups need engine postgres; [" + name + "] is served by PGlite");
  }
  if (s->state != Server::State::kReady) {
    return core::Status::failed_precondition("Cloud SQL instance [" + name + "] is not ready (" +
                                             (s->state == Server::State::kFailed ? "failed" : "starting") + ")");
  }
  return s;
}

void Servers::backup(const std::string& name, const std::string& type, std::function<void(core::StatusOr<Backup>)> done) {
  auto found = backed_up(name);
  if (!found.ok()) return done(found.status());
  Server& s = **found;
  auto pg_dump = postgres_tool("pg_dump");
  if (!pg_dump.ok()) return done(pg_dump.status());
  Backup b;
  b.id = static_cast<int64_t>(env_.ids.next_numeric("sql.backupRun"));
  b.instance = s.postgres->instance;
  b.type = type;
  b.at = env_.clock.now();
  std::error_code ec;
  fs::create_directories(backup_dir(s), ec);
  b.file = backup_dir(s) + "/" + std::to_string(b.id) + ".dump";
  auto env = inherited_env();
  if (!s.secret.empty()) env.push_back("PGPASSWORD=" + s.secret);
  proc::SpawnSpec dump{{*pg_dump, "-Fc", "-h", "127.0.0.1", "-p", std::to_string(s.private_port), "-U", s.postgres->user,
                       "-d", s.postgres->database, "-f", b.file},
                      "/", env};
  run_job({dump}, [this, &s, b, done = std::move(done)](core::Status st) {
    core::Attrs attrs = {{"id", b.id}, {"type", b.type}, {"status", std::string(st.is_ok() ? "SUCCESSFUL" : "FAILED")}};
    if (!st.is_ok()) attrs["error"] = st.message();
    env_.events.record("backing.backup", s.name, std::move(attrs));
    if (!st.is_ok()) return done(st);
    s.backups.push_back(b);
    done(b);
  });
}

void Servers::restore(const std::string& name, int64_t id, std::function<void(core::Status)> done) {
  auto found = backed_up(name);
  if (!found.ok()) return done(found.status());
  Server& s = **found;
  const Backup* b = nullptr;
  for (const auto& x : s.backups)
    if (x.id == id) b = &x;
  if (!b) return done(core::Status::not_found("backup run [" + std::to_string(id) + "] of [" + name + "] does not exist"));
  auto pg_restore = postgres_tool("pg_restore");
  if (!pg_restore.ok()) return done(pg_restore.status());
  auto env = inherited_env();
  if (!s.secret.empty()) env.push_back("PGPASSWORD=" + s.secret);
  const auto& pg = *s.postgres;
  // Restoring overwrites the instance's data: the database is dropped (its sessions closed)
  // and built again from the archive.
  auto recreate = psql_argv(s.private_port, pg.user);
  recreate.insert(recreate.end(), {"-d", pg.database == "postgres" ? "template1" : "postgres", "-c",
                                   "DROP DATABASE IF EXISTS " + quote_identifier(pg.database) + " WITH (FORCE)", "-c",
                                   "CREATE DATABASE " + quote_identifier(pg.database)});
  proc::SpawnSpec load{{*pg_restore, "--exit-on-error", "-h", "127.0.0.1", "-p", std::to_string(s.private_port), "-U",
                       pg.user, "-d", pg.database, b->file},
                      "/", env};
  std::vector<proc::SpawnSpec> steps = {{recreate, "/", env}, load};
  run_job(std::move(steps), [this, &s, id, done = std::move(done)](core::Status st) {
    core::Attrs attrs = {{"backup", id}, {"status", std::string(st.is_ok() ? "SUCCESSFUL" : "FAILED")}};
    if (!st.is_ok()) attrs["error"] = st.message();
    env_.events.record("backing.restore", s.name, std::move(attrs));
    done(st);
  });
}

core::StatusOr<std::vector<Backup>> Servers::backups(const std::string& name) const {
  Server* s = find(name);
  if (!s || !s->postgres) return core::Status::not_found("Cloud SQL instance [" + name + "] is not a backing Postgres server");
  return s->backups;
}

// Automated backups beyond the retained count go, oldest first (Cloud SQL's retainedBackups).
void Servers::trim_backups(const std::string& name, const std::string& type, size_t keep) {
  Server* s = find(name);
  if (!s) return;
  size_t count = 0;
  for (const auto& b : s->backups) count += b.type == type;
  for (auto it = s->backups.begin(); it != s->backups.end() && count > keep;) {
    if (it->type != type) {
      ++it;
      continue;
    }
    std::error_code ec;
    fs::remove(it->file, ec);
    env_.events.record("backing.backup.deleted", s->name, {{"id", it->id}, {"type", it->type}});
    it = s->backups.erase(it);
    --count;
  }
}

// A reset returns the instance to its seed: the backups taken since are gone too.
void Servers::drop_backups(Server& s) {
  std::error_code ec;
  for (const auto& b : s.backups) fs::remove(b.file, ec);
  s.backups.clear();
}

// One-shots in order, counted as real work the virtual clock waits for; the first that fails
// ends the job with its output.
void Servers::run_job(std::vector<proc::SpawnSpec> steps, std::function<void(core::Status)> done) {
  struct Job {
    std::vector<proc::SpawnSpec> steps;
    std::string output;
    std::function<void(core::Status)> done;
  };
  auto job = std::make_shared<Job>(Job{std::move(steps), "", std::move(done)});
  ++jobs_;
  // Each exit callback holds the next step; the step holds itself only weakly.
  auto step = std::make_shared<std::function<void(size_t)>>();
  *step = [this, job, weak = std::weak_ptr<std::function<void(size_t)>>(step)](size_t i) {
    auto finish = [this, job](core::Status st) {
      --jobs_;
      job->done(std::move(st));
    };
    if (i >= job->steps.size()) return finish(core::Status::ok());
    proc::LaunchSpec spec;
    spec.spawn = job->steps[i];
    proc::ProcessCallbacks cb;
    cb.lines = [job](proc::Stream, std::vector<std::string> lines) {
      for (auto& l : lines) job->output += l + "\n";
    };
    std::string what = fs::path(spec.spawn.argv[0]).filename().string();
    cb.exited = [this, job, next = weak.lock(), i, what, finish](proc::ExitStatus st) {
      if (stopped_) return;
      if (st.code != 0) {
        return finish(core::Status::internal(what + " exited with status " + std::to_string(st.code) + ": " + job->output));
      }
      (*next)(i + 1);
    };
    auto id = supervisor_->launch(std::move(spec), std::move(cb));
    if (!id.ok()) finish(id.status());
  };
  (*step)(0);
}

}  // namespace gcpsim::services::backing
