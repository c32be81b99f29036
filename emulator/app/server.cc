// The process: engine thread (all state, timers), I/O thread, the Env and Store, reset and
// snapshot hooks, the emulator instance (services table) behind the edge. The transport
// itself (edge, HTTP sessions, outbound client) is net/'s.
#include "app/server.h"

#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <optional>
#include <thread>
#include <utility>

#include <boost/asio.hpp>

#include "control/emulator.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "net/body_abort.h"
#include "net/edge.h"
#include "net/grpc_host.h"
#include "net/local_client.h"
#include "net/outbound.h"
#include "services/backing/service.h"
#include "services/run/service.h"
#include "services/service.h"
#include "services/stubs/config.h"

namespace gcpsim::app {
namespace asio = boost::asio;
using net::HttpRequest;
using net::HttpResponse;
using net::Reply;

namespace {

HttpResponse restarting() { return HttpResponse::error(core::Status::unavailable("gcpsim is restarting")); }

}  // namespace

// ---------------------------------------------------------------------------------------
struct Server::Impl {
  ServerOptions options;
  asio::io_context engine_ctx{1};
  asio::io_context io_ctx{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> engine_work, io_work;
  std::thread engine_thread, io_thread;
  asio::steady_timer wakeup{engine_ctx};
  bool wakeup_posted = false;

  core::Clock clock;
  core::Ids ids;
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> store;
  std::unique_ptr<core::Env> env;
  net::OutboundHttpClient http_client{io_ctx, engine_ctx};
  services::Runtime runtime{&io_ctx, &engine_ctx, [this](std::function<void()> fn) { post_engine(std::move(fn)); }, nullptr};
  // What services send through: deliveries to NAME.stub.localhost stay in the process and
  // reach whichever emulator is current; it outlives resets, as backing servers hold it.
  net::LocalHostsClient local_client{http_client,
                                     [this](HttpRequest& req, Reply reply) {
                                       if (!emulator) return reply(restarting());
                                       emulator->handle(req, std::move(reply));
                                     },
                                     [this](std::function<void()> fn) { post_engine(std::move(fn)); }};
  std::unique_ptr<control::Emulator> emulator;
  std::unique_ptr<net::GrpcHost> grpc;
  net::Edge edge{io_ctx, edge_handlers()};
  std::atomic<bool> stopped{false};
  std::atomic<size_t> inbound{0};  // edge requests handed to the engine, not yet answered
  std::atomic<size_t> held{0};     // of those, the ones the engine has started (not queued)
  std::atomic<uint64_t> spool_seq{1};
  std::string temp_dir;  // removed on stop when no data dir was given

  explicit Impl(ServerOptions o)
      : options(std::move(o)), clock(options.clock_mode, options.start_time), ids(options.stack.seed) {}

  // ----- engine -----
  void post_engine(std::function<void()> fn) { asio::post(engine_ctx, std::move(fn)); }

  // Keeps one asio timer armed at the clock's earliest deadline (real mode), and fires
  // timers already due (both modes) — the clock itself never touches I/O.
  void rearm() {
    wakeup_posted = false;
    auto next = clock.next_timer();
    if (!next) {
      wakeup.cancel();
      return;
    }
    auto now = clock.now();
    if (*next <= now) {
      clock.run_due();
      schedule_rearm();
      return;
    }
    if (clock.mode() != core::Clock::Mode::kReal) return;
    wakeup.expires_after(std::chrono::duration_cast<asio::steady_timer::duration>(*next - now));
    wakeup.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      clock.run_due();
      rearm();
    });
  }
  void schedule_rearm() {
    if (wakeup_posted) return;
    wakeup_posted = true;
    post_engine([this] { rearm(); });
  }

  control::ControlHooks hooks() {
    control::ControlHooks h;
    h.reset = [this](std::function<void()> done) {
      post_engine([this, done = std::move(done)] {
        rebuild(true);
        emulator->when_ready(done);
      });
    };
    h.save_snapshot = [this](const std::string& path) { return store->save_snapshot(path); };
    // Deferred: the emulator being replaced is the one running the control handler.
    h.load_snapshot = [this](const std::string& path, std::function<void(core::Status)> done) {
      post_engine([this, path, done = std::move(done)] {
        emulator.reset();
        auto st = store->load_snapshot(path);
        rebuild(false);
        done(st);
      });
    };
    return h;
  }

