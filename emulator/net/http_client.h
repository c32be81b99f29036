// Outbound HTTP/1.1 for deliveries (push subscriptions, task dispatch, CloudEvents).
// Completion always arrives on the engine thread.
#pragma once
#include <functional>
#include <string>

#include "core/time.h"
#include "net/http.h"

namespace gcpsim::net {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;           // http://127.0.0.1:9001/path (plain HTTP, loopback)
  Headers headers;
  std::string body;
  core::Duration timeout = std::chrono::seconds(30);  // wall-clock I/O guard
};

struct OutboundResponse {
  int status = 0;            // 0 = no HTTP answer (refused, reset, timed out)
  Headers headers;
  std::string body;
  std::string error;         // why status is 0
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual void send(OutboundRequest req, std::function<void(OutboundResponse)> done) = 0;
};

}  // namespace gcpsim::net
