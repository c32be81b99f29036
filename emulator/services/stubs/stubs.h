// The stubs' state: named stub APIs, their routes in order, the requests each received,
// and the decision for one request (the route and its rendered reply, or the near misses).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "services/stubs/config.h"
#include "services/stubs/openai.h"
#include "services/stubs/route.h"

namespace gcpsim::services::stubs {

// A request as a stub recorded it.
struct Received {
  uint64_t seq = 0;   // 1, 2, … across all stubs
  core::Time time{};
  Incoming request;
  std::string route;  // the route that answered; empty when none did
  int status = 0;     // 0: no answer (a dropped or timed-out request)
};

struct Stub {
  std::string name;
  uint16_t port = 0;
  std::string kind = "http";             // "http" or "openai"
  std::vector<Route> routes;             // tried in order
  std::deque<Received> received;         // oldest first, at most kMaxReceived
  std::unique_ptr<openai::OpenAi> openai;  // kind openai: the built-in API behind the routes
  std::string api_key;                     // kind openai: the only key accepted; empty: any
  uint64_t next_route = 1;
};

// What a stub answers one request with, before any delay.
struct Answer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string file;              // when set, the body is this file
  std::optional<Stream> stream;  // rendered chunks
  core::Duration delay{};
  std::string route;             // empty: no route matched (the near-miss 404)
};

constexpr size_t kMaxReceived = 1000;

class StubSet {
 public:
  StubSet(uint64_t seed, const StubsConfig& config);

  Stub* find(const std::string& name);
  const std::map<std::string, Stub>& all() const { return stubs_; }
  // A stub added at run time; INVALID_ARGUMENT for a bad name or an existing one.
  core::StatusOr<Stub*> add(const StubDecl& decl);
  bool remove(const std::string& name);
  std::string add_route(Stub& stub, Route route);  // returns the id
  bool remove_route(Stub& stub, const std::string& id);

  // The first matching route's reply for the request, rendered; nullopt when none
  // matches (then `near` lists the closest routes and why each missed).
  std::optional<Answer> decide(Stub& stub, const Incoming& in, core::Time now, Json& near);
  Received& record(Stub& stub, Incoming in, core::Time now);

 private:
  uint64_t seed_;
  uint64_t next_seq_ = 1;
  std::map<std::string, Stub> stubs_;
};

// The route and stub forms the control API lists.
Json route_json(const Route& r);
Json stub_json(const Stub& s);
Json received_json(const Received& r);

}  // namespace gcpsim::services::stubs
