// Storage wire formats: multipart bodies, field selectors, globs, checksums, resources,
// notification messages, error bodies and signed URL canonical requests.
#include "storage_fixture.h"

#include "services/storage/fields.h"
#include "services/storage/glob.h"
#include "services/storage/multipart.h"
#include "services/storage/notify.h"
#include "services/storage/resource.h"
#include "services/storage/signed_url.h"

namespace storage_test {

const std::string kMultipart =
    "--XYZ\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{\"name\":\"n\",\"contentType\":\"text/plain\"}"
    "\r\n--XYZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XYZ--\r\n";

TEST_CASE("multipart/related bodies split into metadata and media") {
  auto m = parse_multipart("multipart/related; boundary=XYZ", kMultipart, "", 0);
  REQUIRE(m.ok());
  REQUIRE(m->metadata == "{\"name\":\"n\",\"contentType\":\"text/plain\"}");
  REQUIRE(m->media_type == "text/plain");
  REQUIRE(kMultipart.substr(m->media_offset, m->media_length) == "hello");
}

TEST_CASE("broken multipart bodies are 400") {
  auto no_boundary = parse_multipart("multipart/related", kMultipart, "", 0);
  REQUIRE(http(no_boundary.status()) == 400);
  auto unterminated = parse_multipart("multipart/related; boundary=XYZ",
                                      kMultipart.substr(0, kMultipart.size() - 9), "", 0);
  REQUIRE(unterminated.status().message() == "Missing end boundary in multipart body.");
  auto one_part = parse_multipart("multipart/related; boundary=XYZ", "--XYZ\r\n\r\n{}\r\n--XYZ--", "", 0);
  REQUIRE(http(one_part.status()) == 400);
}

TEST_CASE("field selectors keep nested and per-item fields") {
  Json j = {{"kind", "k"}, {"items", {{{"name", "a"}, {"size", "1"}, {"bucket", "b"}}}},
            {"metadata", {{"x", "1"}, {"y", "2"}}}};
  auto out = select_fields(j, "items(name,size),metadata/x");
  REQUIRE(out.ok());
  REQUIRE(*out == Json{{"items", {{{"name", "a"}, {"size", "1"}}}}, {"metadata", {{"x", "1"}}}});
  REQUIRE(http(select_fields(j, "items(name").status()) == 400);
}

TEST_CASE("glob patterns") {
  REQUIRE(glob_match("*.txt", "a.txt"));
  REQUIRE_FALSE(glob_match("*.txt", "d/a.txt"));
  REQUIRE(glob_match("**/a.txt", "a.txt"));
  REQUIRE(glob_match("d/?.txt", "d/é.txt"));
  REQUIRE(glob_match("[a-c]x", "bx"));
  REQUIRE_FALSE(glob_match("[!a-c]x", "bx"));
  REQUIRE(glob_match("{x,y}/**", "y/1/2"));
}

TEST_CASE("x-goog-hash headers parse both checksums") {
  auto h = parse_goog_hash("crc32c=yZRlqg==,md5=XrY7u+Ae7tCTyyK7j1rNww==");
  REQUIRE(h.crc32c_base64 == "yZRlqg==");
  REQUIRE(h.md5_base64 == "XrY7u+Ae7tCTyyK7j1rNww==");
  REQUIRE(verify(h, digest_of("hello world")).is_ok());
  REQUIRE(http(verify(h, digest_of("hello"))) == 400);
}

TEST_CASE("object resources use the JSON API's shapes: strings for numbers, etags, millisecond times") {
  Object o;
  o.bucket = "b";
  o.name = "dir/a b";
  o.generation = 1767225600000000;
  o.size = 5;
  o.created = o.updated = o.storage_class_updated = t0();
  o.meta.storage_class = "STANDARD";
  auto j = object_json(o, Links{"http://h", "1"});
  REQUIRE(j["generation"] == "1767225600000000");
  REQUIRE(j["size"] == "5");
  REQUIRE(j["timeCreated"] == "2026-01-01T00:00:00.000Z");
  REQUIRE(j["selfLink"] == "http://h/storage/v1/b/b/o/dir%2Fa%20b");
  REQUIRE(j["id"] == "b/dir/a b/1767225600000000");
  REQUIRE(j["etag"] == "CICAgbGE6ZEDEAE=");
}

TEST_CASE("storage errors carry the errors array with a reason") {
  auto body = Json::parse(errors::json_body(errors::object_not_found("b", "o")));
  REQUIRE(body["error"]["code"] == 404);
  REQUIRE(body["error"]["message"] == "No such object: b/o");
  REQUIRE(body["error"]["errors"][0] == Json{{"message", "No such object: b/o"}, {"domain", "global"}, {"reason", "notFound"}});
  REQUIRE(errors::http_status(errors::precondition_failed()) == 412);
  REQUIRE(errors::xml_body("SignatureDoesNotMatch", "m") ==
          "<?xml version='1.0' encoding='UTF-8'?><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error>");
}

TEST_CASE("notification messages carry the real attributes and the object as payload") {
  NotificationConfig c;
  c.id = "3";
  c.topic = "projects/p/topics/t";
  c.custom_attributes["team"] = "x";
  Object o;
  o.bucket = "b";
  o.name = "logs/1";
  o.generation = 42;
  ObjectEvent e{"OBJECT_FINALIZE", o, 41, std::nullopt};
  auto msgs = notification_messages({c}, e, t0() + 1500us, "1");
  REQUIRE(msgs.size() == 1);
  const auto& a = msgs[0].attributes;
  REQUIRE(a.at("notificationConfig") == "projects/_/buckets/b/notificationConfigs/3");
  REQUIRE(a.at("eventType") == "OBJECT_FINALIZE");
  REQUIRE(a.at("payloadFormat") == "JSON_API_V1");
  REQUIRE(a.at("objectGeneration") == "42");
  REQUIRE(a.at("overwroteGeneration") == "41");
  REQUIRE(a.at("eventTime") == "2026-01-01T00:00:00.001500Z");
  REQUIRE(a.at("team") == "x");
  REQUIRE(Json::parse(msgs[0].data)["name"] == "logs/1");
  c.event_types = {"OBJECT_DELETE"};
  REQUIRE(notification_messages({c}, e, t0(), "1").empty());
}

TEST_CASE("V4 canonical requests sort and encode the query and headers") {
  auto canonical = v4_canonical_request("GET", "/b/o", {{"X-Goog-Expires", "60"}, {"A b", "c/d"}},
                                        {{"host", "127.0.0.1"}}, "UNSIGNED-PAYLOAD");
  REQUIRE(canonical == "GET\n/b/o\nA%20b=c%2Fd&X-Goog-Expires=60\nhost:127.0.0.1\n\nhost\nUNSIGNED-PAYLOAD");
  REQUIRE(v4_string_to_sign("20260101T000000Z", "20260101/auto/storage/goog4_request", "x") ==
          "GOOG4-RSA-SHA256\n20260101T000000Z\n20260101/auto/storage/goog4_request\n" + sha256_hex("x"));
}

TEST_CASE("signed URLs are checked for expiry on the clock and for their signature") {
  net::HttpRequest req;
  req.method = "GET";
  req.path = "/b/o";
  req.headers = {{"Host", "127.0.0.1:8085"}};
  req.query = {{"X-Goog-Algorithm", "GOOG4-RSA-SHA256"},
               {"X-Goog-Credential", "sa@p.iam.gserviceaccount.com/20260101/auto/storage/goog4_request"},
               {"X-Goog-Date", "20260101T000000Z"}, {"X-Goog-Expires", "60"},
               {"X-Goog-SignedHeaders", "host"}, {"X-Goog-Signature", "abcd"}};
  std::vector<std::pair<std::string, std::string>> query(req.query.begin(), req.query.end() - 1);
  auto expected = v4_string_to_sign(
      "20260101T000000Z", "20260101/auto/storage/goog4_request",
      v4_canonical_request("GET", "/b/o", query, {{"host", "127.0.0.1"}}, "UNSIGNED-PAYLOAD"));
  auto accept_host_without_port = [&](const std::string& data, const std::string& sig) {
    return sig == "\xab\xcd" && data == expected;
  };
  REQUIRE_FALSE(verify_signed_url(req, t0() + 30s, accept_host_without_port));
  auto expired = verify_signed_url(req, t0() + 61s, accept_host_without_port);
  REQUIRE(expired->code == "ExpiredToken");
  auto wrong = verify_signed_url(req, t0(), [](const std::string&, const std::string&) { return false; });
  REQUIRE(wrong->status == 403);
  REQUIRE(wrong->code == "SignatureDoesNotMatch");
}

}  // namespace storage_test
