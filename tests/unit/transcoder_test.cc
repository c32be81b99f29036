// The generic REST transcoder against the real Pub/Sub, Secret Manager and Gemini protos:
// what request message each Google REST call becomes, and what JSON comes back.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <google/ai/generativelanguage/v1beta/generative_service.pb.h>
#include <google/cloud/secretmanager/v1/service.pb.h>
#include <google/protobuf/empty.pb.h>
#include <google/pubsub/v1/pubsub.pb.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "net/http.h"
#include "net/http_rule.h"
#include "net/rpc.h"
#include "net/transcoder.h"

namespace transcoder_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

namespace {

using namespace gcpsim;
using net::HttpRequest;
using net::HttpResponse;
namespace ps = google::pubsub::v1;
namespace sm = google::cloud::secretmanager::v1;
namespace gl = google::ai::generativelanguage::v1beta;

const std::string kPublisher = "/google.pubsub.v1.Publisher/";
const std::string kSubscriber = "/google.pubsub.v1.Subscriber/";
const std::string kSecrets = "/google.cloud.secretmanager.v1.SecretManagerService/";

// A virtual-time emulator core with fake handlers that remember the request they were given.
struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, core::from_seconds(1767225600)};
  core::Ids ids{7};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> store = std::move(core::Store::open("")).value();
  core::Env env{clock, ids, events, faults, *store};
  net::MethodTable table;
  std::map<std::string, std::unique_ptr<google::protobuf::Message>> seen;  // by method id
  std::unique_ptr<net::Transcoder> transcoder;
  net::Router router;

  Fixture() {
    on<ps::Topic, ps::Topic>(kPublisher + "CreateTopic", "pubsub.CreateTopic",
                             [](const ps::Topic& req, ps::Topic* resp) {
                               *resp = req;
                               return core::Status::ok();
                             });
    on<ps::PublishRequest, ps::PublishResponse>(
        kPublisher + "Publish", "pubsub.Publish",
        [](const ps::PublishRequest&, ps::PublishResponse* resp) {
          resp->add_message_ids("1");
          return core::Status::ok();
        });
    on<ps::GetTopicRequest, ps::Topic>(
        kPublisher + "GetTopic", "pubsub.GetTopic", [](const ps::GetTopicRequest& req, ps::Topic*) {
          return core::Status::not_found("Resource not found (resource=" +
                                         req.topic().substr(req.topic().rfind('/') + 1) + ").");
        });
    on<ps::ListSubscriptionsRequest, ps::ListSubscriptionsResponse>(
        kSubscriber + "ListSubscriptions", "pubsub.ListSubscriptions",
        [](const ps::ListSubscriptionsRequest& req, ps::ListSubscriptionsResponse* resp) {
          auto* s = resp->add_subscriptions();
          s->set_name(req.project() + "/subscriptions/s");
          s->set_topic(req.project() + "/topics/t");
          s->set_ack_deadline_seconds(10);
          s->set_state(ps::Subscription::ACTIVE);
          resp->add_subscriptions()->set_name(req.project() + "/subscriptions/bare");
          return core::Status::ok();
        });
    on<ps::UpdateSubscriptionRequest, ps::Subscription>(
        kSubscriber + "UpdateSubscription", "pubsub.UpdateSubscription",
        [](const ps::UpdateSubscriptionRequest& req, ps::Subscription* resp) {
          *resp = req.subscription();
          return core::Status::ok();
        });
    on<ps::ModifyAckDeadlineRequest, google::protobuf::Empty>(
        kSubscriber + "ModifyAckDeadline", "pubsub.ModifyAckDeadline",
        [](const ps::ModifyAckDeadlineRequest&, google::protobuf::Empty*) {
          return core::Status::ok();
        });
    on<sm::GetSecretVersionRequest, sm::SecretVersion>(
        kSecrets + "GetSecretVersion", "secrets.GetSecretVersion",
        [](const sm::GetSecretVersionRequest&, sm::SecretVersion*) { return core::Status::ok(); });
    on<sm::AccessSecretVersionRequest, sm::AccessSecretVersionResponse>(
        kSecrets + "AccessSecretVersion", "secrets.AccessSecretVersion",
        [](const sm::AccessSecretVersionRequest& req, sm::AccessSecretVersionResponse* resp) {
          resp->set_name(req.name());
          resp->mutable_payload()->set_data("s3cret");
          return core::Status::ok();
        });
    on<sm::CreateSecretRequest, sm::Secret>(
        kSecrets + "CreateSecret", "secrets.CreateSecret",
        [](const sm::CreateSecretRequest&, sm::Secret*) { return core::Status::ok(); });
    on<sm::UpdateSecretRequest, sm::Secret>(
        kSecrets + "UpdateSecret", "secrets.UpdateSecret",
        [](const sm::UpdateSecretRequest&, sm::Secret*) { return core::Status::ok(); });
    on<gl::GenerateContentRequest, gl::GenerateContentResponse>(
        "/google.ai.generativelanguage.v1beta.GenerativeService/GenerateContent",
        "gemini.GenerateContent",
        [](const gl::GenerateContentRequest&, gl::GenerateContentResponse*) {
          return core::Status::ok();
        });
    transcoder = std::make_unique<net::Transcoder>(table);
    transcoder->install(router, env);
  }

  template <class Req, class Resp>
  void on(const std::string& path, const std::string& id,
          std::function<core::Status(const Req&, Resp*)> fn) {
    std::string service = id.substr(0, id.find('.'));
    table.add(net::unary<Req, Resp>(path, id, service, [this, id, fn](const Req& req, Resp* resp) {
      seen[id] = std::make_unique<Req>(req);
      return fn(req, resp);
    }));
  }

  template <class Req>
  const Req& request(const std::string& id) {
    REQUIRE(seen.count(id) == 1);
    return static_cast<const Req&>(*seen.at(id));
  }

  static HttpRequest make(std::string method, const std::string& target, std::string body) {
    HttpRequest req;
    req.method = std::move(method);
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string_view rest = std::string_view(target).substr(q + 1);
      while (!rest.empty()) {
        auto amp = rest.find('&');
        auto pair = rest.substr(0, amp);
        auto eq = pair.find('=');
        req.query.emplace_back(
            net::percent_decode(pair.substr(0, eq), true),
            eq == std::string_view::npos ? "" : net::percent_decode(pair.substr(eq + 1), true));
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      }
    }
    req.body = std::move(body);
    return req;
  }

  std::optional<net::Transcoder::Match> match(std::string method, const std::string& target,
                                              std::string body = "") {
    return transcoder->match(make(std::move(method), target, std::move(body)));
  }

  HttpResponse send(std::string method, const std::string& target, std::string body = "") {
    auto req = make(std::move(method), target, std::move(body));
    std::optional<HttpResponse> out;
    router.handle(req, [&out](HttpResponse r) { out = std::move(r); });
    clock.run_due();
    REQUIRE(out.has_value());
    return std::move(*out);
  }
};

