// The stack file loader: DESIGN.md's example, every key, defaults, paths and error messages.
#include <catch2/catch.hpp>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/stack.h"
#include "core/stack_yaml.h"
#include "services/backing/config.h"
#include "services/calendar/config.h"
#include "services/functions/config.h"
#include "services/pubsub/config.h"
#include "services/run/config.h"
#include "services/secrets/config.h"
#include "services/storage/config.h"
#include "services/gemini/config.h"
#include "services/service.h"
#include "services/tasks/config.h"

namespace stack_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;
using gcpsim::services::calendar::CalendarConfig;
using gcpsim::services::calendar::CalendarEvent;
using gcpsim::services::gemini::GeminiConfig;
using gcpsim::services::gemini::GeminiReply;
using gcpsim::services::gemini::GeminiRule;
using gcpsim::services::tasks::QueueConfig;
using gcpsim::services::tasks::TasksConfig;
using gcpsim::services::functions::FunctionConfig;
using gcpsim::services::functions::FunctionTrigger;
using gcpsim::services::functions::StackFunctions;
using gcpsim::services::pubsub::PubsubConfig;
using gcpsim::services::pubsub::StackSubscription;
using gcpsim::services::pubsub::SubscriptionConfig;
using gcpsim::services::pubsub::TopicConfig;
using gcpsim::services::run::Ingress;
using gcpsim::services::run::RunServiceConfig;
using gcpsim::services::run::RunServices;
using gcpsim::services::secrets::StackSecrets;
using gcpsim::services::storage::BucketConfig;
using gcpsim::services::storage::StorageConfig;
namespace fs = std::filesystem;

namespace {

// The example in DESIGN.md, byte for byte.
const std::string kDesignExample = R"(project: demo-project            # default demo-project
region: us-central1
seed: 42
run:                             # Cloud Run services: real processes behind the router
  task-api:
    command: [uvicorn, main:app, --host, 127.0.0.1, --port, "${PORT}"]
    cwd: services/api            # relative to this file
    env: {LOG_LEVEL: info}
    secret_env: {DB_PASSWORD: db-password:latest}
    port: 9001                   # stable service URL http://127.0.0.1:9001
    concurrency: 80
    min_instances: 0
    max_instances: 3
    timeout: 300s
    allow_unauthenticated: true
    ingress: all                 # all | internal
functions:                       # Cloud Functions (2nd gen): a Run service + a trigger
  enrich:
    command: [npx, functions-framework, --target=enrich, --signature-type=cloudevent]
    cwd: services/enrich
    trigger: {pubsub: task-events, retry: true, dead_letter: task-events-dlq, max_attempts: 5}
pubsub:
  topics: {task-events: {}, task-events-dlq: {}}
  subscriptions:
    audit: {topic: task-events, ack_deadline: 10s}
    to-worker: {topic: task-events, push: {service: worker, path: /pubsub, oidc: true}}
storage:
  buckets:
    uploads: {versioning: true, notifications: [{topic: uploads-events, events: [OBJECT_FINALIZE]}]}
secrets:
  db-password: {value: s3cret}
  api-key: {file: secrets/api-key.txt}
tasks:
  queues:
    webhooks: {max_dispatches_per_second: 5, max_concurrent_dispatches: 2,
               retry: {max_attempts: 5, min_backoff: 1s, max_backoff: 60s}}
gemini:
  rules:
    - match: {model: gemini-2.5-flash, prompt: "(?i)summar"}
      reply: {json: {summary: "Short", subtasks: [a, b], category: work}}
calendar:
  users: {alice@example.com: {events: [{summary: Standup, start: "2026-01-05T09:00:00Z", end: "2026-01-05T09:15:00Z"}]}}
backing:
  redis: {}
  postgres: {database: app, user: app, password_secret: db-password, init: [sql/schema.sql]}
  firestore: {}
faults:
  - {match: {service: gemini}, action: {error: RESOURCE_EXHAUSTED}, probability: 0.1}
)";

// The example with the push subscription's `worker` declared, which DESIGN.md leaves out.
std::string design_example_with_worker() {
  std::string yaml = kDesignExample;
  yaml.replace(yaml.find("\nfunctions:"), 1, "\n  worker:\n    command: [./worker]\n");
  return yaml;
}

// A scratch directory for the files a stack refers to; removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "gcpsim-stack-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::string& relative, const std::string& content) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative, std::ios::binary) << content;
  }
};

// Every section the services table registers, as gcpsim reads a stack file.
const std::vector<StackSection>& sections() {
  static const auto all = gcpsim::services::stack_sections();
  return all;
}

// The sections services parse themselves (core/stack_section.h).
template <class T>
const T& section_of(const StackConfig& s, const std::string& key) {
  const T* c = s.section<T>(key);
  REQUIRE(c != nullptr);
  return *c;
}
const TasksConfig& tasks_of(const StackConfig& s) { return section_of<TasksConfig>(s, "tasks"); }
const GeminiConfig& gemini_of(const StackConfig& s) { return section_of<GeminiConfig>(s, "gemini"); }
const CalendarConfig& calendar_of(const StackConfig& s) { return section_of<CalendarConfig>(s, "calendar"); }

// The sections of Cloud Run, Functions, Pub/Sub, Storage and Secret Manager, by their keys.
struct Sections {
  const RunServices& run;
  const StackFunctions& functions;
  const PubsubConfig& pubsub;
  const StorageConfig& storage;
  const StackSecrets& secrets;
};
Sections of(const StackConfig& s) {
  return {gcpsim::services::run::stack_run(s), gcpsim::services::functions::stack_functions(s),
          gcpsim::services::pubsub::stack_pubsub(s), gcpsim::services::storage::stack_storage(s),
          gcpsim::services::secrets::stack_secrets(s)};
}

using gcpsim::services::backing::BackingConfig;
const BackingConfig& B(const StackConfig& s) {
  static const BackingConfig kNone;
  auto* b = s.section<BackingConfig>("backing");
  return b ? *b : kNone;
}

StackConfig parse_ok(const std::string& yaml, const std::string& base_dir = "/srv/app") {
  auto r = parse_stack(yaml, "gcpsim.yaml", base_dir, sections());
  INFO(r.status().message());
  REQUIRE(r.ok());
  return *r;
}