  // Engine thread: drop the emulator (and optionally all state) and build a fresh one.
  void rebuild(bool wipe) {
    emulator.reset();
    if (wipe) {
      faults.clear();
      events.clear();
      wipe_store();
      for (auto& rule : options.stack.faults) faults.add(rule);
    }
    emulator = std::make_unique<control::Emulator>(*env, options.stack, local_client, runtime, hooks());
  }

  void wipe_store() {
    std::vector<std::string> tables;
    auto st = store->prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'");
    while (st.step()) tables.push_back(st.column_text(0));
    for (const auto& t : tables) (void)store->exec("DROP TABLE IF EXISTS \"" + t + "\"");
  }

  // A stream paced on the clock keeps its request owed (held by a timer) until the stream
  // ends or its client goes: the writer the stream gets lets go of the debt when done.
  class OwedWriter final : public net::BodyWriter, public net::BodyAbort {
   public:
    OwedWriter(std::shared_ptr<net::BodyWriter> w, std::shared_ptr<void> debt) : w_(std::move(w)), debt_(std::move(debt)) {}
    bool write(std::string chunk) override { return w_->write(std::move(chunk)); }
    void end() override {
      w_->end();
      debt_.reset();
    }
    void abort() override {
      if (auto* a = dynamic_cast<net::BodyAbort*>(w_.get())) a->abort(); else w_->end();
      debt_.reset();
    }

   private:
    std::shared_ptr<net::BodyWriter> w_;
    std::shared_ptr<void> debt_;
  };
  void owe_until_streamed(HttpResponse& r) {
    std::shared_ptr<void> debt(nullptr, [this](void*) {
      --held;
      --inbound;
    });
    r.stream = [inner = std::move(r.stream), debt](std::shared_ptr<net::BodyWriter> w) {
      inner(std::make_shared<OwedWriter>(std::move(w), debt));
    };
  }