nlohmann::json body_of(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

}  // namespace

TEST_CASE("PUT on a topic name creates the topic from the JSON body") {
  Fixture f;
  auto r = f.send("PUT", "/v1/projects/p/topics/t",
                  R"({"labels":{"env":"dev"},"messageRetentionDuration":"600s"})");
  REQUIRE(r.status == 200);
  const auto& topic = f.request<ps::Topic>("pubsub.CreateTopic");
  CHECK(topic.name() == "projects/p/topics/t");
  CHECK(topic.labels().at("env") == "dev");
  CHECK(topic.message_retention_duration().seconds() == 600);
  CHECK(
      body_of(r) ==
      nlohmann::json::parse(
          R"({"name":"projects/p/topics/t","labels":{"env":"dev"},"messageRetentionDuration":"600s"})"));
}

TEST_CASE("publish takes the topic from the path and decodes base64 data to bytes") {
  Fixture f;
  auto r = f.send("POST", "/v1/projects/p/topics/t:publish",
                  R"({"messages":[{"data":"aGVsbG8=","attributes":{"k":"v"},"orderingKey":"o"}]})");
  REQUIRE(r.status == 200);
  const auto& req = f.request<ps::PublishRequest>("pubsub.Publish");
  CHECK(req.topic() == "projects/p/topics/t");
  REQUIRE(req.messages_size() == 1);
  CHECK(req.messages(0).data() == "hello");
  CHECK(req.messages(0).attributes().at("k") == "v");
  CHECK(req.messages(0).ordering_key() == "o");
  CHECK(body_of(r) == nlohmann::json::parse(R"({"messageIds":["1"]})"));
}

TEST_CASE("GET list binds the parent from the path and paging from the query") {
  Fixture f;
  auto r = f.send("GET",
                  "/v1/projects/p/subscriptions?pageSize=5&pageToken=x&prettyPrint=false&key=abc");
  REQUIRE(r.status == 200);
  const auto& req = f.request<ps::ListSubscriptionsRequest>("pubsub.ListSubscriptions");
  CHECK(req.project() == "projects/p");
  CHECK(req.page_size() == 5);
  CHECK(req.page_token() == "x");
}

