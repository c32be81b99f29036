// Specification of Secret Manager over REST: Google's JSON paths and bodies, through the
// generic transcoder, reach the same handlers as gRPC.
#include "secrets_fixture.h"

#include <nlohmann/json.hpp>

#include "core/stack.h"
#include "net/http.h"
#include "net/rpc.h"
#include "net/transcoder.h"
#include "services/secrets/service.h"

namespace secrets_rest_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace secrets_test;
using nlohmann::json;

namespace {

struct RestFixture {
  Fixture f;
  core::StackConfig stack = core::default_stack();
  net::MethodTable methods;
  std::unique_ptr<SecretsService> service;
  std::unique_ptr<net::Transcoder> transcoder;
  net::Router router;

  RestFixture() {
    f.store.reset();
    service = std::make_unique<SecretsService>(f.env, stack, methods);
    transcoder = std::make_unique<net::Transcoder>(methods);
    transcoder->install(router, f.env);
  }

  std::pair<int, json> send(std::string method, const std::string& target, std::string body = "") {
    net::HttpRequest req;
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
        req.query.emplace_back(net::percent_decode(pair.substr(0, eq), true),
                               net::percent_decode(pair.substr(eq + 1), true));
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      }
    }
    req.body = std::move(body);
    req.body_size = req.body.size();
    std::optional<net::HttpResponse> out;
    router.handle(req, [&out](net::HttpResponse r) { out = std::move(r); });
    f.clock.run_due();
    REQUIRE(out.has_value());
    INFO(out->body);
    return {out->status, out->body.empty() ? json::object() : json::parse(out->body)};
  }
};

const std::string kSecrets = "/v1/projects/demo-project/secrets";

}  // namespace

TEST_CASE("REST: create, add a version, access it by latest") {
  RestFixture r;
  auto [created, secret] = r.send("POST", kSecrets + "?secretId=db",
                                  R"({"replication":{"automatic":{}},"labels":{"env":"dev"}})");
  REQUIRE(created == 200);
  REQUIRE(secret["name"] == kProject + "/secrets/db");
  REQUIRE(secret["replication"] == json{{"automatic", json::object()}});
  REQUIRE(secret["createTime"] == "2026-01-01T00:00:00Z");

  // "s3cret" in base64, with its CRC32C as the int64 string JSON carries.
  auto [added, version] = r.send("POST", kSecrets + "/db:addVersion",
                                 R"({"payload":{"data":"czNjcmV0","dataCrc32c":"2552768472"}})");
  INFO(version.dump());
  REQUIRE(added == 200);
  REQUIRE(version["name"] == kProject + "/secrets/db/versions/1");
  REQUIRE(version["state"] == "ENABLED");
  REQUIRE(version["clientSpecifiedPayloadChecksum"] == true);

  auto [ok, access] = r.send("GET", kSecrets + "/db/versions/latest:access");
  REQUIRE(ok == 200);
  REQUIRE(access["name"] == kProject + "/secrets/db/versions/1");
  REQUIRE(access["payload"]["data"] == "czNjcmV0");
  REQUIRE(access["payload"]["dataCrc32c"] == "2552768472");
}

TEST_CASE("REST: errors come back in Google's envelope with the real codes") {
  RestFixture r;
  REQUIRE(r.send("POST", kSecrets + "?secretId=db", R"({"replication":{"automatic":{}}})").first == 200);
  auto [dup, exists] = r.send("POST", kSecrets + "?secretId=db", R"({"replication":{"automatic":{}}})");
  REQUIRE(dup == 409);
  REQUIRE(exists["error"]["status"] == "ALREADY_EXISTS");
  REQUIRE(exists["error"]["message"] == "Secret [" + kProject + "/secrets/db] already exists.");

  auto [missing, nf] = r.send("GET", kSecrets + "/nope/versions/latest:access");
  REQUIRE(missing == 404);
  REQUIRE(nf["error"]["message"] == "Secret [" + kProject + "/secrets/nope] not found or has no versions.");

  r.send("POST", kSecrets + "/db:addVersion", R"({"payload":{"data":"eA=="}})");
  REQUIRE(r.send("POST", kSecrets + "/db/versions/1:disable", "{}").first == 200);
  auto [disabled, body] = r.send("GET", kSecrets + "/db/versions/1:access");
  REQUIRE(disabled == 400);
  REQUIRE(body["error"]["status"] == "FAILED_PRECONDITION");

  auto [bad_crc, crc] = r.send("POST", kSecrets + "/db:addVersion",
                               R"({"payload":{"data":"eA==","dataCrc32c":"7"}})");
  REQUIRE(bad_crc == 400);
  REQUIRE(crc["error"]["status"] == "INVALID_ARGUMENT");
  REQUIRE(r.send("PATCH", kSecrets + "/db?updateMask=colour", R"({"labels":{"a":"b"}})").first == 400);
  REQUIRE(r.send("DELETE", kSecrets + "/db?etag=%22stale%22").first == 400);
}

TEST_CASE("REST: update with a camelCase mask, list with a filter, IAM, delete with etag") {
  RestFixture r;
  r.send("POST", kSecrets + "?secretId=a", R"({"replication":{"automatic":{}}})");
  r.send("POST", kSecrets + "?secretId=b", R"({"replication":{"automatic":{}}})");
  r.send("POST", kSecrets + "/a:addVersion", R"({"payload":{"data":"eA=="}})");
  auto [patched, secret] = r.send("PATCH", kSecrets + "/a?updateMask=labels,versionAliases",
                                  R"({"labels":{"env":"prod"},"versionAliases":{"current":"1"}})");
  REQUIRE(patched == 200);
  REQUIRE(secret["labels"]["env"] == "prod");
  REQUIRE(secret["versionAliases"]["current"] == "1");
  REQUIRE(r.send("GET", kSecrets + "/a/versions/current").second["name"] ==
          kProject + "/secrets/a/versions/1");

  auto [listed, page] = r.send("GET", kSecrets + "?filter=labels.env%3Dprod");
  REQUIRE(listed == 200);
  REQUIRE(page["secrets"].size() == 1);
  REQUIRE(page["secrets"][0]["name"] == kProject + "/secrets/a");
  auto [all, both] = r.send("GET", "/v1/projects/123456789012/secrets?pageSize=1");
  REQUIRE(both["secrets"][0]["name"] == kProject + "/secrets/b");
  REQUIRE(both["totalSize"] == 2);
  REQUIRE_FALSE(both["nextPageToken"].get<std::string>().empty());

  REQUIRE(r.send("GET", kSecrets + "/a:getIamPolicy").second == json{{"etag", "ACAB"}});
  auto [set, policy] = r.send("POST", kSecrets + "/a:setIamPolicy",
                              R"({"policy":{"bindings":[{"role":"roles/secretmanager.secretAccessor",
                                  "members":["user:alice@example.com"]}]}})");
  REQUIRE(set == 200);
  REQUIRE(policy["version"] == 1);
  auto [tested, perms] = r.send("POST", kSecrets + "/a:testIamPermissions",
                                R"({"permissions":["secretmanager.versions.access"]})");
  REQUIRE(perms["permissions"] == json{"secretmanager.versions.access"});

  std::string etag = secret["etag"];
  auto [deleted, empty] = r.send("DELETE", kSecrets + "/a?etag=" + net::percent_encode(etag));
  REQUIRE(deleted == 200);
  REQUIRE(empty == json::object());
}

}  // namespace secrets_rest_test
