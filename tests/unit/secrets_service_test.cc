// Specification of the Secret Manager service through its method table — what gRPC and the
// REST transcoder both call — and of the Pub/Sub messages it sends.
#include "secrets_fixture.h"

#include <google/cloud/secretmanager/v1/service.pb.h>
#include <google/protobuf/util/json_util.h>

#include "core/crc32c.h"
#include "core/stack.h"
#include "net/http.h"
#include "net/http_client.h"
#include "net/rpc.h"
#include "services/pubsub/service.h"
#include "services/secrets/notify.h"
#include "services/secrets/service.h"
#include "service_context.h"

namespace secrets_service_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace secrets_test;
namespace pubsub = gcpsim::services::pubsub;
namespace v1 = google::cloud::secretmanager::v1;

namespace {

const std::string kPrefix = "/google.cloud.secretmanager.v1.SecretManagerService/";

struct ServiceFixture {
  Fixture f;
  core::StackConfig stack = core::default_stack();
  net::MethodTable methods;
  std::unique_ptr<SecretsService> service;

  explicit ServiceFixture(StackSecrets declared = {}) {
    if (!declared.empty()) stack.sections["secrets"] = std::move(declared);
    f.store.reset();
    service = std::make_unique<SecretsService>(f.env, stack, methods);
  }

  template <class Resp, class Req>
  std::pair<core::Status, Resp> call(const std::string& rpc, const Req& req) {
    const net::UnaryMethod* m = methods.unary(kPrefix + rpc);
    REQUIRE(m != nullptr);
    Resp resp;
    std::optional<core::Status> result;
    net::call_unary(f.env, *m, req, &resp, [&](core::Status s) { result = std::move(s); });
    REQUIRE(result.has_value());
    return {*result, resp};
  }
};

v1::CreateSecretRequest create_request(const std::string& id, const std::string& topic = "") {
  v1::CreateSecretRequest req;
  req.set_parent("projects/demo-project");
  req.set_secret_id(id);
  req.mutable_secret()->mutable_replication()->mutable_automatic();
  if (!topic.empty()) req.mutable_secret()->add_topics()->set_name(topic);
  return req;
}

}  // namespace

TEST_CASE("every SecretManagerService RPC is registered under its secrets.* id") {
  ServiceFixture s;
  const auto* service =
      v1::ListSecretsRequest::descriptor()->file()->FindServiceByName("SecretManagerService");
  REQUIRE(service != nullptr);
  for (int i = 0; i < service->method_count(); ++i) {
    const auto* rpc = service->method(i);
    INFO(rpc->name());
    const net::UnaryMethod* m = s.methods.unary(kPrefix + rpc->name());
    REQUIRE(m != nullptr);
    REQUIRE(m->id == "secrets." + rpc->name());
    REQUIRE(m->service == "secrets");
    REQUIRE(m->request_prototype->GetDescriptor() == rpc->input_type());
    REQUIRE(m->response_prototype->GetDescriptor() == rpc->output_type());
  }
}

TEST_CASE("create, add, access through the method table, the payload stays out of events") {
  ServiceFixture s;
  const std::string payload = "s3cret-payload-value";
  auto [st, secret] = s.call<v1::Secret>("CreateSecret", create_request("db", "projects/demo-project/topics/t"));
  REQUIRE(st.is_ok());
  REQUIRE(secret.name() == kProject + "/secrets/db");
  REQUIRE(secret.replication().has_automatic());

  v1::AddSecretVersionRequest add;
  add.set_parent("projects/demo-project/secrets/db");
  add.mutable_payload()->set_data(payload);
  add.mutable_payload()->set_data_crc32c(core::crc32c(payload));
  auto [added, version] = s.call<v1::SecretVersion>("AddSecretVersion", add);
  REQUIRE(added.is_ok());
  REQUIRE(version.state() == v1::SecretVersion::ENABLED);
  REQUIRE(version.client_specified_payload_checksum());
  REQUIRE(version.replication_status().has_automatic());

  v1::AccessSecretVersionRequest access;
  access.set_name("projects/123456789012/secrets/db/versions/latest");
  auto [ok, resp] = s.call<v1::AccessSecretVersionResponse>("AccessSecretVersion", access);
  REQUIRE(ok.is_ok());
  REQUIRE(resp.name() == kProject + "/secrets/db/versions/1");
  REQUIRE(resp.payload().data() == payload);
  REQUIRE(resp.payload().has_data_crc32c());
  REQUIRE(resp.payload().data_crc32c() == core::crc32c(payload));

  auto calls = s.f.events.query({.kind = "api.call"});
  REQUIRE(calls.size() == 3);
  REQUIRE(std::get<std::string>(calls[2].attrs.at("method")) == "secrets.AccessSecretVersion");
  REQUIRE(std::get<std::string>(calls[2].attrs.at("target")) == access.name());
  REQUIRE(s.f.events.query({.kind = "secrets.notification"}).size() == 3);
  for (const auto& e : s.f.events.query({})) {
    REQUIRE(core::Events::to_json(e).find(payload) == std::string::npos);
  }
}

