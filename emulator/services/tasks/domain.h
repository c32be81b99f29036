// Cloud Tasks' domain: queues and tasks kept in the store, dispatched over net::HttpClient
// with a token bucket, a concurrency cap and the documented retry schedule, all on the clock.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/time.h"
#include "net/http_client.h"
#include "services/tasks/names.h"

namespace gcpsim::core { struct Env; }
namespace gcpsim::net { class HttpClient; }

namespace gcpsim::services::tasks {

using core::Duration;
using core::Status;
using core::StatusOr;
using core::Time;

struct RetryConfig {
  int max_attempts = 100;            // -1: unlimited
  Duration max_retry_duration{};     // zero: unlimited
  Duration min_backoff = std::chrono::milliseconds(100);
  Duration max_backoff = std::chrono::seconds(3600);
  int max_doublings = 16;
};

struct RateLimits {
  double max_dispatches_per_second = 500;
  int max_burst_size = 100;          // output only: derived from the rate unless configured
  int max_concurrent_dispatches = 1000;
};

enum class QueueState { kRunning, kPaused, kDisabled };

struct Queue {
  std::string name{};
  RateLimits rate{};
  RetryConfig retry{};
  QueueState state = QueueState::kRunning;
  std::optional<Time> purge_time{};
  double logging_sampling_ratio = 0;
};

struct AuthToken {
  enum class Kind { kNone, kOidc, kOAuth } kind = Kind::kNone;
  std::string email;
  std::string audience;  // OIDC (empty: the URL)
  std::string scope;     // OAuth (empty: cloud-platform)
};

struct HttpTarget {
  std::string url;
  std::string method = "POST";
  std::map<std::string, std::string> headers;
  std::string body;
  AuthToken auth;
};

struct Attempt {
  Time schedule_time{}, dispatch_time{};
  std::optional<Time> response_time;
  int http_status = 0;         // 0: no HTTP answer
  std::string error;           // why there was none ("deadline exceeded", a fault)
};

struct Task {
  std::string name;
  HttpTarget http;
  Time schedule_time{}, create_time{};
  Duration dispatch_deadline = std::chrono::minutes(10);
  int dispatch_count = 0, response_count = 0;
  std::optional<Attempt> first_attempt, last_attempt;
  int64_t seq = 0;             // creation order, breaks ties between equal schedule times
};

// What CreateTask supplies.
struct TaskSpec {
  std::string id;              // empty: generated
  HttpTarget http;
  bool has_http = false;
  std::optional<Time> schedule_time;
  std::optional<Duration> dispatch_deadline;
};

template <class T> struct Page {
  std::vector<T> items;
  std::string next_page_token;
};

// The n-th retry's delay (n >= 1): min_backoff doubling max_doublings times, then growing
// linearly by the last doubled interval, capped at max_backoff.
Duration backoff(const RetryConfig& r, int n);

class TaskQueues {
 public:
  // Mints the Authorization bearer token for a dispatch (OIDC ID token or OAuth access token).
  using TokenMinter = std::function<StatusOr<std::string>(const AuthToken&, const std::string& url)>;

  // Cloud Run in front of a task's URL: `resolve` names the Run service a URL addresses
  // (nullopt: an ordinary URL, called directly; an error: a Run host that does not exist),
  // `send` delivers through the Run router as one of gcpsim's own (internal) callers.
  struct RunRouter {
    std::function<StatusOr<std::optional<std::string>>(const std::string& url)> resolve;
    std::function<void(const std::string& service, net::OutboundRequest, std::function<void(net::OutboundResponse)>)>
        send;
  };

  static StatusOr<std::unique_ptr<TaskQueues>> open(core::Env& env, net::HttpClient& http);
  ~TaskQueues();
  void set_token_minter(TokenMinter m) { minter_ = std::move(m); }
  void set_run_router(RunRouter r) { run_ = std::move(r); }
  // Arms dispatch for everything loaded from the store.
  void start();

  StatusOr<Queue> create_queue(const LocationName& parent, Queue q);
  StatusOr<Queue> get_queue(const QueueName& name) const;
  StatusOr<Page<Queue>> list_queues(const LocationName& parent, const std::string& filter, int page_size,
                                    const std::string& page_token) const;
  // Field paths as in the proto ("rate_limits.max_dispatches_per_second"); empty: every field.
  // Creates the queue when it does not exist, as the real service does.
  StatusOr<Queue> update_queue(const QueueName& name, const Queue& q, const std::vector<std::string>& mask);
  Status delete_queue(const QueueName& name);
  StatusOr<Queue> purge_queue(const QueueName& name);
  StatusOr<Queue> pause_queue(const QueueName& name);
  StatusOr<Queue> resume_queue(const QueueName& name);

  StatusOr<Task> create_task(const QueueName& queue, TaskSpec spec);
  StatusOr<Task> get_task(const TaskName& name) const;
  StatusOr<Page<Task>> list_tasks(const QueueName& queue, int page_size, const std::string& page_token) const;
  Status delete_task(const TaskName& name);
  StatusOr<Task> run_task(const TaskName& name);

 private:
  struct Runtime {            // per-queue dispatch state, never stored
    double tokens = 0;
    Time refilled{};
    int inflight = 0;
    core::Clock::TimerId timer = 0;
    Time timer_at{};
  };
  struct Flight {
    uint64_t id = 0;
    int attempt = 0;
    Time dispatched{};
    core::Clock::TimerId deadline = 0;
  };
  TaskQueues(core::Env& env, net::HttpClient& http);
  Status load();
  Status validate(const Queue& q) const;
  Status save_queue(const Queue& q);
  Status save_task(const Task& t);
  Status erase_task(const std::string& name, bool tombstone);
  Status remove_queue_rows(const std::string& name, Time reuse_after);
  bool tombstoned(const std::string& name) const;
  Runtime& runtime(const Queue& q);

  // Dispatch (dispatch.cc).
  void pump(const std::string& queue);
  void arm(const std::string& queue, Time at);
  const Task* next_ready(const std::string& queue) const;
  void send(const std::string& task_name);
  void finish(const std::string& task_name, uint64_t flight, int status, std::string error);
  bool gives_up(const Queue& q, const Task& t) const;
  template <class F> auto guarded(F fn) {
    return [alive = std::weak_ptr<int>(alive_), fn = std::move(fn)](auto&&... a) mutable {
      if (!alive.expired()) fn(std::forward<decltype(a)>(a)...);
    };
  }

  core::Env& env_;
  net::HttpClient& http_;
  TokenMinter minter_;
  RunRouter run_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::map<std::string, Queue> queues_;
  std::map<std::string, Task> tasks_;                // by full name
  std::map<std::string, Time> task_tombstones_;      // name → until
  std::map<std::string, Time> queue_tombstones_;
  std::map<std::string, Runtime> runtime_;
  std::map<std::string, Flight> flights_;            // task name → attempt in flight
  uint64_t next_flight_ = 1;
  int64_t next_seq_ = 1;
};

}  // namespace gcpsim::services::tasks
