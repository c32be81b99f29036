// Supervised processes: the engine side keeps pids and control sockets; the I/O side reads
// output, waits on pidfds and runs startup probes with asio on the engine thread's context
// (the thread Cloud Run's router serves on, so a line an instance logs before answering is
// seen before the answer), handing results to the engine side at once.
#include "proc/supervisor.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <map>

#include <boost/asio.hpp>

#include "proc/limits.h"
#include "proc/probe.h"

namespace gcpsim::proc {
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr auto kProbeAttemptTimeout = std::chrono::milliseconds(1000);

// Moves complete lines out of `pending`; a line longer than the limit is cut there.
void take_lines(std::string& pending, std::vector<std::string>& out) {
  size_t start = 0;
  for (;;) {
    size_t nl = pending.find('\n', start);
    if (nl == std::string::npos) break;
    out.push_back(pending.substr(start, std::min(nl - start, kMaxLogLine)));
    start = nl + 1;
  }
  pending.erase(0, start);
  while (pending.size() >= kMaxLogLine) {
    out.push_back(pending.substr(0, kMaxLogLine));
    pending.erase(0, kMaxLogLine);
  }
}

}  // namespace

// ---- engine side ----
struct Supervisor::Impl : std::enable_shared_from_this<Impl> {
  struct Proc {
    pid_t pid = -1;
    int control_fd = -1;
    ProcessCallbacks callbacks;
  };
  asio::io_context* engine_ctx;
  std::shared_ptr<IoSide> io;
  std::map<uint64_t, Proc> procs;
  uint64_t next_id = 1;
  bool stopped = false;

  explicit Impl(asio::io_context* e) : engine_ctx(e) {}
  void on_lines(uint64_t id, Stream s, std::vector<std::string> lines);
  void on_ready(uint64_t id);
  void on_probe_failed(uint64_t id);
  void on_exit(uint64_t id);
};

// ---- I/O side ----
struct Supervisor::IoSide : std::enable_shared_from_this<IoSide> {
  struct Proc {
    uint64_t id;
    asio::posix::stream_descriptor out, err, exit;
    asio::steady_timer probe_timer, drain_timer;
    int open_pipes = 2;
    bool exited = false, reported = false;
    Proc(asio::io_context& io, uint64_t i, const Spawned& s)
        : id(i), out(io, s.stdout_fd), err(io, s.stderr_fd), exit(io, s.pidfd), probe_timer(io), drain_timer(io) {}
    void close() {
      error_code ec;
      out.close(ec);
      err.close(ec);
      exit.close(ec);
      probe_timer.cancel();
      drain_timer.cancel();
    }
  };

  asio::io_context& io;
  std::weak_ptr<Impl> engine;
  std::map<uint64_t, std::shared_ptr<Proc>> procs;

  IoSide(asio::io_context& c, std::weak_ptr<Impl> e) : io(c), engine(std::move(e)) {}

  // Already on the engine thread: at once, so a line read before a router response is
  // recorded before it.
  template <class Fn>
  void to_engine(Fn fn) {
    if (auto impl = engine.lock()) fn(*impl);
  }

  void watch(uint64_t id, Spawned s, LaunchSpec spec) {
    auto p = std::make_shared<Proc>(io, id, s);
    procs[id] = p;
    auto self = shared_from_this();
    asio::co_spawn(io, read_pipe(self, p, p->out, Stream::kStdout), asio::detached);
    asio::co_spawn(io, read_pipe(self, p, p->err, Stream::kStderr), asio::detached);
    asio::co_spawn(io, watch_exit(self, p), asio::detached);
    if (spec.port != 0) {
      ProbeTarget target{spec.host, spec.port, spec.probe_path};
      asio::co_spawn(io, probe(self, p, std::move(target), spec.probe_timeout), asio::detached);
    }
  }

  void forget(uint64_t id) {
    auto it = procs.find(id);
    if (it == procs.end()) return;
    it->second->close();
    procs.erase(it);
  }

