// Append-only log of everything that happens: API calls, deliveries, routed requests,
// process starts/exits, log lines, clock moves. Virtual time and a sequence number only —
// no wall-clock values — so a scenario and seed always give byte-identical JSONL.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/time.h"

namespace gcpsim::core {

class Clock;

using AttrValue = std::variant<std::string, int64_t, double, bool>;
using Attrs = std::map<std::string, AttrValue>;  // sorted: stable key order in JSONL

struct Event {
  uint64_t seq = 0;
  Time time{};
  std::string kind{};    // "api.call", "pubsub.delivery", "run.request", "process.exit", "log", …
  std::string service{}; // "pubsub", "storage", a Run service name, …
  Attrs attrs{};
};

struct EventQuery {
  std::string kind{};         // exact, or a prefix ending in '*' ("pubsub.*"); empty = any
  std::string service{};      // exact; empty = any
  uint64_t since_seq = 0;     // events with seq > since_seq
  size_t limit = 0;           // 0 = no limit (the most recent `limit` when set)
};

class Events {
 public:
  // Keeps the newest `capacity` events in memory (a long `gcpsim up` behind busy services
  // would otherwise grow without bound); listeners still see every one.
  explicit Events(Clock& clock, size_t capacity = 50000);

  const Event& record(std::string kind, std::string service, Attrs attrs = {});
  std::vector<Event> query(const EventQuery& q) const;
  uint64_t last_seq() const { return next_seq_ - 1; }
  void clear();

  // Listeners see every event as it is recorded (transcripts, wait_for). Returns an id.
  uint64_t subscribe(std::function<void(const Event&)> fn);
  void unsubscribe(uint64_t id);

  // {"seq":1,"time":"2026-01-01T00:00:00Z","kind":"…","service":"…","attrs":{…}}
  static std::string to_json(const Event& e);

 private:
  Clock& clock_;
  size_t capacity_;
  uint64_t next_seq_ = 1;
  std::deque<Event> log_;
  uint64_t next_listener_ = 1;
  std::map<uint64_t, std::function<void(const Event&)>> listeners_;
};

}  // namespace gcpsim::core
