// Reads the `functions` section: each entry's Run service keys (Cloud Run's reader) and its
// trigger. A Pub/Sub trigger's topic is implied in Pub/Sub, as gcloud creates it when missing.
#include "services/functions/config.h"

#include <optional>

#include "core/stack_yaml.h"
#include "services/pubsub/service.h"
#include "services/storage/service.h"

namespace gcpsim::services::functions {
namespace {

using namespace core::stackfile;

// `storage: BUCKET` with a sibling `event`, or `storage: {bucket, event}`.
void storage_trigger(const Map& trigger, const Field& s, FunctionTrigger& t, core::SectionContext& ctx) {
  t.kind = FunctionTrigger::Kind::kStorage;
  std::optional<Map> sm;
  std::optional<Field> bucket, event = trigger.get("event");
  if (s.node.IsMap()) {
    if (event) fail(*event, "set 'event' inside 'storage' when 'storage' is a mapping");
    sm.emplace(s, std::vector<std::string_view>{"bucket", "event"});
    bucket = sm->require("bucket");
    event = sm->get("event");
  } else {
    bucket = s;
  }
  t.bucket = text(*bucket);
  ctx.later([&ctx, b = *bucket, name = t.bucket] {
    if (!storage::declares_bucket(ctx.stack(), name)) fail(b, "bucket '" + name + "' is not declared under storage.buckets");
  });
  std::string kind = event ? one_of(*event, {"finalized", "deleted", "archived", "metadataUpdated"}) : "finalized";
  t.event = "google.cloud.storage.object.v1." + kind;
}

FunctionTrigger read_trigger(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"pubsub", "storage", "event", "http", "retry", "dead_letter", "max_attempts"});
  FunctionTrigger t;
  int kinds = m.has("pubsub") + m.has("storage") + m.has("http");
  if (kinds != 1) fail_under(f, "set exactly one of 'pubsub', 'storage' or 'http'");
  if (auto p = m.get("pubsub")) {
    t.kind = FunctionTrigger::Kind::kPubsub;
    t.topic = text(*p);
    pubsub::check_stack_name(*p, t.topic);
    ctx.imply("pubsub.topics", t.topic);  // gcloud creates a trigger's topic when missing
  }
  if (auto s = m.get("storage")) storage_trigger(m, *s, t, ctx);
  else if (auto e = m.get("event")) fail(*e, "applies only with 'storage'");
  if (auto h = m.get("http")) {
    bool empty_map = h->node.IsNull() || (h->node.IsMap() && h->node.size() == 0);
    if (!empty_map && !(h->node.IsScalar() && h->node.Scalar() == "true")) {
      fail(*h, "expected true or {}, got " + describe(h->node));
    }
  }
  for (const char* key : {"retry", "dead_letter", "max_attempts"}) {
    if (t.kind == FunctionTrigger::Kind::kHttp && m.has(key)) fail(*m.get(key), "applies only to event triggers");
  }
  if (auto r = m.get("retry")) t.retry = boolean(*r);
  if (auto d = m.get("dead_letter")) t.dead_letter = pubsub::declared_topic(*d, ctx);
  if (auto a = m.get("max_attempts")) t.max_attempts = small_int(*a, 5, 100);
  return t;
}

}  // namespace

core::StackSection stack_section() {
  return {"functions", [](const Field& section, core::SectionContext& ctx) -> std::any {
            auto keys = run::service_keys();
            keys.push_back("trigger");
            StackFunctions out;
            for (auto& [name, f] : entries(section)) {
              run::check_service_name(f, name, 63);
              if (run::stack_run(ctx.stack()).count(name)) {
                fail_under(f, "name '" + name + "' is already used by run." + name + " (a function is a Run service)");
              }
              Map m(f, keys);
              run::RunServiceConfig defaults;  // Cloud Functions' own defaults, not Cloud Run's
              defaults.concurrency = 1;
              defaults.timeout = std::chrono::seconds(60);
              defaults.memory_bytes = uint64_t{256} << 20;
              defaults.cpu = run::function_cpu(defaults.memory_bytes);
              FunctionConfig fn{run::read_service(m, defaults, ctx, true), {}};
              if (auto t = m.get("trigger")) fn.trigger = read_trigger(*t, ctx);
              out[name] = std::move(fn);
            }
            return out;
          }};
}

const StackFunctions& stack_functions(const core::StackConfig& stack) {
  return stack.section_or_empty<StackFunctions>("functions");
}

}  // namespace gcpsim::services::functions