TEST_CASE("responses use lowerCamel names and omit default values, as Google's REST does") {
  Fixture f;
  auto r = f.send("GET", "/v1/projects/p/subscriptions");
  REQUIRE(r.status == 200);
  CHECK(body_of(r) == nlohmann::json::parse(R"({"subscriptions":[
      {"name":"projects/p/subscriptions/s","topic":"projects/p/topics/t","ackDeadlineSeconds":10,"state":"ACTIVE"},
      {"name":"projects/p/subscriptions/bare"}]})"));
  CHECK(r.body.find("\n  \"subscriptions\"") != std::string::npos);  // pretty by default

  auto compact = f.send("GET", "/v1/projects/p/subscriptions?prettyPrint=false");
  CHECK(compact.body.find('\n') == std::string::npos);
}

TEST_CASE("the REST clients' enum-encoding=int gets enums as numbers") {
  Fixture f;
  auto r = f.send("GET", "/v1/projects/p/subscriptions?%24alt=json%3Benum-encoding%3Dint");
  REQUIRE(r.status == 200);
  CHECK(body_of(r)["subscriptions"][0]["state"] == 1);
}

TEST_CASE("PATCH binds a nested path field and parses the update mask into snake_case paths") {
  Fixture f;
  auto r = f.send(
      "PATCH", "/v1/projects/p/subscriptions/s",
      R"({"subscription":{"ackDeadlineSeconds":30,"labels":{"a":"b"}},"updateMask":"ackDeadlineSeconds,labels"})");
  REQUIRE(r.status == 200);
  const auto& req = f.request<ps::UpdateSubscriptionRequest>("pubsub.UpdateSubscription");
  CHECK(req.subscription().name() == "projects/p/subscriptions/s");
  CHECK(req.subscription().ack_deadline_seconds() == 30);
  CHECK(req.subscription().labels().at("a") == "b");
  REQUIRE(req.update_mask().paths_size() == 2);
  CHECK(req.update_mask().paths(0) == "ack_deadline_seconds");
  CHECK(req.update_mask().paths(1) == "labels");
}

TEST_CASE("a custom verb wins over a bare name binding for the same HTTP method") {
  Fixture f;
  auto r = f.send("GET", "/v1/projects/p/secrets/s/versions/latest:access");
  REQUIRE(r.status == 200);
  CHECK(f.seen.count("secrets.GetSecretVersion") == 0);
  CHECK(f.request<sm::AccessSecretVersionRequest>("secrets.AccessSecretVersion").name() ==
        "projects/p/secrets/s/versions/latest");
  auto json = body_of(r);
  CHECK(json["name"] == "projects/p/secrets/s/versions/latest");
  CHECK(json["payload"]["data"] == "czNjcmV0");  // bytes come back as base64

  f.send("GET", "/v1/projects/p/secrets/s/versions/3");
  CHECK(f.request<sm::GetSecretVersionRequest>("secrets.GetSecretVersion").name() ==
        "projects/p/secrets/s/versions/3");
}

TEST_CASE("additional_bindings are served too") {
  Fixture f;
  auto m = f.match("GET", "/v1/projects/p/locations/l/secrets/s/versions/1:access");
  REQUIRE(m);
  CHECK(m->method->id == "secrets.AccessSecretVersion");
  CHECK(static_cast<const sm::AccessSecretVersionRequest&>(*m->request).name() ==
        "projects/p/locations/l/secrets/s/versions/1");

  auto g = f.match("POST", "/v1beta/tunedModels/mine:generateContent",
                   R"({"contents":[{"parts":[{"text":"hi"}]}]})");
  REQUIRE(g);
  const auto& req = static_cast<const gl::GenerateContentRequest&>(*g->request);
  CHECK(req.model() == "tunedModels/mine");
  CHECK(req.contents(0).parts(0).text() == "hi");
}

TEST_CASE("modifyAckDeadline reads ack ids and the deadline from the body") {
  Fixture f;
  auto r = f.send("POST", "/v1/projects/p/subscriptions/s:modifyAckDeadline",
                  R"({"ackIds":["a1","a2"],"ackDeadlineSeconds":0})");
  REQUIRE(r.status == 200);
  CHECK(body_of(r) == nlohmann::json::object());
  const auto& req = f.request<ps::ModifyAckDeadlineRequest>("pubsub.ModifyAckDeadline");
  CHECK(req.subscription() == "projects/p/subscriptions/s");
  REQUIRE(req.ack_ids_size() == 2);
  CHECK(req.ack_ids(1) == "a2");
  CHECK(req.ack_deadline_seconds() == 0);
}