std::string error_of(const std::string& yaml, const std::string& base_dir = "/srv/app") {
  auto r = parse_stack(yaml, "gcpsim.yaml", base_dir, sections());
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

Time at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

}  // namespace

TEST_CASE("DESIGN.md's example names a push service it does not declare") {
  TempDir dir;
  dir.write("secrets/api-key.txt", "key-123\n");
  REQUIRE(error_of(kDesignExample, dir.path.string()) ==
          "gcpsim.yaml:26: pubsub.subscriptions.to-worker.push.service: 'worker' is not a declared "
          "run service or function");
}

TEST_CASE("DESIGN.md's example parses, every field typed") {
  TempDir dir;
  dir.write("secrets/api-key.txt", "key-123\n");
  StackConfig s = parse_ok(design_example_with_worker(), dir.path.string());
  const std::string base = dir.path.string();

  CHECK(s.file == "gcpsim.yaml");
  CHECK(s.base_dir == base);
  CHECK(s.project == "demo-project");
  CHECK(s.region == "us-central1");
  CHECK(s.seed == 42);

  REQUIRE(of(s).run.size() == 2);
  const RunServiceConfig& api = of(s).run.at("task-api");
  CHECK(api.command == std::vector<std::string>{"uvicorn", "main:app", "--host", "127.0.0.1", "--port", "${PORT}"});
  CHECK(api.cwd == base + "/services/api");
  CHECK(api.env == std::map<std::string, std::string>{{"LOG_LEVEL", "info"}});
  REQUIRE(api.secret_env.size() == 1);
  CHECK(api.secret_env.at("DB_PASSWORD").secret == "db-password");
  CHECK(api.secret_env.at("DB_PASSWORD").version == "latest");
  CHECK(api.port == 9001);
  CHECK(api.concurrency == 80);
  CHECK(api.min_instances == 0);
  CHECK(api.max_instances == 3);
  CHECK(api.timeout == 300s);
  CHECK_FALSE(api.startup_probe);
  CHECK(api.allow_unauthenticated);
  CHECK(api.ingress == Ingress::kAll);
  CHECK(of(s).run.at("worker").cwd == base);

  REQUIRE(of(s).functions.size() == 1);
  const FunctionConfig& enrich = of(s).functions.at("enrich");
  CHECK(enrich.service.command ==
        std::vector<std::string>{"npx", "functions-framework", "--target=enrich", "--signature-type=cloudevent"});
  CHECK(enrich.service.cwd == base + "/services/enrich");
  CHECK(enrich.service.concurrency == 1);
  CHECK(enrich.service.timeout == 60s);
  CHECK(enrich.trigger.kind == FunctionTrigger::Kind::kPubsub);
  CHECK(enrich.trigger.topic == "task-events");
  CHECK(enrich.trigger.retry);
  CHECK(enrich.trigger.dead_letter == "task-events-dlq");
  CHECK(enrich.trigger.max_attempts == 5);

  // uploads-events is named only by the bucket notification, which creates it.
  auto topics = gcpsim::services::pubsub::stack_topics(s);
  REQUIRE(topics.size() == 3);
  CHECK(topics.count("task-events"));
  CHECK(topics.count("task-events-dlq"));
  CHECK(topics.count("uploads-events"));
  CHECK(s.implies("pubsub.topics", "uploads-events"));
  CHECK(topics.at("task-events").labels.empty());
  CHECK_FALSE(topics.at("task-events").message_retention);
  REQUIRE(of(s).pubsub.subscriptions.size() == 2);
  const StackSubscription& audit = of(s).pubsub.subscriptions.at("audit");
  CHECK(audit.config.topic == "task-events");
  CHECK(audit.config.ack_deadline == 10s);
  CHECK_FALSE(audit.push);
  const StackSubscription& to_worker = of(s).pubsub.subscriptions.at("to-worker");
  CHECK(to_worker.config.topic == "task-events");
  REQUIRE(to_worker.push);
  CHECK(to_worker.push->service == "worker");
  CHECK(to_worker.push->path == "/pubsub");
  CHECK(to_worker.push->url.empty());
  CHECK(to_worker.push->oidc);

  REQUIRE(of(s).storage.buckets.size() == 1);
  const BucketConfig& uploads = of(s).storage.buckets.at("uploads");
  CHECK(uploads.versioning);
  CHECK(uploads.location == "US");
  REQUIRE(uploads.notifications.size() == 1);
  CHECK(uploads.notifications[0].topic == "uploads-events");
  CHECK(uploads.notifications[0].events == std::vector<std::string>{"OBJECT_FINALIZE"});
  CHECK(uploads.notifications[0].prefix.empty());
  CHECK(uploads.lifecycle.empty());

  REQUIRE(of(s).secrets.size() == 2);
  CHECK(of(s).secrets.at("db-password").value == "s3cret");
  CHECK(of(s).secrets.at("db-password").file.empty());
  CHECK(of(s).secrets.at("api-key").value == "key-123\n");
  CHECK(of(s).secrets.at("api-key").file == base + "/secrets/api-key.txt");

  REQUIRE(tasks_of(s).queues.size() == 1);
  const QueueConfig& webhooks = tasks_of(s).queues.at("webhooks");
  CHECK(webhooks.max_dispatches_per_second == 5);
  CHECK(webhooks.max_concurrent_dispatches == 2);
  CHECK(webhooks.max_burst_size == 100);
  CHECK(webhooks.retry.max_attempts == 5);
  CHECK(webhooks.retry.min_backoff == 1s);
  CHECK(webhooks.retry.max_backoff == 60s);
  CHECK(webhooks.retry.max_doublings == 16);
  CHECK(webhooks.retry.max_retry_duration == 0s);

  REQUIRE(gemini_of(s).rules.size() == 1);
  const GeminiRule& rule = gemini_of(s).rules[0];
  CHECK(rule.match.model == "gemini-2.5-flash");
  CHECK(rule.match.prompt == "summar");
  CHECK(rule.match.prompt_ignore_case);
  CHECK(rule.match.call.empty());
  CHECK(rule.reply.kind == GeminiReply::Kind::kJson);
  CHECK(rule.reply.json == R"({"summary":"Short","subtasks":["a","b"],"category":"work"})");
  CHECK(rule.reply.delay == 0s);

  REQUIRE(calendar_of(s).users.size() == 1);
  const auto& events = calendar_of(s).users.at("alice@example.com").events;
  REQUIRE(events.size() == 1);
  CHECK(events[0].summary == "Standup");
  CHECK(events[0].start == at("2026-01-05T09:00:00Z"));
  CHECK(events[0].end == at("2026-01-05T09:15:00Z"));
  CHECK_FALSE(events[0].all_day);
  CHECK(events[0].description.empty());
  CHECK(events[0].recurrence.empty());

  REQUIRE(B(s).redis.size() == 1);
  CHECK_FALSE(B(s).redis.at(0).port);
  REQUIRE(B(s).postgres.size() == 1);
  CHECK(B(s).postgres.at(0).database == "app");
  CHECK(B(s).postgres.at(0).user == "app");
  CHECK(B(s).postgres.at(0).password_secret == "db-password");
  CHECK(B(s).postgres.at(0).init == std::vector<std::string>{base + "/sql/schema.sql"});
  REQUIRE(B(s).firestore);

  REQUIRE(s.faults.size() == 1);
  const FaultRule& fault = s.faults[0];
  CHECK(fault.match.service == "gemini");
  CHECK(fault.match.method.empty());
  CHECK_FALSE(fault.match.boundary);
  CHECK(fault.action.kind == FaultAction::Kind::kError);
  CHECK(fault.action.code == Code::kResourceExhausted);
  CHECK(fault.probability == 0.1);
  CHECK_FALSE(fault.count);
  CHECK(fault.after == 0);
}

