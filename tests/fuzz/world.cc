// The in-memory emulator the request-level fuzz targets drive.
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "control/emulator.h"
#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/stack.h"
#include "core/store.h"
#include "core/time.h"
#include "fuzz.h"
#include "net/http_client.h"
#include "services/service.h"

namespace gcpsim::fuzz {

namespace {
constexpr int kRebuildEvery = 2000;
}  // namespace

// Outbound HTTP (push, task dispatch) never answers: no socket leaves the process.
struct NoHttp : net::HttpClient {
  void send(net::OutboundRequest, std::function<void(net::OutboundResponse)>) override {}
};


struct World::Impl {
  core::Clock clock{core::Clock::Mode::kVirtual, *core::parse_rfc3339("2026-01-05T09:00:00Z")};
  core::Ids ids{42};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> store = core::Store::open("").value();
  std::string dir = make_dir();
  core::Env env{clock, ids, events, faults, *store, "demo-project", "123456789012", "us-central1", dir, 8085};
  core::StackConfig stack = core::default_stack();
  NoHttp http;
  services::Runtime runtime;
  std::unique_ptr<control::Emulator> emulator;
  int inputs = 0;

  static std::string make_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gcpsim-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) abort();
    std::filesystem::create_directories(tmpl + "/spool");
    return tmpl;
  }
  // The control API's process hooks do nothing here: a fuzzed request must not write
  // snapshots to arbitrary paths or rebuild the world under the caller.
  static control::ControlHooks hooks() {
    control::ControlHooks h;
    h.reset = [](std::function<void()> done) { done(); };
    h.save_snapshot = [](const std::string&) { return core::Status::unimplemented("not while fuzzing"); };
    h.load_snapshot = [](const std::string&, std::function<void(core::Status)> done) {
      done(core::Status::unimplemented("not while fuzzing"));
    };
    return h;
  }
  void build() {
    emulator.reset();
    emulator = std::make_unique<control::Emulator>(env, stack, http, runtime, hooks());
  }
  ~Impl() {
    emulator.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

World& World::get() {
  static World* w = [] {
    auto* world = new World;
    world->impl = std::make_unique<Impl>();
    world->impl->build();
    std::atexit([] { World::get().impl.reset(); });
    return world;
  }();
  return *w;
}

core::Env& World::env() { return impl->env; }
control::Emulator& World::emulator() { return *impl->emulator; }
void World::tick() { impl->clock.advance(std::chrono::seconds(1)); }

void World::maybe_rebuild() {
  if (++impl->inputs % kRebuildEvery != 0) return;
  impl.reset();
  impl = std::make_unique<Impl>();
  impl->build();
}

}  // namespace gcpsim::fuzz