TEST_CASE("body field bindings fill one field, the query fills the rest, FieldMask included") {
  Fixture f;
  auto r = f.send("PATCH", "/v1/projects/p/secrets/s?updateMask=labels,versionAliases",
                  R"({"labels":{"team":"a"}})");
  REQUIRE(r.status == 200);
  const auto& req = f.request<sm::UpdateSecretRequest>("secrets.UpdateSecret");
  CHECK(req.secret().name() == "projects/p/secrets/s");
  CHECK(req.secret().labels().at("team") == "a");
  REQUIRE(req.update_mask().paths_size() == 2);
  CHECK(req.update_mask().paths(0) == "labels");
  CHECK(req.update_mask().paths(1) == "version_aliases");

  f.send("POST", "/v1/projects/p/secrets?secret_id=db&secretId=api",
         R"({"replication":{"automatic":{}}})");
  const auto& create = f.request<sm::CreateSecretRequest>("secrets.CreateSecret");
  CHECK(create.parent() == "projects/p");
  CHECK(create.secret_id() == "api");  // a repeated singular parameter keeps the last value
  CHECK(create.secret().replication().has_automatic());
}

TEST_CASE("percent-encoded segments decode, an encoded slash stays inside the variable") {
  Fixture f;
  auto m = f.match("GET", "/v1/projects/p/topics/a%2Fb%20c");
  REQUIRE(m);
  CHECK(static_cast<const ps::GetTopicRequest&>(*m->request).topic() == "projects/p/topics/a/b c");
}

TEST_CASE("unknown JSON fields are INVALID_ARGUMENT naming the field and where it is") {
  Fixture f;
  auto top = f.match("PUT", "/v1/projects/p/topics/t", R"({"foo":1})");
  REQUIRE(top);
  CHECK(top->status.code() == core::Code::kInvalidArgument);
  CHECK(top->status.message() ==
        R"(Invalid JSON payload received. Unknown name "foo": Cannot find field.)");

  auto nested =
      f.match("PATCH", "/v1/projects/p/subscriptions/s", R"({"subscription":{"ackDeadline":1}})");
  REQUIRE(nested);
  CHECK(
      nested->status.message() ==
      R"(Invalid JSON payload received. Unknown name "ackDeadline" at 'subscription': Cannot find field.)");
  REQUIRE(nested->status.details().size() == 1);
  const auto& bad = std::get<core::BadRequest>(nested->status.details()[0]);
  CHECK(bad.violations.at(0).field == "subscription");
  CHECK(bad.violations.at(0).description == nested->status.message());

  auto in_body_field = f.match("POST", "/v1/projects/p/secrets?secretId=s", R"({"lables":{}})");
  REQUIRE(in_body_field);
  CHECK(in_body_field->status.message() ==
        R"(Invalid JSON payload received. Unknown name "lables" at 'secret': Cannot find field.)");
}

TEST_CASE("values of the wrong type are INVALID_ARGUMENT in Google's wording") {
  Fixture f;
  auto m = f.match("PATCH", "/v1/projects/p/subscriptions/s",
                   R"({"subscription":{"ackDeadlineSeconds":"soon"}})");
  REQUIRE(m);
  CHECK(m->status.code() == core::Code::kInvalidArgument);
  CHECK(m->status.message() ==
        R"(Invalid value at 'subscription.ack_deadline_seconds' (TYPE_INT32), "soon")");

  auto q = f.match("GET", "/v1/projects/p/subscriptions?pageSize=many");
  REQUIRE(q);
  CHECK(q->status.message() == R"(Invalid value at 'page_size' (TYPE_INT32), "many")");
}

TEST_CASE("malformed JSON is INVALID_ARGUMENT quoting the parser") {
  Fixture f;
  auto r = f.send("POST", "/v1/projects/p/topics/t:publish", R"({"messages": [)");
  CHECK(r.status == 400);
  CHECK(f.seen.count("pubsub.Publish") == 0);
  auto msg = body_of(r)["error"]["message"].get<std::string>();
  CHECK(msg.rfind("Invalid JSON payload received. Unexpected end of string.", 0) == 0);
  CHECK(body_of(r)["error"]["status"] == "INVALID_ARGUMENT");
}