  void close_all() {
    for (auto& [id, p] : procs) p->close();
    procs.clear();
  }

  static awaitable<void> read_pipe(std::shared_ptr<IoSide> self, std::shared_ptr<Proc> p,
                                   asio::posix::stream_descriptor& d, Stream stream) {
    std::string pending;
    std::vector<char> buf(16384);
    for (;;) {
      error_code ec;
      size_t n = co_await d.async_read_some(asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      pending.append(buf.data(), n);
      std::vector<std::string> lines;
      take_lines(pending, lines);
      if (!lines.empty()) self->send_lines(p->id, stream, std::move(lines));
    }
    if (!pending.empty()) self->send_lines(p->id, stream, {std::move(pending)});
    if (--p->open_pipes == 0 && p->exited) p->drain_timer.cancel();
  }

  void send_lines(uint64_t id, Stream stream, std::vector<std::string> lines) {
    to_engine([id, stream, lines = std::move(lines)](Impl& impl) mutable { impl.on_lines(id, stream, std::move(lines)); });
  }

  // The exit is reported after the last output lines (or after a short wait when some
  // descendant still holds the pipes).
  static awaitable<void> watch_exit(std::shared_ptr<IoSide> self, std::shared_ptr<Proc> p) {
    error_code ec;
    co_await p->exit.async_wait(asio::posix::descriptor_base::wait_read, asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    p->exited = true;
    p->probe_timer.cancel();
    if (p->open_pipes > 0) {
      p->drain_timer.expires_after(std::chrono::milliseconds(kExitDrainMs));
      co_await p->drain_timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (p->reported) co_return;
    p->reported = true;
    uint64_t id = p->id;
    self->to_engine([id](Impl& impl) { impl.on_exit(id); });
  }

  static awaitable<void> probe(std::shared_ptr<IoSide> self, std::shared_ptr<Proc> p, ProbeTarget target,
                               core::Duration timeout) {
    int64_t waited_ms = 0;
    int delay_ms = kProbeFirstRetryMs;
    int64_t limit_ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    uint64_t id = p->id;
    for (;;) {
      bool ok = co_await probe_once(self->io, target, kProbeAttemptTimeout);
      if (p->exited || !p->exit.is_open()) co_return;
      if (ok) co_return self->to_engine([id](Impl& impl) { impl.on_ready(id); });
      if (waited_ms >= limit_ms) co_return self->to_engine([id](Impl& impl) { impl.on_probe_failed(id); });
      p->probe_timer.expires_after(std::chrono::milliseconds(delay_ms));
      error_code ec;
      co_await p->probe_timer.async_wait(asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      waited_ms += delay_ms;
      delay_ms = std::min(delay_ms * 2, kProbeMaxRetryMs);
    }
  }
};

// ---- engine-side callbacks ----
void Supervisor::Impl::on_lines(uint64_t id, Stream s, std::vector<std::string> lines) {
  auto it = procs.find(id);
  if (it != procs.end() && it->second.callbacks.lines) it->second.callbacks.lines(s, std::move(lines));
}

void Supervisor::Impl::on_ready(uint64_t id) {
  auto it = procs.find(id);
  if (it != procs.end() && it->second.callbacks.ready) it->second.callbacks.ready();
}

void Supervisor::Impl::on_probe_failed(uint64_t id) {
  auto it = procs.find(id);
  if (it != procs.end() && it->second.callbacks.probe_failed) it->second.callbacks.probe_failed();
}

void Supervisor::Impl::on_exit(uint64_t id) {
  auto it = procs.find(id);
  if (it == procs.end()) return;
  Proc proc = std::move(it->second);
  procs.erase(it);
  auto status = reap(proc.pid, true).value_or(ExitStatus{});
  ::close(proc.control_fd);
  asio::post(*engine_ctx, [io = io, id] { io->forget(id); });
  if (proc.callbacks.exited) proc.callbacks.exited(status);
}

// ---- Supervisor ----
Supervisor::Supervisor(asio::io_context* engine) : impl_(std::make_shared<Impl>(engine)) {}

Supervisor::~Supervisor() { stop_all(kTerminationGrace); }

core::StatusOr<uint64_t> Supervisor::launch(LaunchSpec spec, ProcessCallbacks callbacks) {
  auto& impl = *impl_;
  if (impl.stopped) return core::Status::failed_precondition("the supervisor has stopped");
  if (!impl.engine_ctx) return core::Status::failed_precondition("no engine context to watch processes on");
  if (!impl.io) impl.io = std::make_shared<IoSide>(*impl.engine_ctx, impl_);
  auto spawned = spawn_process(spec.spawn, spec.cleanup);
  if (!spawned.ok()) return spawned.status();
  uint64_t id = impl.next_id++;
  impl.procs[id] = Impl::Proc{spawned->pid, spawned->control_fd, std::move(callbacks)};
  asio::post(*impl.engine_ctx, [io = impl.io, id, s = *spawned, spec = std::move(spec)]() mutable {
    io->watch(id, s, std::move(spec));
  });
  return id;
}

void Supervisor::terminate(uint64_t process) {
  auto it = impl_->procs.find(process);
  if (it != impl_->procs.end()) signal_group(it->second.control_fd, false);
}

void Supervisor::kill(uint64_t process) {
  auto it = impl_->procs.find(process);
  if (it != impl_->procs.end()) signal_group(it->second.control_fd, true);
}

std::optional<int> Supervisor::pid(uint64_t process) const {
  auto it = impl_->procs.find(process);
  if (it == impl_->procs.end()) return std::nullopt;
  return it->second.pid;
}

size_t Supervisor::running() const { return impl_->procs.size(); }

namespace {

// Waits (wall time, via a timerfd) until every pid has exited or `grace` passes; reaps the
// exited ones and removes them from `pids`.
void wait_exits(std::map<uint64_t, pid_t>& pids, core::Duration grace) {
  int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  itimerspec spec{};
  auto ns = std::max<int64_t>(grace.count(), 1);
  spec.it_value.tv_sec = ns / 1000000000;
  spec.it_value.tv_nsec = ns % 1000000000;
  ::timerfd_settime(tfd, 0, &spec, nullptr);
  std::map<uint64_t, int> pidfds;
  for (auto [id, pid] : pids) pidfds[id] = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  while (!pids.empty()) {
    std::vector<pollfd> fds{{tfd, POLLIN, 0}};
    std::vector<uint64_t> ids;
    for (auto [id, fd] : pidfds) {
      fds.push_back({fd, POLLIN, 0});
      ids.push_back(id);
    }
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (fds[0].revents) break;
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!fds[i].revents && fds[i].fd >= 0) continue;
      reap(pids[ids[i - 1]], true);
      if (fds[i].fd >= 0) ::close(fds[i].fd);
      pidfds.erase(ids[i - 1]);
      pids.erase(ids[i - 1]);
    }
  }
  for (auto [id, fd] : pidfds)
    if (fd >= 0) ::close(fd);
  ::close(tfd);
}

}  // namespace

void Supervisor::stop_all(core::Duration grace) {
  auto& impl = *impl_;
  if (impl.stopped) return;
  impl.stopped = true;
  std::map<uint64_t, pid_t> pids;
  for (auto& [id, p] : impl.procs) {
    signal_group(p.control_fd, false);
    pids[id] = p.pid;
  }
  wait_exits(pids, grace);
  for (auto [id, pid] : pids) {
    signal_group(impl.procs[id].control_fd, true);
    reap(pid, true);
  }
  for (auto& [id, p] : impl.procs) ::close(p.control_fd);
  impl.procs.clear();
  if (!impl.io) return;
  // The watchers share this thread: their pending reads end with operation_aborted.
  impl.io->close_all();
  impl.io.reset();
}

core::StatusOr<uint16_t> pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::Status::internal("cannot create a socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return core::Status::unavailable("no free loopback port");
  return ntohs(addr.sin_port);
}

}  // namespace gcpsim::proc