TEST_CASE("bad input comes back as clean INVALID_ARGUMENT errors") {
  ServiceFixture s;
  REQUIRE(s.call<v1::Secret>("CreateSecret", create_request("db")).first.is_ok());

  v1::GetSecretRequest get;
  get.set_name("projects/demo-project/secret/db");
  REQUIRE(s.call<v1::Secret>("GetSecret", get).first.code() == Code::kInvalidArgument);

  v1::AddSecretVersionRequest add;
  add.set_parent("projects/demo-project/secrets/db");
  add.mutable_payload()->set_data(std::string(70000, 'x'));
  REQUIRE(s.call<v1::SecretVersion>("AddSecretVersion", add).first.code() == Code::kInvalidArgument);
  add.mutable_payload()->set_data("x");
  add.mutable_payload()->set_data_crc32c(1);
  REQUIRE(s.call<v1::SecretVersion>("AddSecretVersion", add).first.code() == Code::kInvalidArgument);

  v1::UpdateSecretRequest update;
  update.mutable_secret()->set_name("projects/demo-project/secrets/db");
  update.mutable_update_mask()->add_paths("colour");
  REQUIRE(s.call<v1::Secret>("UpdateSecret", update).first.code() == Code::kInvalidArgument);
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("labels");
  (*update.mutable_secret()->mutable_labels())["env"] = "prod";
  auto [ok, updated] = s.call<v1::Secret>("UpdateSecret", update);
  REQUIRE(ok.is_ok());
  REQUIRE(updated.labels().at("env") == "prod");

  v1::DeleteSecretRequest del;
  del.set_name("projects/demo-project/secrets/db");
  del.set_etag("\"0\"");
  REQUIRE(s.call<google::protobuf::Empty>("DeleteSecret", del).first.code() ==
          Code::kFailedPrecondition);
  del.set_etag(updated.etag());
  REQUIRE(s.call<google::protobuf::Empty>("DeleteSecret", del).first.is_ok());
  v1::RotateSecretRequest rotate;
  rotate.set_parent("projects/demo-project/secrets/db");
  REQUIRE(s.call<v1::SecretVersion>("RotateSecret", rotate).first.code() == Code::kNotFound);
}

TEST_CASE("secrets declared in the stack file exist with version 1 from the start") {
  ServiceFixture s({{"db-password", {"s3cret", ""}}, {"api-key", {"k-123", "/abs/api-key.txt"}}});
  REQUIRE(*s.service->access("db-password", "latest") == "s3cret");
  REQUIRE(*s.service->access("api-key", "1") == "k-123");
  REQUIRE(s.service->access("nope", "latest").status().code() == Code::kNotFound);

  // A durable store already holding them keeps what it has.
  s.service->store().add_version(Fixture::name("db-password"), "rotated", std::nullopt);
  s.service.reset();
  net::MethodTable fresh;
  s.service = std::make_unique<SecretsService>(s.f.env, s.stack, fresh);
  REQUIRE(*s.service->access("db-password", "latest") == "rotated");
}

TEST_CASE("notification messages carry the real attributes and the resource as JSON") {
  Notification n;
  n.event_type = "SECRET_VERSION_ADD";
  n.topics = {"projects/p/topics/a", "projects/p/topics/b"};
  n.time = *core::parse_rfc3339("2026-10-02T13:03:43.549786Z");
  n.secret_name = kProject + "/secrets/s";
  Version v;
  v.name = n.secret_name + "/versions/1";
  v.number = 1;
  v.create_time = n.time;
  v.etag = "\"165cdb29776d5a\"";
  v.replication.kind = Replication::Kind::kAutomatic;
  n.version = v;
  auto messages = topic_messages(n);
  REQUIRE(messages.size() == 2);
  REQUIRE(messages[1].topic == "projects/p/topics/b");
  const auto& a = messages[0].attributes;
  REQUIRE(a.at("eventType") == "SECRET_VERSION_ADD");
  REQUIRE(a.at("dataFormat") == "JSON_API_V1");
  REQUIRE(a.at("secretId") == n.secret_name);
  REQUIRE(a.at("versionId") == v.name);
  REQUIRE(a.at("timestamp") == "2026-10-02T06:03:43.549786-07:00");
  REQUIRE(a.count("deleteType") == 0);
  v1::SecretVersion parsed;
  REQUIRE(google::protobuf::util::JsonStringToMessage(messages[0].data, &parsed).ok());
  REQUIRE(parsed.name() == v.name);
  REQUIRE(parsed.state() == v1::SecretVersion::ENABLED);
  REQUIRE(messages[0].data.find("\"replicationStatus\":{\"automatic\":{}}") != std::string::npos);

  Notification configured;
  configured.event_type = "TOPIC_CONFIGURED";
  configured.topics = {"projects/p/topics/a"};
  auto test = topic_messages(configured);
  REQUIRE(test.at(0).attributes == std::map<std::string, std::string>{{"eventType", "TOPIC_CONFIGURED"}});
  REQUIRE(test.at(0).data.empty());
}

