// Outbound HTTP that stays in the process for hosts the edge serves by name (HTTP stubs at
// NAME.stub.localhost, which need no DNS): push subscriptions, task dispatch and functions
// deliver to a stub exactly as the edge would route the request. Other URLs go out.
#pragma once
#include <atomic>
#include <functional>
#include <memory>

#include "net/http.h"
#include "net/http_client.h"

namespace gcpsim::net {

class LocalHostsClient final : public HttpClient {
 public:
  // `handle` routes a request as the edge does (control::Emulator::handle); `post` runs a
  // task later on the engine thread. A local request is handled from a posted task, never
  // inside send(): callers (task dispatch) expect the answer after send() has returned, as
  // the real client gives it.
  LocalHostsClient(HttpClient& outer, std::function<void(HttpRequest&, Reply)> handle,
                   std::function<void(std::function<void()>)> post)
      : outer_(outer), handle_(std::move(handle)), post_(std::move(post)) {}
  ~LocalHostsClient() override { *alive_ = false; }
  void send(OutboundRequest req, std::function<void(OutboundResponse)> done) override;
  // Local requests posted and not yet handed to the stub: work in flight, as requests on
  // the wire are (virtual time must not jump past them). Any thread.
  size_t queued() const { return queued_.load(); }

 private:
  void deliver(std::shared_ptr<HttpRequest> req, std::function<void(OutboundResponse)> done);
  HttpClient& outer_;
  std::function<void(HttpRequest&, Reply)> handle_;
  std::function<void(std::function<void()>)> post_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // posted tasks check it
  std::atomic<size_t> queued_{0};
};

// Whether a URL's host is one the edge serves by name ("*.stub.localhost").
bool served_locally(const std::string& url);

}  // namespace gcpsim::net
