// Reads the `tasks` section: queue names and rate/retry settings, with Cloud Tasks' limits.
#include "services/tasks/config.h"

#include "core/stack_yaml.h"

namespace gcpsim::services::tasks {
namespace {

using namespace core::stackfile;
using namespace std::chrono_literals;

QueueConfig read_queue(const Field& f) {
  Map m(f, {"max_dispatches_per_second", "max_burst_size", "max_concurrent_dispatches", "retry"});
  QueueConfig q;
  if (auto r = m.get("max_dispatches_per_second")) {
    q.max_dispatches_per_second = number(*r, 0, 500);
    if (q.max_dispatches_per_second == 0) fail(*r, "must be greater than 0");
  }
  if (auto b = m.get("max_burst_size")) q.max_burst_size = small_int(*b, 1, 1000000);
  if (auto c = m.get("max_concurrent_dispatches")) q.max_concurrent_dispatches = small_int(*c, 1, 5000);
  if (auto r = m.get("retry")) {
    Map rm(*r, {"max_attempts", "min_backoff", "max_backoff", "max_doublings", "max_retry_duration"});
    constexpr core::Duration kLongest = 24h * 365 * 100;  // no real bound, only a sane one
    if (auto a = rm.get("max_attempts")) {
      q.retry.max_attempts = small_int(*a, -1, 1000000);
      if (q.retry.max_attempts == 0) fail(*a, "must be -1 (unlimited) or at least 1");
    }
    if (auto b = rm.get("min_backoff")) q.retry.min_backoff = duration(*b, 0s, kLongest);
    if (auto b = rm.get("max_backoff")) q.retry.max_backoff = duration(*b, 0s, kLongest);
    if (q.retry.min_backoff > q.retry.max_backoff) fail_under(*r, "min_backoff must not exceed max_backoff");
    if (auto d = rm.get("max_doublings")) q.retry.max_doublings = small_int(*d, 0, 1000);
    if (auto d = rm.get("max_retry_duration")) q.retry.max_retry_duration = duration(*d, 0s, kLongest);
  }
  return q;
}

}  // namespace

core::StackSection stack_section() {
  return {"tasks", [](const Field& section, core::SectionContext&) -> std::any {
            Map m(section, {"queues"});
            TasksConfig cfg;
            if (auto f = m.get("queues")) {
              for (auto& [name, qf] : entries(*f)) {
                check_plain_name(qf, name, "-", 100);
                cfg.queues[name] = read_queue(qf);
              }
            }
            return cfg;
          }};
}

}  // namespace gcpsim::services::tasks
