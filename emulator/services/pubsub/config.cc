// Reads the `pubsub` section: topic and subscription ids as Pub/Sub accepts them, and each
// subscription's settings within the API's limits. Topic and push-service references are
// checked once the whole file is read, so sections may come in any order.
#include "services/pubsub/config.h"

#include <algorithm>

#include "core/stack_yaml.h"
#include "services/bigquery/service.h"
#include "services/run/service.h"

namespace gcpsim::services::pubsub {
namespace {

using namespace core::stackfile;
using namespace std::chrono_literals;

StackPush read_push(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"service", "path", "url", "oidc"});
  StackPush p;
  if (m.has("service") == m.has("url")) fail_under(f, "set either 'service' or 'url'");
  if (auto s = m.get("service")) {
    p.service = text(*s);
    ctx.later([&ctx, s = *s, name = p.service] {
      if (!run::declares_service(ctx.stack(), name)) fail(s, "'" + name + "' is not a declared run service or function");
    });
  }
  if (auto path = m.get("path")) {
    if (p.service.empty()) fail(*path, "applies only with 'service'");
    p.path = text(*path);
    if (p.path.empty() || p.path[0] != '/') fail(*path, "must start with '/'");
  }
  if (auto u = m.get("url")) {
    p.url = text(*u);
    if (p.url.rfind("http://", 0) != 0 && p.url.rfind("https://", 0) != 0) fail(*u, "expected an http:// or https:// URL");
  }
  if (auto o = m.get("oidc")) p.oidc = boolean(*o);
  return p;
}

void read_policies(const Map& m, SubscriptionConfig& s, core::SectionContext& ctx) {
  if (auto d = m.get("dead_letter")) {
    Map dm(*d, {"topic", "max_attempts"});
    s.dead_letter = DeadLetterPolicy{declared_topic(dm.require("topic"), ctx)};
    if (auto a = dm.get("max_attempts")) s.dead_letter->max_delivery_attempts = small_int(*a, 5, 100);
  }
  if (auto r = m.get("retry")) {
    Map rm(*r, {"min_backoff", "max_backoff"});
    s.retry = RetryPolicy{};
    if (auto b = rm.get("min_backoff")) s.retry->minimum_backoff = duration(*b, 0s, 600s);
    if (auto b = rm.get("max_backoff")) s.retry->maximum_backoff = duration(*b, 0s, 600s);
    if (s.retry->minimum_backoff > s.retry->maximum_backoff) fail_under(*r, "min_backoff must not exceed max_backoff");
  }
}

// "project.dataset.table" or "project:dataset.table", as the API's bigqueryConfig.table; a
// table in the stack's project must be declared under bigquery.datasets (it is created first).
BigQueryConfig read_bigquery(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"table", "use_topic_schema", "use_table_schema", "write_metadata", "drop_unknown_fields"});
  BigQueryConfig b;
  Field table = m.require("table");
  b.table = text(table);
  auto ref = bigquery::parse_table_name(b.table);
  if (!ref) fail(table, "expected PROJECT.DATASET.TABLE or PROJECT:DATASET.TABLE, got '" + b.table + "'");
  ctx.later([&ctx, table, ref = *ref] {
    const auto& st = ctx.stack();
    if (ref.project == st.project && !bigquery::declares_table(st, ref.dataset, ref.table)) {
      fail(table, "table '" + ref.dataset + "." + ref.table + "' is not declared under bigquery.datasets");
    }
  });
  if (auto v = m.get("use_topic_schema")) b.use_topic_schema = boolean(*v);
  if (auto v = m.get("use_table_schema")) b.use_table_schema = boolean(*v);
  if (b.use_topic_schema && b.use_table_schema) fail_under(f, "set at most one of use_topic_schema and use_table_schema");
  if (auto v = m.get("write_metadata")) b.write_metadata = boolean(*v);
  if (auto v = m.get("drop_unknown_fields")) b.drop_unknown_fields = boolean(*v);
  return b;
}

StackSubscription read_subscription(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"topic", "ack_deadline", "push", "bigquery", "filter", "dead_letter", "retry", "ordering", "exactly_once"});
  StackSubscription out;
  SubscriptionConfig& s = out.config;
  s.topic = declared_topic(m.require("topic"), ctx);
  if (auto a = m.get("ack_deadline")) s.ack_deadline = duration(*a, 10s, 600s);
  if (auto p = m.get("push")) out.push = read_push(*p, ctx);
  if (auto b = m.get("bigquery")) {
    if (out.push) fail_under(f, "set either 'push' or 'bigquery': a subscription delivers one way");
    s.bigquery = read_bigquery(*b, ctx);
  }
  if (auto x = m.get("filter")) s.filter = text(*x);
  read_policies(m, s, ctx);
  if (auto o = m.get("ordering")) s.enable_message_ordering = boolean(*o);
  if (auto e = m.get("exactly_once")) {
    s.exactly_once = boolean(*e);
    if (s.exactly_once && (out.push || s.bigquery)) fail(*e, "exactly-once delivery works only with pull subscriptions");
  }
  return out;
}

}  // namespace

void check_stack_name(const Field& f, const std::string& name) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto allowed = [&](char c) {
    return alpha(c) || (c >= '0' && c <= '9') || std::string_view("-_.~+%").find(c) != std::string_view::npos;
  };
  bool ok = name.size() >= 3 && name.size() <= 255 && alpha(name[0]) && name.rfind("goog", 0) != 0 &&
            std::all_of(name.begin(), name.end(), allowed);
  if (!ok) {
    fail_under(f, "invalid name '" + name + "': start with a letter, 3 to 255 characters of letters, "
                  "digits and - _ . ~ + %, not starting with 'goog'");
  }
}

std::string declared_topic(const Field& f, core::SectionContext& ctx) {
  std::string name = text(f);
  ctx.later([&ctx, f, name] {
    if (!stack_pubsub(ctx.stack()).topics.count(name) && !ctx.stack().implies("pubsub.topics", name)) {
      fail(f, "topic '" + name + "' is not declared under pubsub.topics");
    }
  });
  return name;
}

core::StackSection stack_section() {
  return {"pubsub", [](const Field& section, core::SectionContext& ctx) -> std::any {
            Map m(section, {"topics", "subscriptions"});
            PubsubConfig cfg;
            if (auto f = m.get("topics")) {
              for (auto& [name, tf] : entries(*f)) {
                check_stack_name(tf, name);
                Map t(tf, {"labels", "message_retention"});
                TopicConfig topic;
                if (auto l = t.get("labels")) topic.labels = string_map(*l);
                if (auto r = t.get("message_retention")) topic.message_retention = duration(*r, 10min, 31 * 24h);
                cfg.topics[name] = std::move(topic);
              }
            }
            if (auto f = m.get("subscriptions")) {
              for (auto& [name, sf] : entries(*f)) {
                check_stack_name(sf, name);
                cfg.subscriptions[name] = read_subscription(sf, ctx);
              }
            }
            return cfg;
          }};
}

const PubsubConfig& stack_pubsub(const core::StackConfig& stack) {
  return stack.section_or_empty<PubsubConfig>("pubsub");
}

std::map<std::string, TopicConfig> stack_topics(const core::StackConfig& stack) {
  std::map<std::string, TopicConfig> topics = stack_pubsub(stack).topics;
  if (auto it = stack.implied.find("pubsub.topics"); it != stack.implied.end())
    for (const auto& id : it->second) topics.try_emplace(id);
  return topics;
}

}  // namespace gcpsim::services::pubsub