TEST_CASE("query parameters that name no field cannot be bound") {
  Fixture f;
  auto m = f.match("GET", "/v1/projects/p/subscriptions?color=red");
  REQUIRE(m);
  CHECK(m->status.message() ==
        "Invalid JSON payload received. Unknown name \"color\": Cannot bind query parameter. "
        "Field 'color' could not be found in request message.");

  auto msg_field = f.match("PATCH", "/v1/projects/p/subscriptions/s?subscription=x", "{}");
  REQUIRE(msg_field);
  CHECK(
      msg_field->status.message() ==
      "Invalid JSON payload received. Unknown name \"subscription\": Cannot bind query parameter. "
      "'subscription' is a message type. Parameters can only be bound to primitive types.");

  auto nested =
      f.match("PATCH", "/v1/projects/p/subscriptions/s?subscription.ackDeadlineSeconds=20", "{}");
  REQUIRE(nested);
  REQUIRE(nested->status.is_ok());
  const auto& req = static_cast<const ps::UpdateSubscriptionRequest&>(*nested->request);
  CHECK(req.subscription().ack_deadline_seconds() == 20);
  CHECK(req.subscription().name() == "projects/p/subscriptions/s");
}

TEST_CASE("paths and methods no binding has are left to the router's 404") {
  Fixture f;
  CHECK_FALSE(f.match("GET", "/v1/projects/p/gadgets/g"));
  CHECK_FALSE(f.match("GET", "/v1/projects/p/topics/t:publish"));
  CHECK_FALSE(f.match("DELETE", "/v1/projects/p/topics/t:publish"));
  CHECK_FALSE(f.match("GET", "/v1/projects/p/topics/t/extra"));
  CHECK_FALSE(f.match("GET", "/v1/projects//topics/t"));
  auto r = f.send("GET", "/v1/projects/p/gadgets/g");
  CHECK(r.status == 404);
}

TEST_CASE("a handler error becomes Google's JSON error envelope with its HTTP status") {
  Fixture f;
  auto r = f.send("GET", "/v1/projects/p/topics/missing");
  CHECK(r.status == 404);
  CHECK(
      body_of(r) ==
      nlohmann::json::parse(
          R"({"error":{"code":404,"message":"Resource not found (resource=missing).","status":"NOT_FOUND"}})"));
}

TEST_CASE("calls pass the dispatch wrapper with the resource name as target") {
  Fixture f;
  core::FaultRule rule;
  rule.match.target = "projects/p/topics/blocked";
  rule.action.code = core::Code::kPermissionDenied;
  f.faults.add(rule);
  CHECK(f.send("POST", "/v1/projects/p/topics/blocked:publish", R"({"messages":[{"data":"eA=="}]})")
            .status == 403);
  CHECK(f.send("POST", "/v1/projects/p/topics/open:publish", R"({"messages":[{"data":"eA=="}]})")
            .status == 200);

  auto calls = f.events.query({.kind = "api.call"});
  REQUIRE(calls.size() == 2);
  CHECK(std::get<std::string>(calls[1].attrs.at("target")) == "projects/p/topics/open");
  CHECK(std::get<std::string>(calls[1].attrs.at("method")) == "pubsub.Publish");
  CHECK(calls[1].service == "pubsub");
}

TEST_CASE("path templates: wildcards, nested fields and verbs") {
  auto t = net::PathTemplate::parse("/v1/{name=projects/*/locations/*/queues/*}/tasks");
  REQUIRE(t);
  CHECK(t->variables() == std::vector<std::string>{"name"});
  CHECK(t->match("/v1/projects/p/locations/l/queues/q/tasks") ==
        std::vector<std::string>{"projects/p/locations/l/queues/q"});
  CHECK_FALSE(t->match("/v1/projects/p/locations/l/queues/q"));

  auto nested = net::PathTemplate::parse("/v1/{subscription.name=projects/*/subscriptions/*}");
  REQUIRE(nested);
  CHECK(nested->variables() == std::vector<std::string>{"subscription.name"});

  auto rest = net::PathTemplate::parse("/b/{bucket}/o/{object=**}:compose");
  REQUIRE(rest);
  CHECK(rest->literal_count() == 3);
  CHECK(rest->has_double_wildcard());
  CHECK(rest->match("/b/bk/o/a/b/c:compose") == std::vector<std::string>{"bk", "a/b/c"});
  CHECK_FALSE(rest->match("/b/bk/o/a/b/c"));

  CHECK_FALSE(net::PathTemplate::parse("v1/x"));
  CHECK_FALSE(net::PathTemplate::parse("/v1/{name=projects/*"));
  CHECK_FALSE(net::PathTemplate::parse("/v1//x"));
}

}  // namespace transcoder_test
