// Pub/Sub's emulator-only routes for the console, behind the control guard: every
// subscription with its counts by delivery state, and a peek that consumes nothing.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "net/http.h"
#include "services/pubsub/service.h"

namespace gcpsim::services::pubsub {
namespace {

using nlohmann::json;

constexpr size_t kMaxPeek = 1000;
constexpr int32_t kListPage = 1000;  // the API's largest page

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

json subscription_json(const Domain& domain, const Subscription& s) {
  json j = {{"name", s.name}, {"topic", s.config.topic}, {"detached", s.detached},
            {"ackDeadline", core::format_duration(s.config.ack_deadline)},
            {"ordering", s.config.enable_message_ordering}, {"exactlyOnce", s.config.exactly_once},
            {"filter", s.config.filter}};
  if (s.config.dead_letter)
    j["deadLetter"] = {{"topic", s.config.dead_letter->topic},
                       {"maxDeliveryAttempts", s.config.dead_letter->max_delivery_attempts}};
  if (s.config.push) j["pushEndpoint"] = s.config.push->endpoint;
  if (auto c = domain.counts(s.name); c.ok())
    j["counts"] = {{"ready", c->ready}, {"leased", c->leased}, {"backoff", c->backoff}, {"acked", c->acked}};
  return j;
}

}  // namespace

void add_control_routes(net::Router& router, PubsubService& svc) {
  router.add_guarded("GET", "/_gcpsim/pubsub/subscriptions", [&svc](net::HttpRequest&, net::Reply reply) {
    json list = json::array();
    Page page{kListPage, ""};
    for (;;) {
      std::string next;
      for (const auto& s : svc.domain().list_subscriptions(svc.env().project, page, &next))
        list.push_back(subscription_json(svc.domain(), s));
      if (next.empty()) break;
      page.token = next;
    }
    reply(net::HttpResponse::json(200, json{{"subscriptions", std::move(list)}}.dump()));
  });
  // GET /_gcpsim/pubsub/peek/projects/P/subscriptions/S?limit=N
  router.add_guarded("GET", "/_gcpsim/pubsub/peek/{name**}", [&svc](net::HttpRequest& req, net::Reply reply) {
    size_t limit = 100;
    try {
      limit = std::min<size_t>(std::stoul(req.query_param("limit").value_or("100")), kMaxPeek);
    } catch (const std::exception&) {
      return reply(net::HttpResponse::error(core::Status::invalid_argument("limit must be a non-negative integer")));
    }
    auto peeked = svc.domain().peek(req.param("name"), limit);
    if (!peeked.ok()) return reply(net::HttpResponse::error(peeked.status()));
    json list = json::array();
    for (const auto& p : *peeked) {
      json attrs = json::object();
      for (auto a : p.message->attributes()) attrs[std::string(a.key)] = std::string(a.value);
      list.push_back({{"messageId", p.message->id()}, {"publishTime", core::format_rfc3339(p.message->publish_time())},
                      {"data", base64(p.message->data())}, {"attributes", std::move(attrs)},
                      {"orderingKey", std::string(p.message->ordering_key())}, {"state", p.state},
                      {"deliveryAttempts", p.attempts}});
    }
    // Attributes are UTF-8 by the API's rules; replace rather than throw if one is not.
    reply(net::HttpResponse::json(
        200, json{{"messages", std::move(list)}}.dump(-1, ' ', false, json::error_handler_t::replace)));
  });
}

}  // namespace gcpsim::services::pubsub
