// google.pubsub.v1.Publisher → the domain, one function per RPC.
#include <google/protobuf/empty.pb.h>

#include "net/rpc.h"
#include "services/pubsub/convert.h"
#include "services/pubsub/errors.h"
#include "services/pubsub/handlers.h"
#include "services/pubsub/names.h"
#include "services/pubsub/schemas.h"
#include "services/pubsub/service.h"

namespace gcpsim::services::pubsub {
namespace {

using core::Status;
using google::protobuf::Empty;

constexpr size_t kMaxRequestBytes = 10'000'000;

Status check_schema(PubsubService& svc, TopicConfig& config) {
  if (!config.schema) return Status::ok();
  if (config.schema->encoding == Encoding::kUnspecified) config.schema->encoding = Encoding::kJson;
  return svc.schemas().check_settings(*config.schema);
}

Status create_topic(PubsubService& svc, const v1::Topic& req, v1::Topic* resp) {
  TopicConfig config = topic_config(req);
  RETURN_IF_ERROR(parse_name(Kind::kTopic, req.name()).status());
  RETURN_IF_ERROR(check_schema(svc, config));
  ASSIGN_OR_RETURN(auto topic, svc.domain().create_topic(req.name(), std::move(config)));
  to_proto(topic, resp);
  return Status::ok();
}

Status update_topic(PubsubService& svc, const v1::UpdateTopicRequest& req, v1::Topic* resp) {
  ASSIGN_OR_RETURN(auto current, svc.domain().get_topic(req.topic().name()));
  v1::Topic merged;
  to_proto(current, &merged);
  RETURN_IF_ERROR(apply_mask(req.topic(), req.update_mask(), &merged, "UpdateTopicRequest", "schema_settings"));
  merged.set_name(current.name);
  TopicConfig config = topic_config(merged);
  RETURN_IF_ERROR(check_schema(svc, config));
  ASSIGN_OR_RETURN(auto topic, svc.domain().update_topic(current.name, std::move(config)));
  to_proto(topic, resp);
  return Status::ok();
}

Status publish(PubsubService& svc, const v1::PublishRequest& req, v1::PublishResponse* resp) {
  RETURN_IF_ERROR(parse_name(Kind::kTopic, req.topic()).status());
  if (req.ByteSizeLong() > kMaxRequestBytes) {
    return errors::too_large("request_size", static_cast<long long>(req.ByteSizeLong()),
                             static_cast<long long>(kMaxRequestBytes));
  }
  std::vector<MessageView> messages;
  messages.reserve(req.messages_size());
  for (const auto& m : req.messages()) messages.push_back(from_proto(m));
  ASSIGN_OR_RETURN(auto ids, svc.domain().publish(req.topic(), messages));
  for (auto& id : ids) resp->add_message_ids(std::move(id));
  return Status::ok();
}

Status get_topic(PubsubService& svc, const v1::GetTopicRequest& req, v1::Topic* resp) {
  ASSIGN_OR_RETURN(auto topic, svc.domain().get_topic(req.topic()));
  to_proto(topic, resp);
  return Status::ok();
}

Status list_topics(PubsubService& svc, const v1::ListTopicsRequest& req, v1::ListTopicsResponse* resp) {
  ASSIGN_OR_RETURN(auto project, parse_project(req.project()));
  std::string next;
  for (const auto& t : svc.domain().list_topics(project, Page{req.page_size(), req.page_token()}, &next)) {
    to_proto(t, resp->add_topics());
  }
  resp->set_next_page_token(next);
  return Status::ok();
}

Status list_topic_subscriptions(PubsubService& svc, const v1::ListTopicSubscriptionsRequest& req,
                                v1::ListTopicSubscriptionsResponse* resp) {
  std::string next;
  ASSIGN_OR_RETURN(auto names,
                   svc.domain().list_topic_subscriptions(req.topic(), Page{req.page_size(), req.page_token()}, &next));
  for (auto& n : names) resp->add_subscriptions(std::move(n));
  resp->set_next_page_token(next);
  return Status::ok();
}

Status list_topic_snapshots(PubsubService& svc, const v1::ListTopicSnapshotsRequest& req,
                            v1::ListTopicSnapshotsResponse* resp) {
  std::string next;
  ASSIGN_OR_RETURN(auto names,
                   svc.domain().list_topic_snapshots(req.topic(), Page{req.page_size(), req.page_token()}, &next));
  for (auto& n : names) resp->add_snapshots(std::move(n));
  resp->set_next_page_token(next);
  return Status::ok();
}

Status delete_topic(PubsubService& svc, const v1::DeleteTopicRequest& req, Empty*) {
  return svc.domain().delete_topic(req.topic());
}

Status detach_subscription(PubsubService& svc, const v1::DetachSubscriptionRequest& req,
                           v1::DetachSubscriptionResponse*) {
  RETURN_IF_ERROR(svc.domain().detach_subscription(req.subscription()));
  svc.subscription_changed(req.subscription());
  return Status::ok();
}

}  // namespace

void register_publisher(net::MethodTable& methods, PubsubService& svc) {
  net::GrpcService<PubsubService> s(methods, "google.pubsub.v1.Publisher", "pubsub", svc);
  s.add_unary("CreateTopic", &create_topic);
  s.add_unary("UpdateTopic", &update_topic);
  s.add_unary("Publish", &publish);
  s.add_unary("GetTopic", &get_topic);
  s.add_unary("ListTopics", &list_topics);
  s.add_unary("ListTopicSubscriptions", &list_topic_subscriptions);
  s.add_unary("ListTopicSnapshots", &list_topic_snapshots);
  s.add_unary("DeleteTopic", &delete_topic);
  s.add_unary("DetachSubscription", &detach_subscription);
}

}  // namespace gcpsim::services::pubsub