TEST_CASE("the keys DESIGN.md's example leaves out are read too") {
  StackConfig s = parse_ok(R"(
run:
  web:
    command: [./web]
    cwd: /opt/web
    startup_probe: {path: /healthz, timeout: 30s}
    ingress: internal
    allow_unauthenticated: false
functions:
  on-upload:
    command: [./fn]
    trigger: {storage: {bucket: uploads, event: deleted}}
  hook:
    command: [./hook]
    port: 9100
    concurrency: 10
    trigger: {http: true}
pubsub:
  topics:
    events: {labels: {team: core}, message_retention: 2d}
    dlq: {}
  subscriptions:
    filtered:
      topic: events
      filter: attributes.kind = "a"
      dead_letter: {topic: dlq, max_attempts: 7}
      retry: {min_backoff: 5s, max_backoff: 1m}
      ordering: true
      exactly_once: true
    outside: {topic: events, push: {url: "https://example.com/hook"}}
storage:
  buckets:
    uploads:
      location: eu
      lifecycle:
        - {action: Delete, age_days: 30, is_live: false}
        - {action: SetStorageClass, storage_class: COLDLINE, num_newer_versions: 2}
      notifications: [{topic: events, prefix: images/}]
tasks:
  queues:
    mail: {max_burst_size: 20, retry: {max_attempts: -1, max_doublings: 3, max_retry_duration: 1h}}
gemini:
  rules:
    - match: {call: countTokens}
      reply: {text: "42", delay: 2s}
    - reply: {error: UNAVAILABLE, message: The model is overloaded.}
    - reply: {json: {n: 1, f: 2.5, yes: true, nothing: ~, quoted: "7"}}
calendar:
  users:
    bob@example.com:
      events:
        - summary: Holiday
          description: Out of office
          start: 2026-02-02
          end: 2026-02-03
          recurrence: ["RRULE:FREQ=YEARLY"]
backing:
  redis: {port: 6380}
  firestore: {port: 8086}
faults:
  - id: slow-publish
    match: {service: pubsub, method: pubsub.Publish, target: "projects/*", boundary: api}
    action: {kind: timeout, delay: 5s, message: slow, http_status: 504, retry_delay: 1s}
    count: 3
    after: 2
    from: "2026-01-01T00:00:00Z"
    until: "2026-01-02T00:00:00Z"
  - {action: {delay: 250ms}}
)");
  const RunServiceConfig& web = of(s).run.at("web");
  CHECK(web.cwd == "/opt/web");
  REQUIRE(web.startup_probe);
  CHECK(web.startup_probe->path == "/healthz");
  CHECK(web.startup_probe->timeout == 30s);
  CHECK(web.ingress == Ingress::kInternal);
  CHECK_FALSE(web.allow_unauthenticated);
  CHECK_FALSE(web.port);

  const FunctionTrigger& upload = of(s).functions.at("on-upload").trigger;
  CHECK(upload.kind == FunctionTrigger::Kind::kStorage);
  CHECK(upload.bucket == "uploads");
  CHECK(upload.event == "google.cloud.storage.object.v1.deleted");
  CHECK_FALSE(upload.retry);
  const FunctionConfig& hook = of(s).functions.at("hook");
  CHECK(hook.trigger.kind == FunctionTrigger::Kind::kHttp);
  CHECK(hook.service.port == 9100);
  CHECK(hook.service.concurrency == 10);

  const TopicConfig& events = of(s).pubsub.topics.at("events");
  CHECK(events.labels == std::map<std::string, std::string>{{"team", "core"}});
  CHECK(events.message_retention == 48h);
  const SubscriptionConfig& filtered = of(s).pubsub.subscriptions.at("filtered").config;
  CHECK(filtered.filter == R"(attributes.kind = "a")");
  REQUIRE(filtered.dead_letter);
  CHECK(filtered.dead_letter->topic == "dlq");
  CHECK(filtered.dead_letter->max_delivery_attempts == 7);
  REQUIRE(filtered.retry);
  CHECK(filtered.retry->minimum_backoff == 5s);
  CHECK(filtered.retry->maximum_backoff == 60s);
  CHECK(filtered.enable_message_ordering);
  CHECK(filtered.exactly_once);
  const StackSubscription& outside = of(s).pubsub.subscriptions.at("outside");
  REQUIRE(outside.push);
  CHECK(outside.push->url == "https://example.com/hook");
  CHECK(outside.push->service.empty());
  CHECK_FALSE(outside.push->oidc);

  const BucketConfig& uploads = of(s).storage.buckets.at("uploads");
  CHECK(uploads.location == "EU");
  CHECK_FALSE(uploads.versioning);
  REQUIRE(uploads.lifecycle.size() == 2);
  CHECK(uploads.lifecycle[0].action == "Delete");
  CHECK(uploads.lifecycle[0].condition.age_days == 30);
  CHECK(uploads.lifecycle[0].condition.is_live == false);
  CHECK_FALSE(uploads.lifecycle[0].condition.num_newer_versions);
  CHECK(uploads.lifecycle[1].action == "SetStorageClass");
  CHECK(uploads.lifecycle[1].storage_class == "COLDLINE");
  CHECK(uploads.lifecycle[1].condition.num_newer_versions == 2);
  REQUIRE(uploads.notifications.size() == 1);
  CHECK(uploads.notifications[0].events.empty());
  CHECK(uploads.notifications[0].prefix == "images/");

  const QueueConfig& mail = tasks_of(s).queues.at("mail");
  CHECK(mail.max_dispatches_per_second == 500);
  CHECK(mail.max_concurrent_dispatches == 1000);
  CHECK(mail.max_burst_size == 20);
  CHECK(mail.retry.max_attempts == -1);
  CHECK(mail.retry.min_backoff == 100ms);
  CHECK(mail.retry.max_backoff == 3600s);
  CHECK(mail.retry.max_doublings == 3);
  CHECK(mail.retry.max_retry_duration == 1h);

  REQUIRE(gemini_of(s).rules.size() == 3);
  CHECK(gemini_of(s).rules[0].match.call == "countTokens");
  CHECK(gemini_of(s).rules[0].reply.kind == GeminiReply::Kind::kText);
  CHECK(gemini_of(s).rules[0].reply.text == "42");
  CHECK(gemini_of(s).rules[0].reply.delay == 2s);
  CHECK(gemini_of(s).rules[1].match.model.empty());
  CHECK(gemini_of(s).rules[1].reply.kind == GeminiReply::Kind::kError);
  CHECK(gemini_of(s).rules[1].reply.code == Code::kUnavailable);
  CHECK(gemini_of(s).rules[1].reply.message == "The model is overloaded.");
  CHECK(gemini_of(s).rules[2].reply.json == R"({"n":1,"f":2.5,"yes":true,"nothing":null,"quoted":"7"})");

  const CalendarEvent& holiday = calendar_of(s).users.at("bob@example.com").events.at(0);
  CHECK(holiday.all_day);
  CHECK(holiday.start == at("2026-02-02T00:00:00Z"));
  CHECK(holiday.end == at("2026-02-03T00:00:00Z"));
  CHECK(holiday.description == "Out of office");
  CHECK(holiday.recurrence == std::vector<std::string>{"RRULE:FREQ=YEARLY"});

  CHECK(B(s).redis.at(0).port == 6380);
  CHECK(B(s).firestore->port == 8086);
  CHECK(B(s).postgres.empty());

  REQUIRE(s.faults.size() == 2);
  const FaultRule& slow = s.faults[0];
  CHECK(slow.id == "slow-publish");
  CHECK(slow.match.service == "pubsub");
  CHECK(slow.match.method == "pubsub.Publish");
  CHECK(slow.match.target == "projects/*");
  CHECK(slow.match.boundary == Boundary::kApi);
  CHECK(slow.action.kind == FaultAction::Kind::kTimeout);
  CHECK(slow.action.delay == 5s);
  CHECK(slow.action.message == "slow");
  CHECK(slow.action.http_status == 504);
  CHECK(slow.action.retry_delay == 1s);
  CHECK(slow.count == 3);
  CHECK(slow.after == 2);
  CHECK(slow.from == at("2026-01-01T00:00:00Z"));
  CHECK(slow.until == at("2026-01-02T00:00:00Z"));
  CHECK(slow.probability == 1.0);
  CHECK(s.faults[1].action.kind == FaultAction::Kind::kDelay);
  CHECK(s.faults[1].action.delay == 250ms);
}

