// Pub/Sub's stack-file section: the topics and subscriptions created before serving
// (`pubsub:`), read into the domain's own TopicConfig and SubscriptionConfig.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "core/stack_section.h"
#include "services/pubsub/domain.h"

namespace gcpsim::core { struct StackConfig; }

namespace gcpsim::services::pubsub {

// A push endpoint as the stack file names it: a declared Run service or function (its
// stable port is known only once the stack is read), or a URL.
struct StackPush {
  std::string service;  // a declared run service or function, or empty when `url` is set
  std::string path = "/";
  std::string url;      // an explicit endpoint instead of a service
  bool oidc = false;    // attach an OIDC token whose audience is the endpoint
};

// A declared subscription: `config` names topics by id (the service adds the project), and
// its push endpoint comes from `push` when the service seeds it.
struct StackSubscription {
  SubscriptionConfig config;
  std::optional<StackPush> push;
};

struct PubsubConfig {
  std::map<std::string, TopicConfig> topics;  // declared; StackConfig::implied adds more
  std::map<std::string, StackSubscription> subscriptions;
};

// The `pubsub` section; its result is stack_pubsub(stack).
core::StackSection stack_section();
// The declared topics and subscriptions (none without a `pubsub` section).
const PubsubConfig& stack_pubsub(const core::StackConfig& stack);
// Every topic the stack creates: the declared ones and those other sections imply (a
// trigger's, a notification's) with default settings.
std::map<std::string, TopicConfig> stack_topics(const core::StackConfig& stack);

// For other sections naming topics: a topic or subscription id as Pub/Sub accepts it (fails
// at f otherwise), and a reference to a topic the stack must create, checked once the file
// is read. Returns the id.
void check_stack_name(const core::stackfile::Field& f, const std::string& name);
std::string declared_topic(const core::stackfile::Field& f, core::SectionContext& ctx);

}  // namespace gcpsim::services::pubsub