TEST_CASE("timestamps are written in US Pacific time") {
  REQUIRE(pacific_time(*core::parse_rfc3339("2026-10-02T13:03:33.65825Z")) ==
          "2026-10-02T06:03:33.65825-07:00");
  REQUIRE(pacific_time(*core::parse_rfc3339("2026-01-15T08:00:00Z")) == "2026-01-15T00:00:00-08:00");
  REQUIRE(pacific_time(*core::parse_rfc3339("2026-03-08T09:59:59Z")) == "2026-03-08T01:59:59-08:00");
  REQUIRE(pacific_time(*core::parse_rfc3339("2026-03-08T10:00:00Z")) == "2026-03-08T03:00:00-07:00");
  REQUIRE(pacific_time(*core::parse_rfc3339("2026-11-01T08:59:59Z")) == "2026-11-01T01:59:59-07:00");
  REQUIRE(pacific_time(*core::parse_rfc3339("2026-11-01T09:00:00Z")) == "2026-11-01T01:00:00-08:00");
}

namespace {

std::vector<std::string> types(const std::vector<pubsub::Delivery>& got) {
  std::vector<std::string> out;
  for (const auto& d : got) out.push_back(std::string(*d.message->attributes().find("eventType")));
  return out;
}

}  // namespace

TEST_CASE("notifications are published to the secret's Pub/Sub topics") {
  Fixture f;
  f.store.reset();
  testing::ServiceContext sc(f.env);
  auto ps = pubsub::create(sc.ctx);
  sc.registry.put("pubsub", ps.get());
  SecretsService secrets(f.env, sc.stack, sc.methods, &sc.registry);
  ps->start();
  secrets.start();
  auto* bus = sc.registry.get<pubsub::PubsubService>("pubsub");
  REQUIRE(bus->domain().create_topic("projects/demo-project/topics/events", {}).ok());
  pubsub::SubscriptionConfig audit;
  audit.topic = "projects/demo-project/topics/events";
  const std::string sub = "projects/demo-project/subscriptions/audit";
  REQUIRE(bus->domain().create_subscription(sub, audit).ok());

  SecretFields in = Fixture::automatic();
  in.topics = {"projects/demo-project/topics/missing"};
  REQUIRE(secrets.store().create(Fixture::parent(), "x", in).status().code() == Code::kNotFound);

  in.topics = {"projects/123456789012/topics/events"};
  in.rotation = Rotation{t0() + 1h, 1h};
  secrets.store().create(Fixture::parent(), "db", in);
  secrets.store().add_version(Fixture::name("db"), "hunter2-payload", std::nullopt);
  f.clock.advance(1h);

  auto got = bus->domain().pull(sub, 10);
  REQUIRE(got.ok());
  REQUIRE(types(*got) == std::vector<std::string>{"TOPIC_CONFIGURED", "SECRET_CREATE",
                                                  "SECRET_VERSION_ADD", "SECRET_ROTATE"});
  const auto& rotate = *got->back().message;
  REQUIRE(rotate.attributes().to_map().at("secretId") == kProject + "/secrets/db");
  REQUIRE(rotate.attributes().to_map().at("dataFormat") == "JSON_API_V1");
  REQUIRE(rotate.attributes().to_map().at("timestamp") == "2025-12-31T17:00:00-08:00");
  REQUIRE(rotate.data().find("\"nextRotationTime\":\"2026-01-01T02:00:00Z\"") != std::string_view::npos);
  REQUIRE(got->at(2).message->attributes().to_map().at("versionId") == kProject + "/secrets/db/versions/1");
  for (const auto& d : *got) REQUIRE(d.message->data().find("hunter2") == std::string_view::npos);
}

}  // namespace secrets_service_test