TEST_CASE("defaults: no file, an empty file, and bare entries") {
  StackConfig d = default_stack();
  CHECK(d.project == "demo-project");
  CHECK(d.region == "us-central1");
  CHECK(d.seed == 42);
  CHECK(d.file.empty());
  CHECK((of(d).run.empty() && of(d).functions.empty() && gcpsim::services::pubsub::stack_topics(d).empty() && of(d).secrets.empty()));
  CHECK((of(d).storage.buckets.empty() && !d.section<TasksConfig>("tasks") && !d.section<GeminiConfig>("gemini")));
  CHECK((!d.section<CalendarConfig>("calendar") && d.faults.empty()));
  CHECK(gcpsim::services::backing::config_of(d) == nullptr);

  StackConfig empty = parse_ok("");
  CHECK(empty.project == "demo-project");
  CHECK(empty.seed == 42);

  StackConfig s = parse_ok(R"(
run:
  api: {command: [./api]}
functions:
  fn: {command: [./fn]}
pubsub:
  topics: {topic1:}
  subscriptions: {sub1: {topic: topic1}}
storage:
  buckets: {bucket1: {}}
tasks:
  queues: {q1: {}}
backing:
  postgres:
)");
  const RunServiceConfig& api = of(s).run.at("api");
  CHECK(api.cwd == "/srv/app");
  CHECK((api.env.empty() && api.secret_env.empty()));
  CHECK_FALSE(api.port);
  CHECK(api.concurrency == 80);
  CHECK(api.min_instances == 0);
  CHECK(api.max_instances == 100);
  CHECK(api.timeout == 300s);
  CHECK_FALSE(api.startup_probe);
  CHECK(api.allow_unauthenticated);
  CHECK(api.ingress == Ingress::kAll);

  const FunctionConfig& fn = of(s).functions.at("fn");
  CHECK(fn.service.concurrency == 1);
  CHECK(fn.service.timeout == 60s);
  CHECK(fn.service.max_instances == 100);
  CHECK(fn.trigger.kind == FunctionTrigger::Kind::kHttp);

  const SubscriptionConfig& sub = of(s).pubsub.subscriptions.at("sub1").config;
  CHECK(sub.ack_deadline == 10s);
  CHECK((!of(s).pubsub.subscriptions.at("sub1").push && !sub.dead_letter && !sub.retry));
  CHECK((sub.filter.empty() && !sub.enable_message_ordering && !sub.exactly_once));

  CHECK(of(s).storage.buckets.at("bucket1").location == "US");
  CHECK_FALSE(of(s).storage.buckets.at("bucket1").versioning);
  CHECK(tasks_of(s).queues.at("q1").max_dispatches_per_second == 500);
  CHECK(tasks_of(s).queues.at("q1").retry.max_attempts == 100);
  REQUIRE(B(s).postgres.size() == 1);
  CHECK(B(s).postgres.at(0).database == "postgres");
  CHECK(B(s).postgres.at(0).user == "postgres");
  CHECK(B(s).postgres.at(0).password_secret.empty());
}

