// HTTP stubs as the emulator hosts them: requests addressed to NAME.stub.localhost on the
// edge (or to a stub's own port) are recorded, pass the fault table at the `stub` boundary,
// and are answered by the stub's routes or its built-in API; /_gcpsim/stubs controls them.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "core/faults.h"
#include "net/http.h"
#include "services/service.h"
#include "services/stubs/stubs.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::services::stubs {

class StubsService final : public Service {
 public:
  static std::unique_ptr<Service> create(Context& ctx);

  StubSet& stubs() { return stubs_; }
  // Answers a request addressed to a stub (engine thread).
  void serve(Stub& stub, net::HttpRequest& req, net::Reply reply);
  // The request when its Host names a stub (answered, even if no such stub exists: 404);
  // false for every other request. The emulator asks before its routes: Google's paths
  // (/v1/models is Gemini's) must not shadow a stub's.
  bool take(net::HttpRequest& req, net::Reply& reply);

 private:
  StubsService(Context& ctx, const StubsConfig& config);
  void add_routes(net::Router& router);  // control.cc
  // After the fault check: the route's reply, the built-in API, or the near-miss 404.
  void answer(Stub& stub, const Incoming& in, std::optional<core::FaultAction> fault,
              std::function<void(net::HttpResponse, std::string route)> finish);

  core::Env& env_;
  StubSet stubs_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // timers check it survived a reset
};

// The stub a Host header names ("hooks.stub.localhost:8085" → "hooks"), if any.
std::optional<std::string> stub_for_host(const std::string& host);

// The built-in OpenAI API over HTTP (openai_http.cc); `cut_streams` cuts an SSE answer
// half-way (a crash fault: reset mid-stream).
void serve_openai(core::Env& env, Stub& stub, const Incoming& in, bool cut_streams,
                  std::function<void(net::HttpResponse)> done);

// Streams chunks on the clock, `every` apart; cuts the connection before chunk `cut_at`.
net::HttpResponse stream_response(core::Env& env, int status, net::Headers headers, Stream stream,
                                  std::optional<size_t> cut_at);

}  // namespace gcpsim::services::stubs
