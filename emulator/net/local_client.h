// Outbound HTTP that stays in the process for hosts the edge serves by name (HTTP stubs at
// NAME.stub.localhost, which need no DNS): push subscriptions, task dispatch and functions
// deliver to a stub exactly as the edge would route the request. Other URLs go out.
#pragma once
#include "net/http.h"
#include "net/http_client.h"

namespace gcpsim::net {

class LocalHostsClient final : public HttpClient {
 public:
  // `handle` routes a request as the edge does (control::Emulator::handle).
  LocalHostsClient(HttpClient& outer, std::function<void(HttpRequest&, Reply)> handle)
      : outer_(outer), handle_(std::move(handle)) {}
  void send(OutboundRequest req, std::function<void(OutboundResponse)> done) override;

 private:
  HttpClient& outer_;
  std::function<void(HttpRequest&, Reply)> handle_;
};

// Whether a URL's host is one the edge serves by name ("*.stub.localhost").
bool served_locally(const std::string& url);

}  // namespace gcpsim::net