TEST_CASE("unknown keys name the file, line, key and what was expected") {
  CHECK(error_of(R"(project: demo-project
run:
  task-api:
    command: [app]
    concurency: 10
)") == "gcpsim.yaml:5: unknown key 'concurency' in run.task-api (expected one of: command, image, args, cwd, "
       "env, secret_env, port, concurrency, min_instances, max_instances, timeout, startup_probe, "
       "allow_unauthenticated, ingress, build, memory, cpu, service_yaml)");
  CHECK(error_of("project: demo-project\nservices: {}\n") ==
        "gcpsim.yaml:2: unknown key 'services' at top level (expected one of: project, region, seed, run, "
        "functions, pubsub, storage, secrets, faults, backing, calendar, gemini, tasks, compute, bigquery, stubs)");
  CHECK(error_of("faults:\n  - match: {servce: pubsub}\n    action: {error: UNAVAILABLE}\n") ==
        "gcpsim.yaml:2: unknown key 'servce' in faults[0].match (expected one of: service, method, target, boundary)");
}

TEST_CASE("wrong types name the key and quote the value") {
  CHECK(error_of(R"(project: demo-project
region: us-central1
seed: 42
run:
  task-api:
    command: [app]
    port: abc
)") == "gcpsim.yaml:7: run.task-api.port: expected an integer, got 'abc'");
  CHECK(error_of("seed: -1\n") == "gcpsim.yaml:1: seed: expected a non-negative integer, got '-1'");
  CHECK(error_of("run:\n  a:\n    command: ./a\n") == "gcpsim.yaml:3: run.a.command: expected a list, got './a'");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    allow_unauthenticated: yes\n") ==
        "gcpsim.yaml:4: run.a.allow_unauthenticated: expected true or false, got 'yes'");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    cwd:\n") == "gcpsim.yaml:4: run.a.cwd: expected a string, got nothing");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    env: [X]\n") == "gcpsim.yaml:4: run.a.env: expected a mapping, got a list");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    ingress: public\n") ==
        "gcpsim.yaml:4: run.a.ingress: expected one of all, internal, got 'public'");
  CHECK(error_of("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n    sub1: {topic: topic1, ack_deadline: soon}\n") ==
        "gcpsim.yaml:4: pubsub.subscriptions.sub1.ack_deadline: expected a duration like '10s' or '5m', got 'soon'");
  CHECK(error_of("faults:\n  - action: {error: RATE_LIMITED}\n") ==
        "gcpsim.yaml:2: faults[0].action.error: unknown error code 'RATE_LIMITED' (expected a canonical code "
        "such as UNAVAILABLE or RESOURCE_EXHAUSTED)");
  CHECK(error_of("calendar:\n  users:\n    a@b.c: {events: [{start: monday, end: tuesday}]}\n") ==
        "gcpsim.yaml:3: calendar.users.a@b.c.events[0].start: expected a date like '2026-01-05' or a timestamp "
        "like '2026-01-05T09:00:00Z', got 'monday'");
}

TEST_CASE("values out of the real services' ranges are refused") {
  CHECK(error_of("run:\n  a:\n    command: [a]\n    port: 70000\n") ==
        "gcpsim.yaml:4: run.a.port: must be between 1 and 65535, got 70000");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    min_instances: 5\n    max_instances: 3\n") ==
        "gcpsim.yaml:5: run.a.max_instances: must be at least min_instances (5), got 3");
  CHECK(error_of("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n    sub1: {topic: topic1, ack_deadline: 5s}\n") ==
        "gcpsim.yaml:4: pubsub.subscriptions.sub1.ack_deadline: must be between 10s and 10m, got 5s");
  CHECK(error_of("faults:\n  - action: {error: UNAVAILABLE}\n    probability: 1.5\n") ==
        "gcpsim.yaml:3: faults[0].probability: must be between 0 and 1, got 1.5");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    port: 9001\n  b:\n    command: [b]\n    port: 9001\n") ==
        "gcpsim.yaml:7: run.b.port: port 9001 is already used by run.a");
}

TEST_CASE("names follow the real services' rules") {
  CHECK(error_of("run:\n  Task_API:\n    command: [a]\n") ==
        "gcpsim.yaml:2: run.Task_API: invalid name 'Task_API': use lowercase letters, digits and hyphens, start "
        "with a letter, do not end with a hyphen, at most 49 characters");
  CHECK(error_of("run:\n  " + std::string(50, 'a') + ":\n    command: [a]\n").find("at most 49 characters") !=
        std::string::npos);
  CHECK(error_of("pubsub:\n  topics:\n    ab: {}\n") ==
        "gcpsim.yaml:3: pubsub.topics.ab: invalid name 'ab': start with a letter, 3 to 255 characters of "
        "letters, digits and - _ . ~ + %, not starting with 'goog'");
  CHECK(error_of("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n    goog-sub: {topic: topic1}\n")
            .rfind("gcpsim.yaml:4: pubsub.subscriptions.goog-sub: invalid name 'goog-sub'", 0) == 0);
  CHECK(of(parse_ok("pubsub:\n  topics:\n    A.b_c~d+e%f-g: {}\n")).pubsub.topics.count("A.b_c~d+e%f-g"));
  CHECK(error_of("project: Demo\n") ==
        "gcpsim.yaml:1: project: invalid project ID 'Demo': 6 to 30 lowercase letters, digits or hyphens, "
        "starting with a letter and not ending with a hyphen");
}

