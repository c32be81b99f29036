// Push delivery: a consumer per push subscription that POSTs each message to its endpoint
// (wrapped JSON or the raw payload), acks on 102/200/201/202/204 and nacks otherwise, with
// slow-start flow control; and in-process handlers other services attach to subscriptions.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "services/pubsub/service.h"

namespace gcpsim::net { class HttpClient; }

namespace gcpsim::services::pubsub {

class Push {
 public:
  Push(PubsubService& svc, net::HttpClient& http);
  ~Push();
  void set_token_minter(TokenMinter minter) { minter_ = std::move(minter); }
  // Starts, restarts or stops pushing to match the subscription's current push config.
  void refresh(const std::string& subscription);  // and its BigQuery writer
  core::Status add_handler(const std::string& subscription, PubsubService::Handler handler);
  void stop_all();

 private:
  void refresh_bigquery(const std::string& subscription);
  class Endpoint;
  class InProcess;
  friend class Endpoint;
  friend class InProcess;

  PubsubService& svc_;
  net::HttpClient& http_;
  TokenMinter minter_;
  std::map<std::string, std::shared_ptr<Endpoint>> endpoints_;
  std::map<std::string, std::shared_ptr<InProcess>> handlers_;
  std::map<std::string, std::shared_ptr<InProcess>> bigquery_;  // BigQuery subscriptions' writers
};

}  // namespace gcpsim::services::pubsub