  // ----- edge -----
  // The edge hands each HTTP request here; it is routed on the engine. `inbound` and `held`
  // are what activity() reports: requests the engine owes an answer.
  net::EdgeHandlers edge_handlers() {
    net::EdgeHandlers h;
    h.grpc = [this](int fd) { grpc->adopt(fd); };
    h.route = [this](HttpRequest& req, std::function<void(HttpResponse)> done) {
      ++inbound;
      post_engine([this, &req, done = std::move(done)] {
        ++held;
        auto answered = std::make_shared<bool>(false);
        Reply deliver = [this, answered, done](HttpResponse r) {
          if (*answered) return;  // a handler replied twice: keep the first
          *answered = true;
          if (r.stream && r.stream_on_clock) {
            owe_until_streamed(r);
          } else {
            --held;
            --inbound;
          }
          done(std::move(r));
        };
        if (!emulator) return deliver(restarting());
        emulator->handle(req, deliver);
      });
    };
    h.spool_path = [this] { return env->work_dir + "/spool/req-" + std::to_string(spool_seq.fetch_add(1)) + ".body"; };
    h.post_engine = [this](std::function<void()> fn) { post_engine(std::move(fn)); };
    return h;
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { stop(); }

uint16_t Server::port() const { return impl_->edge.port(); }

core::Status Server::start() {
  auto& s = *impl_;
  // Every edge connection is a descriptor: take the hard limit, as servers do, rather than
  // the 1024 soft default that a few hundred idle clients would exhaust.
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  // Images first: a stack whose build fails does not start.
  RETURN_IF_ERROR(services::run::prepare_images(s.options.stack));
  std::string db;
  if (!s.options.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(s.options.data_dir, ec);
    if (ec) return core::Status::invalid_argument("cannot create data dir " + s.options.data_dir + ": " + ec.message());
    db = s.options.data_dir + "/gcpsim.db";
  }
  std::string work = s.options.data_dir;
  if (work.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gcpsim-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return core::Status::internal("cannot create a temporary directory");
    work = s.temp_dir = tmpl;
  }
  {
    std::error_code ec;
    std::filesystem::create_directories(work + "/spool", ec);
    if (ec) return core::Status::internal("cannot create " + work + "/spool: " + ec.message());
  }
  // Without a data directory the state is scratch, but in a file of the private work dir
  // rather than SQLite's :memory:, so that BigQuery's query workers can read it on their own
  // connections while the engine writes.
  auto store = db.empty() ? core::Store::open_scratch(work + "/gcpsim.db") : core::Store::open(db);
  if (!store.ok()) return store.status();
  s.store = std::move(store).value();
  s.env = std::make_unique<core::Env>(core::Env{s.clock, s.ids, s.events, s.faults, *s.store,
                                                s.options.stack.project, "123456789012", s.options.stack.region, work});

  RETURN_IF_ERROR(s.edge.listen(s.options.host, s.options.port));
  s.env->edge_port = s.edge.port();
  // Stubs with their own port: the edge's HTTP sessions, every request naming the stub's Host.
  if (const auto* stubs = s.options.stack.section<services::stubs::StubsConfig>("stubs")) {
    for (const auto& stub : stubs->stubs) {
      if (stub.port == 0) continue;
      auto st = s.edge.listen_pinned(static_cast<uint16_t>(stub.port), stub.name + ".stub.localhost");
      if (!st.is_ok()) return core::Status::unavailable("stub " + stub.name + ": " + st.message());
    }
  }

  net::EngineAccess access;
  access.post = [&s](std::function<void()> fn) { s.post_engine(std::move(fn)); };
  access.methods = [&s]() -> const net::MethodTable* {
    static const net::MethodTable kEmpty;
    return s.emulator ? &s.emulator->methods() : &kEmpty;
  };
  access.env = s.env.get();
  s.grpc = std::make_unique<net::GrpcHost>(std::move(access));
  auto st = s.grpc->start();
  if (!st.is_ok()) return st;

  s.engine_work.emplace(s.engine_ctx.get_executor());
  s.io_work.emplace(s.io_ctx.get_executor());
  s.clock.on_wakeup_change([&s] { s.schedule_rearm(); });
  std::promise<void> built;
  s.post_engine([&s, &built] {
    for (auto& rule : s.options.stack.faults) s.faults.add(rule);
    s.emulator = std::make_unique<control::Emulator>(*s.env, s.options.stack, s.local_client, s.runtime, s.hooks());
    built.set_value();
  });
  s.engine_thread = std::thread([&s] { s.engine_ctx.run(); });
  built.get_future().wait();
  s.edge.start();
  s.io_thread = std::thread([&s] { s.io_ctx.run(); });
  // Backing servers (redis-server, postgres, the Firestore emulator) answer before gcpsim
  // says it is ready; one that fails has said why on stderr and in the events.
  auto ready = std::make_shared<std::promise<void>>();
  auto answered = ready->get_future();
  s.post_engine([&s, ready] {
    if (!s.emulator) return ready->set_value();
    s.emulator->when_ready([ready] { ready->set_value(); });
  });
  answered.wait_for(std::chrono::minutes(3));
  return core::Status::ok();
}

void Server::run_on_engine(std::function<void()> fn) {
  std::promise<void> done;
  impl_->post_engine([&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

core::Env& Server::env() { return *impl_->env; }

void Server::handle(HttpRequest& req, Reply reply) {
  if (!impl_->emulator) return reply(restarting());
  impl_->emulator->handle(req, std::move(reply));
}

Server::Activity Server::activity() const {
  return {impl_->inbound.load(), impl_->http_client.in_flight() + impl_->local_client.queued(),
          impl_->emulator ? impl_->emulator->requests_in_processes() : 0, impl_->held.load(),
          impl_->emulator ? impl_->emulator->background_work() : 0};
}

void Server::stop() {
  auto& s = *impl_;
  if (s.stopped.exchange(true)) return;
  if (s.io_thread.joinable()) {
    asio::post(s.io_ctx, [&s] { s.edge.close(); });
  }
  if (s.grpc) s.grpc->shutdown();
  if (s.engine_thread.joinable()) {
    run_on_engine([&s] {
      s.emulator.reset();
      services::backing::release(s.runtime);
      s.wakeup.cancel();
    });
  }
  s.io_work.reset();
  s.io_ctx.stop();
  if (s.io_thread.joinable()) s.io_thread.join();
  s.engine_work.reset();
  s.engine_ctx.stop();
  if (s.engine_thread.joinable()) s.engine_thread.join();
  if (!s.temp_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(s.temp_dir, ec);
  }
}

}  // namespace gcpsim::app