TEST_CASE("references must point at something declared") {
  CHECK(error_of("pubsub:\n  subscriptions:\n    sub1: {topic: task-evnts}\n") ==
        "gcpsim.yaml:3: pubsub.subscriptions.sub1.topic: topic 'task-evnts' is not declared under pubsub.topics");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    secret_env: {DB_PASSWORD: db-pasword:latest}\n"
                 "secrets:\n  db-password: {value: x}\n") ==
        "gcpsim.yaml:4: run.a.secret_env.DB_PASSWORD: secret 'db-pasword' is not declared under secrets");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    secret_env: {DB_PASSWORD: db-password:newest}\n") ==
        "gcpsim.yaml:4: run.a.secret_env.DB_PASSWORD: expected 'SECRET:VERSION' (VERSION is 'latest' or a "
        "number), got 'db-password:newest'");
  CHECK(error_of("backing:\n  postgres: {password_secret: nope}\n") ==
        "gcpsim.yaml:2: backing.postgres.password_secret: secret 'nope' is not declared under secrets");
  CHECK(error_of("functions:\n  f:\n    command: [f]\n    trigger: {storage: {bucket: nope}}\n") ==
        "gcpsim.yaml:4: functions.f.trigger.storage.bucket: bucket 'nope' is not declared under storage.buckets");
  CHECK(error_of("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n    sub1: {topic: topic1, dead_letter: {topic: topic2}}\n") ==
        "gcpsim.yaml:4: pubsub.subscriptions.sub1.dead_letter.topic: topic 'topic2' is not declared under pubsub.topics");

  // Declaration order in the file does not matter, and a trigger's topic is created as gcloud does.
  StackConfig s = parse_ok(R"(
pubsub:
  subscriptions: {sub1: {topic: topic1, push: {service: fn}}}
functions:
  fn: {command: [f], trigger: {pubsub: topic1}}
run:
  a: {command: [a], secret_env: {KEY: k:2}}
secrets:
  k: {value: v}
)");
  CHECK(s.implies("pubsub.topics", "topic1"));
  CHECK(of(s).run.at("a").secret_env.at("KEY").version == "2");
}

TEST_CASE("missing, duplicate and conflicting keys") {
  CHECK(error_of("run:\n  task-api:\n    cwd: x\n") == "gcpsim.yaml:2: run.task-api: missing required key 'command'");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    port: 1\n    port: 2\n") ==
        "gcpsim.yaml:5: duplicate key 'port' in run.a");
  CHECK(error_of("secrets:\n  k: {}\n") == "gcpsim.yaml:2: secrets.k: set either 'value' or 'file'");
  CHECK(error_of("secrets:\n  k: {value: a, file: b}\n") == "gcpsim.yaml:2: secrets.k: set either 'value' or 'file'");
  CHECK(error_of("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n    sub1: {topic: topic1, push: {path: /x}}\n") ==
        "gcpsim.yaml:4: pubsub.subscriptions.sub1.push: set either 'service' or 'url'");
  CHECK(error_of("functions:\n  f:\n    command: [f]\n    trigger: {http: true, pubsub: topic1}\n") ==
        "gcpsim.yaml:4: functions.f.trigger: set exactly one of 'pubsub', 'storage' or 'http'");
  CHECK(error_of("run:\n  a:\n    command: [a]\nfunctions:\n  a:\n    command: [a]\n") ==
        "gcpsim.yaml:5: functions.a: name 'a' is already used by run.a (a function is a Run service)");
  CHECK(error_of("run:\n  a:\n    command: [a]\n    env: {PORT: \"1\"}\n") ==
        "gcpsim.yaml:4: run.a.env.PORT: 'PORT' is reserved: Cloud Run sets it for every instance");
  CHECK(error_of("gemini:\n  rules:\n    - reply: {text: a, json: {}}\n") ==
        "gcpsim.yaml:3: gemini.rules[0].reply: set exactly one of 'text', 'json' or 'error'");
  CHECK(error_of("gemini:\n  rules:\n    - match: {prompt: \"(unclosed\"}\n      reply: {text: a}\n")
            .rfind("gcpsim.yaml:3: gemini.rules[0].match.prompt: invalid regular expression '(unclosed'", 0) == 0);
}

TEST_CASE("a Run service from a container image: command is its entrypoint, args its CMD") {
  StackConfig s = parse_ok("run:\n  a: {image: \"api:dev\"}\n  b: {image: api@sha256:ab, command: [node, server.js], args: [--port, \"${PORT}\"]}\n");
  CHECK(of(s).run.at("a").image == "api:dev");
  CHECK(of(s).run.at("a").command.empty());
  CHECK(of(s).run.at("a").args.empty());
  CHECK(of(s).run.at("b").command == std::vector<std::string>{"node", "server.js"});
  CHECK(of(s).run.at("b").args == std::vector<std::string>{"--port", "${PORT}"});
  CHECK(error_of("run:\n  a: {image: \"-x\"}\n") ==
        "gcpsim.yaml:2: run.a.image: expected a container image reference (NAME[:TAG] or NAME@DIGEST), got '-x'");
  CHECK(error_of("run:\n  a: {image: api, cwd: /srv}\n") ==
        "gcpsim.yaml:2: run.a.cwd: does not apply to an image: its WORKDIR is the working directory");
  CHECK(error_of("run:\n  a: {command: [a], args: [b]}\n") ==
        "gcpsim.yaml:2: run.a.args: applies to an image only; without one, put the arguments in command");
}

TEST_CASE("malformed YAML gives the parser's line") {
  std::string message = error_of("project: demo-project\nrun: [a,\n");
  CHECK(message.rfind("gcpsim.yaml:3: invalid YAML: ", 0) == 0);
  CHECK(error_of("- a\n- b\n") == "gcpsim.yaml:1: the stack file: expected a mapping, got a list");
}

TEST_CASE("relative paths resolve against the stack file's directory") {
  StackConfig s = parse_ok(R"(
run:
  a: {command: [a], cwd: ../shared/./svc}
  b: {command: [b], cwd: /abs/dir/}
  c: {command: [c], cwd: .}
backing:
  postgres: {init: [sql/schema.sql, /etc/seed.sql]}
)", "/srv/app/");
  CHECK(s.base_dir == "/srv/app");
  CHECK(of(s).run.at("a").cwd == "/srv/shared/svc");
  CHECK(of(s).run.at("b").cwd == "/abs/dir");
  CHECK(of(s).run.at("c").cwd == "/srv/app");
  CHECK(B(s).postgres.at(0).init == std::vector<std::string>{"/srv/app/sql/schema.sql", "/etc/seed.sql"});
}

