// Browser form uploads: multipart/form-data parsing and V4 POST policy checks on the clock.
#include "storage_fixture.h"

#include "services/storage/form.h"
#include "services/storage/policy.h"
#include "services/storage/signed_url.h"

namespace storage_test {

std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& file) {
  std::string out;
  for (const auto& [k, v] : fields) out += "--B\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
  return out + "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
         file + "\r\n--B--\r\n";
}

TEST_CASE("form bodies give their fields and locate the file, which must come last") {
  std::string body = form_body({{"Key", "k"}, {"policy", "p"}}, "file bytes");
  auto form = parse_form("multipart/form-data; boundary=B", body, "", 0);
  REQUIRE(form.ok());
  REQUIRE(form->fields.at("key") == "k");
  REQUIRE(form->file_name == "a.txt");
  REQUIRE(form->file_type == "text/plain");
  REQUIRE(body.substr(form->file_offset, form->file_length) == "file bytes");
  REQUIRE(http(parse_form("multipart/form-data; boundary=B", "--B\r\n\r\nx\r\n--B--", "", 0).status()) == 400);
  REQUIRE(http(parse_form("text/plain", body, "", 0).status()) == 400);
}

struct Policy {
  FormBody form;
  std::string policy_json = R"({"expiration":"2026-01-01T01:00:00Z","conditions":[{"bucket":"b"},{"key":"up/1"},)"
                            R"(["starts-with","$Content-Type","text/"],["content-length-range",1,10],)"
                            R"({"x-goog-algorithm":"GOOG4-RSA-SHA256"}]})";
  Policy() {
    form.fields = {{"key", "up/1"}, {"content-type", "text/plain"}, {"x-goog-algorithm", "GOOG4-RSA-SHA256"},
                   {"policy", base64_encode(policy_json)}, {"x-goog-signature", "ab"}};
  }
  std::optional<XmlError> check(core::Time now, uint64_t size = 5) {
    return verify_post_policy(form, "b", size, now, [this](const std::string& data, const std::string& sig) {
      return data == form.fields.at("policy") && sig == "\xab";
    });
  }
};

TEST_CASE("a signed policy admits a form that meets its conditions until it expires") {
  Policy p;
  REQUIRE_FALSE(p.check(t0()));
  auto expired = p.check(t0() + 1h + 1s);
  REQUIRE(expired->code == "InvalidPolicyDocument");
  REQUIRE(p.check(t0(), 11)->code == "EntityTooLarge");
  REQUIRE(p.check(t0(), 0)->code == "EntityTooSmall");
}

TEST_CASE("a policy refuses other keys, unreferenced fields and bad signatures") {
  Policy p;
  p.form.fields["key"] = "elsewhere";
  REQUIRE(p.check(t0())->code == "InvalidPolicyDocument");
  p.form.fields["key"] = "up/1";
  p.form.fields["x-goog-meta-extra"] = "1";
  REQUIRE(p.check(t0())->details == "Policy did not reference these fields: x-goog-meta-extra");
  p.form.fields.erase("x-goog-meta-extra");
  p.form.fields["x-goog-signature"] = "cd";
  REQUIRE(p.check(t0())->status == 403);
  p.form.fields.erase("policy");
  REQUIRE(p.check(t0())->code == "AccessDenied");
}

TEST_CASE("x-goog-content-length-range admits uploads within it and refuses others as Cloud Storage does") {
  using gcpsim::services::storage::check_content_length_range;
  REQUIRE_FALSE(check_content_length_range("0,1048576", 0));
  REQUIRE_FALSE(check_content_length_range("0, 1048576", 1048576));
  auto big = check_content_length_range("0,1048576", 1048577);
  REQUIRE(big);
  REQUIRE(big->status == 400);
  REQUIRE(big->code == "EntityTooLarge");
  REQUIRE(check_content_length_range("10,20", 9)->code == "EntityTooSmall");
  REQUIRE(check_content_length_range("20,10", 15)->code == "InvalidArgument");
  REQUIRE(check_content_length_range("abc", 15)->code == "InvalidArgument");
}

TEST_CASE("anonymous requests to a bucket with public access prevention name the permission they lack") {
  using gcpsim::services::storage::anonymous_denied;
  auto get = anonymous_denied("GET", true);
  REQUIRE(get.status == 403);
  REQUIRE(get.code == "AccessDenied");
  REQUIRE(get.details.find("storage.objects.get") != std::string::npos);
  REQUIRE(anonymous_denied("PUT", true).details.find("storage.objects.create") != std::string::npos);
  REQUIRE(anonymous_denied("GET", false).details.find("storage.objects.list") != std::string::npos);
}

}  // namespace storage_test