TEST_CASE("load_stack reads the file and resolves paths against its directory") {
  TempDir dir;
  dir.write("stack/keys/api.txt", std::string("line1\nline2\0bin", 15));
  dir.write("stack/gcpsim.yaml", "secrets:\n  api-key: {file: keys/api.txt}\nrun:\n  a: {command: [a], cwd: svc}\n");
  std::string file = (dir.path / "stack/gcpsim.yaml").string();
  auto s = load_stack(file, sections());
  INFO(s.status().message());
  REQUIRE(s.ok());
  CHECK(s->file == file);
  CHECK(s->base_dir == (dir.path / "stack").string());
  CHECK(of(*s).secrets.at("api-key").value == std::string("line1\nline2\0bin", 15));
  CHECK(of(*s).secrets.at("api-key").file == (dir.path / "stack/keys/api.txt").string());
  CHECK(of(*s).run.at("a").cwd == (dir.path / "stack/svc").string());

  dir.write("bad/gcpsim.yaml", "secrets:\n  api-key:\n    file: missing.txt\n");
  std::string bad = (dir.path / "bad/gcpsim.yaml").string();
  auto r = load_stack(bad, sections());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == bad + ":3: secrets.api-key.file: cannot read secret file '" +
                                    (dir.path / "bad/missing.txt").string() + "'");

  auto missing = load_stack((dir.path / "nope.yaml").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
}

TEST_CASE("the runnable example in docs/stack-file.md parses") {
  std::ifstream doc(fs::path(GCPSIM_SOURCE_DIR) / "docs/stack-file.md");
  REQUIRE(doc);
  std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  auto begin = text.find("```yaml\n") + 8;
  StackConfig s = parse_ok(text.substr(begin, text.find("```", begin) - begin));
  CHECK(of(s).run.at("hello").port == 9001);
  CHECK(of(s).pubsub.subscriptions.at("to-hello").push->service == "hello");
  CHECK(gcpsim::services::pubsub::stack_topics(s).count("upload-events"));
}

TEST_CASE("backing.postgres.instance names the Cloud SQL instance and fault actions take a bandwidth") {
  auto s = parse_ok("backing:\n  postgres: {instance: orders-db}\nfaults:\n"
                    "  - {match: {boundary: proxy, service: redis}, action: {bandwidth: 64, delay: 5ms}}\n");
  CHECK(B(s).postgres.at(0).instance == "orders-db");
  REQUIRE(s.faults.size() == 1);
  CHECK(s.faults[0].action.kind == FaultAction::Kind::kDelay);
  CHECK(s.faults[0].action.bandwidth_kbps == 64);
  CHECK(s.faults[0].action.delay == std::chrono::milliseconds(5));
  CHECK(B(parse_ok("backing:\n  postgres: {}\n")).postgres.at(0).instance == "postgres");
  CHECK(error_of("backing:\n  postgres: {instance: Orders}\n") ==
        "gcpsim.yaml:2: backing.postgres.instance: a Cloud SQL instance ID is 1-98 lowercase letters, digits and "
        "hyphens, starting with a letter, got 'Orders'");
  CHECK(error_of("faults:\n  - action: {bandwidth: 0}\n") ==
        "gcpsim.yaml:2: faults[0].action.bandwidth: must be between 1 and 10000000, got 0");
}

TEST_CASE("backing seed data: Redis strings, lists and hashes, and Firestore documents with typed fields") {
  StackConfig s = parse_ok(R"(
backing:
  redis:
    seed:
      greeting: hello
      "count": 3
      queue: [a, b]
      "profile:bob": {name: Bob, plan: pro}
  firestore:
    seed:
      users/alice: {name: Alice, age: 30, admin: true, tags: [x]}
      users/alice/posts/p1: {}
)");
  REQUIRE(B(s).redis.size() == 1);
  const auto& seed = B(s).redis.at(0).seed;
  REQUIRE(seed.size() == 4);
  CHECK(seed[0].key == "greeting");
  CHECK(seed[0].kind == gcpsim::services::backing::RedisSeed::Kind::kString);
  CHECK(seed[0].values == std::vector<std::string>{"hello"});
  CHECK(seed[1].values == std::vector<std::string>{"3"});
  CHECK(seed[2].kind == gcpsim::services::backing::RedisSeed::Kind::kList);
  CHECK(seed[2].values == std::vector<std::string>{"a", "b"});
  CHECK(seed[3].kind == gcpsim::services::backing::RedisSeed::Kind::kHash);
  CHECK(seed[3].values == std::vector<std::string>{"name", "Bob", "plan", "pro"});
  REQUIRE(B(s).firestore);
  const auto& docs = B(s).firestore->seed;
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].first == "users/alice");
  CHECK(docs[0].second == R"({"name":"Alice","age":30,"admin":true,"tags":["x"]})");
  CHECK(docs[1].first == "users/alice/posts/p1");
}

TEST_CASE("bad backing seed data is refused naming the key") {
  CHECK(error_of("backing:\n  redis:\n    seed:\n      q: [[1]]\n") ==
        "gcpsim.yaml:4: backing.redis.seed.q[0]: a list item must be a string or number, got a list");
  CHECK(error_of("backing:\n  redis:\n    seed:\n      h: {f: {g: 1}}\n") ==
        "gcpsim.yaml:4: backing.redis.seed.h.f: a hash field's value must be a string or number, got a mapping");
  CHECK(error_of("backing:\n  redis:\n    seed:\n      q: []\n") ==
        "gcpsim.yaml:4: backing.redis.seed.q: an empty list cannot be stored in Redis (leave the key out)");
  CHECK(error_of("backing:\n  firestore:\n    seed:\n      users: {name: x}\n") ==
        "gcpsim.yaml:4: backing.firestore.seed.users: a Firestore document path is collection/document (an even "
        "number of non-empty segments), got 'users'");
  CHECK(error_of("backing:\n  firestore:\n    seed:\n      users/alice: [1]\n") ==
        "gcpsim.yaml:4: backing.firestore.seed.users/alice: a document's fields must be a mapping, got a list");
}

TEST_CASE("a service's own section is read by its parser, with the loader's ports and later checks") {
  namespace sf = gcpsim::core::stackfile;
  // After the services' own sections (run and pubsub, which it refers to), as a new service's
  // section follows them in stack_sections(): run claims its ports first.
  std::vector<StackSection> sections = stack_test::sections();
  sections.push_back({"widgets", [](const sf::Field& f, SectionContext& ctx) -> std::any {
    sf::Map m(f, {"port", "topic", "file"});
    int port = ctx.port(m.require("port"));
    std::string topic = sf::text(m.require("topic"));
    auto topic_field = m.require("topic");
    ctx.later([&ctx, topic, topic_field] {
      if (!of(ctx.stack()).pubsub.topics.count(topic)) sf::fail(topic_field, "no topic '" + topic + "'");
    });
    return std::make_pair(port, ctx.resolve(sf::text(m.require("file"))));
  }});
  using Widgets = std::pair<int, std::string>;
  // The section may come before what it refers to: the check runs once all is read.
  auto r = parse_stack("widgets: {port: 9100, topic: orders, file: w.txt}\npubsub: {topics: {orders: {}}}\n", "gcpsim.yaml",
                       "/srv/app", sections);
  INFO(r.status().message());
  REQUIRE(r.ok());
  REQUIRE(r->section<Widgets>("widgets")->first == 9100);
  REQUIRE(r->section<Widgets>("widgets")->second == "/srv/app/w.txt");
  REQUIRE(r->section<Widgets>("gadgets") == nullptr);

  auto clash = parse_stack("run: {a: {command: [x], port: 9100}}\nwidgets: {port: 9100, topic: orders, file: w}\n"
                           "pubsub: {topics: {orders: {}}}\n", "gcpsim.yaml", "/srv/app", sections);
  REQUIRE(clash.status().message() == "gcpsim.yaml:2: widgets.port: port 9100 is already used by run.a");
  auto dangling = parse_stack("widgets: {port: 9100, topic: nope, file: w}\n", "gcpsim.yaml", "/srv/app", sections);
  REQUIRE(dangling.status().message() == "gcpsim.yaml:1: widgets.topic: no topic 'nope'");
  // Without the service's parser the key is unknown, as any other.
  REQUIRE_FALSE(parse_stack("widgets: {}\n", "gcpsim.yaml", "/srv/app").ok());
}

TEST_CASE("a subscription declared in the stack file may write to BigQuery, as the API's bigqueryConfig") {
  const std::string tables = "bigquery:\n  datasets:\n    analytics:\n      tables:\n        events:\n"
                             "          schema: [{name: data, type: STRING}]\n";
  StackConfig s = parse_ok("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n"
                           "    to-bq: {topic: topic1, bigquery: {table: demo-project.analytics.events, write_metadata: true,"
                           " drop_unknown_fields: true}}\n"
                           "    colon: {topic: topic1, bigquery: {table: \"demo-project:analytics.events\", use_topic_schema: true}}\n"
                           "    other: {topic: topic1, bigquery: {table: elsewhere.ds.t, use_table_schema: true}}\n" + tables);
  const SubscriptionConfig& c = of(s).pubsub.subscriptions.at("to-bq").config;
  REQUIRE(c.bigquery);
  CHECK(c.bigquery->table == "demo-project.analytics.events");
  CHECK((c.bigquery->write_metadata && c.bigquery->drop_unknown_fields));
  CHECK_FALSE((c.bigquery->use_topic_schema || c.bigquery->use_table_schema));
  CHECK(of(s).pubsub.subscriptions.at("colon").config.bigquery->use_topic_schema);
  CHECK(of(s).pubsub.subscriptions.at("other").config.bigquery->use_table_schema);  // another project: not checked here
  CHECK_FALSE(of(s).pubsub.subscriptions.at("colon").push);

  auto sub = [&](const std::string& bq) {
    return error_of("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n    sub1:\n      topic: topic1\n      bigquery: " + bq + "\n" + tables);
  };
  CHECK(sub("{table: analytics.events}") == "gcpsim.yaml:6: pubsub.subscriptions.sub1.bigquery.table: expected "
                                             "PROJECT.DATASET.TABLE or PROJECT:DATASET.TABLE, got 'analytics.events'");
  CHECK(sub("{table: demo-project.analytics.nope}") ==
        "gcpsim.yaml:6: pubsub.subscriptions.sub1.bigquery.table: table 'analytics.nope' is not declared under bigquery.datasets");
  CHECK(sub("{use_topic_schema: true}") == "gcpsim.yaml:6: pubsub.subscriptions.sub1.bigquery: missing required key 'table'");
  CHECK(sub("{table: a.b.c, use_topic_schema: true, use_table_schema: true}") ==
        "gcpsim.yaml:6: pubsub.subscriptions.sub1.bigquery: set at most one of use_topic_schema and use_table_schema");
  CHECK(sub("{table: a.b.c, schema: x}").rfind("gcpsim.yaml:6: unknown key 'schema' in pubsub.subscriptions.sub1.bigquery", 0) == 0);
  CHECK(error_of("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n    sub1:\n      topic: topic1\n      push: {url: http://x/}\n"
                 "      bigquery: {table: a.b.c}\n") ==
        "gcpsim.yaml:4: pubsub.subscriptions.sub1: set either 'push' or 'bigquery': a subscription delivers one way");
  CHECK(error_of("pubsub:\n  topics: {topic1: {}}\n  subscriptions:\n    sub1: {topic: topic1, bigquery: {table: a.b.c}, exactly_once: true}\n") ==
        "gcpsim.yaml:4: pubsub.subscriptions.sub1.exactly_once: exactly-once delivery works only with pull subscriptions");
}

TEST_CASE("a stack file that is not UTF-8 is refused at its line") {
  CHECK(error_of("project: p\npubsub:\n  topics:\n    \"t\xc3\x28\": {}\n") ==
        "gcpsim.yaml:4: not valid UTF-8 (YAML files are UTF-8 text)");
  CHECK(error_of("project: p\x7f\n") == "gcpsim.yaml:1: a control character (0x7F) is not allowed in YAML");
}

}  // namespace stack_test
