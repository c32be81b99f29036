// Specification of Secret Manager's domain: secrets, versions, aliases, states, etags,
// checksums, limits, IAM, and that payloads never reach events.
#include "secrets_fixture.h"

#include "core/crc32c.h"

namespace secrets_domain_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace secrets_test;

TEST_CASE("crc32c is Castagnoli") {
  REQUIRE(core::crc32c("123456789") == 0xE3069283u);
  REQUIRE(core::crc32c("") == 0u);
  REQUIRE(core::crc32c("56789", core::crc32c("1234")) == 0xE3069283u);
}

TEST_CASE("the hardware crc32c agrees with the table at every length and split") {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  for (size_t n = 0; n <= data.size(); n += 7) {
    std::string_view v(data.data(), n);
    REQUIRE(core::crc32c(v) == core::crc32c_portable(v));
    REQUIRE(core::crc32c(v.substr(n / 3), core::crc32c(v.substr(0, n / 3))) == core::crc32c_portable(v));
  }
}

TEST_CASE("a secret is named by project number whichever form the caller used") {
  Fixture f;
  Secret s = f.create("db-password");
  REQUIRE(s.name == kProject + "/secrets/db-password");
  REQUIRE(s.create_time == t0());
  REQUIRE(f.store->get({"123456789012", "", "db-password"}).ok());
  REQUIRE(f.store->get(Fixture::name("db-password"))->name == s.name);

  auto again = f.store->create({"123456789012", ""}, "db-password", Fixture::automatic());
  REQUIRE(again.status().code() == Code::kAlreadyExists);
  REQUIRE(again.status().message() == "Secret [" + s.name + "] already exists.");

  auto missing = f.store->get(Fixture::name("nope"));
  REQUIRE(missing.status().code() == Code::kNotFound);
  REQUIRE(missing.status().message() ==
          "Secret [" + kProject + "/secrets/nope] not found or has no versions.");
}

TEST_CASE("secret ids, names and replication are validated") {
  Fixture f;
  REQUIRE(f.store->create(Fixture::parent(), "bad.id", Fixture::automatic()).status().code() ==
          Code::kInvalidArgument);
  REQUIRE(f.store->create(Fixture::parent(), std::string(256, 'a'), Fixture::automatic())
              .status().code() == Code::kInvalidArgument);
  REQUIRE(f.store->create(Fixture::parent(), std::string(255, 'a'), Fixture::automatic()).ok());
  REQUIRE(f.store->create(Fixture::parent(), "no-replication", SecretFields{}).status().code() ==
          Code::kInvalidArgument);

  SecretFields user = Fixture::automatic();
  user.replication.kind = Replication::Kind::kUserManaged;
  REQUIRE(f.store->create(Fixture::parent(), "no-replicas", user).status().code() ==
          Code::kInvalidArgument);
  user.replication.replicas = {{"us-east1", ""}, {"europe-west1", ""}};
  REQUIRE(f.store->get(Fixture::name("no-replicas")).status().code() == Code::kNotFound);
  REQUIRE(f.store->create(Fixture::parent(), "replicated", user)->replication.replicas.size() == 2);

  REQUIRE(SecretName::parse("projects/p/secrets/x").ok());
  REQUIRE(SecretName::parse("projects/p/locations/us-east1/secrets/x")->location == "us-east1");
  auto bad = VersionName::parse("projects/p/secrets/x/versions/projects/p/secrets/x/versions/1");
  REQUIRE(bad.status().code() == Code::kInvalidArgument);
  REQUIRE(bad.status().message().find("[projects/*/secrets/*/versions/*]") != std::string::npos);
  REQUIRE(VersionName::parse("projects/p/secrets/x/versions/0").status().code() ==
          Code::kInvalidArgument);
  REQUIRE(VersionName::parse("projects/p/secrets/x/versions/prod")->version == "prod");
}

TEST_CASE("regional secrets live under their location and take no replication") {
  Fixture f;
  ParentName regional{"demo-project", "us-central1"};
  REQUIRE(f.store->create(regional, "r", Fixture::automatic()).status().code() ==
          Code::kInvalidArgument);
  auto s = f.store->create(regional, "r", SecretFields{});
  REQUIRE(s.ok());
  REQUIRE(s->name == kProject + "/locations/us-central1/secrets/r");
  REQUIRE(f.store->list(regional, {})->items.size() == 1);
  REQUIRE(f.store->list(Fixture::parent(), {})->items.empty());
  auto v = f.store->add_version({"demo-project", "us-central1", "r"}, "x", std::nullopt);
  REQUIRE(v->name == s->name + "/versions/1");
}

TEST_CASE("versions are numbered from 1 and latest is the newest whatever its state") {
  Fixture f;
  f.create("s");
  auto none = f.store->access(Fixture::version("s", "latest"));
  REQUIRE(none.status().code() == Code::kNotFound);
  REQUIRE(none.status().message().find("not found or has no versions") != std::string::npos);

  f.add("s", "one");
  f.add("s", "two");
  Version three = f.add("s", "three");
  REQUIRE(three.name == kProject + "/secrets/s/versions/3");
  REQUIRE(three.state == VersionState::kEnabled);

  auto latest = f.store->access(Fixture::version("s", "latest"));
  REQUIRE(latest->data == "three");
  REQUIRE(latest->name == three.name);
  REQUIRE(latest->crc32c == core::crc32c("three"));
  REQUIRE(f.store->access(Fixture::version("s", "1"))->data == "one");

  REQUIRE(f.store->disable(Fixture::version("s", "3"), "").ok());
  auto denied = f.store->access(Fixture::version("s", "latest"));
  REQUIRE(denied.status().code() == Code::kFailedPrecondition);
  REQUIRE(denied.status().message() ==
          "Secret Version [" + kProject + "/secrets/s/versions/3] is in DISABLED state.");
  REQUIRE(f.store->get_version(Fixture::version("s", "latest"))->number == 3);

  auto missing = f.store->get_version(Fixture::version("s", "9"));
  REQUIRE(missing.status().code() == Code::kNotFound);
  REQUIRE(missing.status().message() ==
          "Secret Version [" + kProject + "/secrets/s/versions/9] not found.");
}

TEST_CASE("aliases resolve for get and access, must name live versions, and die with them") {
  Fixture f;
  f.create("s");
  f.add("s", "v1");
  f.add("s", "v2");
  SecretFields in;
  in.version_aliases = {{"prod", 1}, {"canary", 2}};
  f.update("s", in, {"version_aliases"});
  REQUIRE(f.store->access(Fixture::version("s", "prod"))->data == "v1");
  REQUIRE(f.store->get_version(Fixture::version("s", "canary"))->number == 2);
  REQUIRE(f.store->access(Fixture::version("s", "stage")).status().code() == Code::kNotFound);

  in.version_aliases = {{"prod", 7}};
  REQUIRE(f.store->update(Fixture::name("s"), in, {"versionAliases"}).status().code() ==
          Code::kInvalidArgument);
  in.version_aliases = {{"latest", 1}};
  REQUIRE(f.store->update(Fixture::name("s"), in, {"version_aliases"}).status().code() ==
          Code::kInvalidArgument);
  in.version_aliases = {{"9lives", 1}};
  REQUIRE(f.store->update(Fixture::name("s"), in, {"version_aliases"}).status().code() ==
          Code::kInvalidArgument);

  REQUIRE(f.store->destroy(Fixture::version("s", "prod"), "").ok());
  auto after = f.store->get(Fixture::name("s"));
  REQUIRE(after->version_aliases == std::map<std::string, int64_t>{{"canary", 2}});
  REQUIRE(f.store->access(Fixture::version("s", "prod")).status().code() == Code::kNotFound);
}

TEST_CASE("versions move ENABLED ⇄ DISABLED → DESTROYED, and DESTROYED is final") {
  Fixture f;
  f.create("s");
  f.add("s", "secret-data");
  auto v1 = Fixture::version("s", "1");
  REQUIRE(f.store->disable(v1, "")->state == VersionState::kDisabled);
  REQUIRE(f.store->enable(v1, "")->state == VersionState::kEnabled);
  f.clock.advance(10s);
  auto destroyed = f.store->destroy(v1, "");
  REQUIRE(destroyed->state == VersionState::kDestroyed);
  REQUIRE(destroyed->destroy_time == t0() + 10s);
  for (auto st : {f.store->enable(v1, "").status(), f.store->disable(v1, "").status(),
                  f.store->destroy(v1, "").status()}) {
    REQUIRE(st.code() == Code::kFailedPrecondition);
  }
  auto access = f.store->access(v1);
  REQUIRE(access.status().code() == Code::kFailedPrecondition);
  REQUIRE(access.status().message() ==
          "Secret Version [" + kProject + "/secrets/s/versions/1] is in DESTROYED state.");
  auto raw = f.db->prepare("SELECT payload IS NULL FROM secrets_versions");
  REQUIRE(raw.step());
  REQUIRE(raw.column_int(0) == 1);
}

TEST_CASE("etags are quoted hex, change on every write, and guard every write") {
  Fixture f;
  Secret s = f.create("s");
  REQUIRE(s.etag.size() == 16);
  REQUIRE(s.etag.front() == '"');
  REQUIRE(s.etag.back() == '"');

  Version v = f.add("s", "x");
  auto v1 = Fixture::version("s", "1");
  REQUIRE(f.store->disable(v1, "\"0\"").status().code() == Code::kFailedPrecondition);
  auto disabled = f.store->disable(v1, v.etag);
  REQUIRE(disabled.ok());
  REQUIRE(disabled->etag != v.etag);
  REQUIRE(f.store->enable(v1, v.etag).status().code() == Code::kFailedPrecondition);
  REQUIRE(f.store->enable(v1, disabled->etag).ok());

  SecretFields in;
  in.labels = {{"env", "prod"}};
  in.etag = "\"stale\"";
  REQUIRE(f.store->update(Fixture::name("s"), in, {"labels"}).status().code() ==
          Code::kFailedPrecondition);
  in.etag = s.etag;
  auto updated = f.store->update(Fixture::name("s"), in, {"labels"});
  REQUIRE(updated.ok());
  REQUIRE(updated->etag != s.etag);

  REQUIRE(f.store->remove(Fixture::name("s"), s.etag).code() == Code::kFailedPrecondition);
  REQUIRE(f.store->remove(Fixture::name("s"), updated->etag).is_ok());
  REQUIRE(f.store->get(Fixture::name("s")).status().code() == Code::kNotFound);
  REQUIRE(f.store->access(v1).status().code() == Code::kNotFound);
}

TEST_CASE("payloads are limited to 64 KiB and checked against data_crc32c") {
  Fixture f;
  f.create("s");
  REQUIRE(f.store->add_version(Fixture::name("s"), std::string(65536, 'x'), std::nullopt).ok());
  auto big = f.store->add_version(Fixture::name("s"), std::string(65537, 'x'), std::nullopt);
  REQUIRE(big.status().code() == Code::kInvalidArgument);

  auto wrong = f.store->add_version(Fixture::name("s"), "data", int64_t{12345});
  REQUIRE(wrong.status().code() == Code::kInvalidArgument);
  REQUIRE(wrong.status().message().find("Checksum mismatch") == 0);
  auto right = f.store->add_version(Fixture::name("s"), "data", int64_t{core::crc32c("data")});
  REQUIRE(right->client_specified_payload_checksum);
  REQUIRE_FALSE(f.store->get_version(Fixture::version("s", "1"))->client_specified_payload_checksum);
  REQUIRE(f.store->access(Fixture::version("s", "2"))->crc32c == core::crc32c("data"));
  REQUIRE(f.store->add_version(Fixture::name("missing"), "x", std::nullopt).status().code() ==
          Code::kNotFound);
}

TEST_CASE("labels, annotations and topics are validated against the documented limits") {
  Fixture f;
  auto with = [&](auto edit) {
    SecretFields in = Fixture::automatic();
    edit(in);
    return f.store->create(Fixture::parent(), "s", in).status().code();
  };
  REQUIRE(with([](SecretFields& in) { in.labels = {{"Env", "x"}}; }) == Code::kInvalidArgument);
  REQUIRE(with([](SecretFields& in) { in.labels = {{"env", "Prod"}}; }) == Code::kInvalidArgument);
  REQUIRE(with([](SecretFields& in) { in.annotations = {{"-x", "y"}}; }) == Code::kInvalidArgument);
  REQUIRE(with([](SecretFields& in) { in.annotations = {{"k", std::string(16384, 'v')}}; }) ==
          Code::kInvalidArgument);
  REQUIRE(with([](SecretFields& in) { in.topics = {"topics/t"}; }) == Code::kInvalidArgument);
  REQUIRE(with([](SecretFields& in) {
            for (int i = 0; i < 11; ++i) in.topics.push_back("projects/p/topics/t" + std::to_string(i));
          }) == Code::kInvalidArgument);
  REQUIRE(with([](SecretFields& in) {
            in.labels = {{"env", "prod"}, {"ünïcode", "välue"}};
            in.annotations = {{"app.example_owner", "Team A"}};
          }) == Code::kOk);
}

TEST_CASE("update masks name the fields to change, others are refused") {
  Fixture f;
  SecretFields init = Fixture::automatic();
  init.labels = {{"a", "1"}};
  init.annotations = {{"note", "x"}};
  f.create("s", init);
  SecretFields in;
  in.labels = {{"b", "2"}};
  Secret s = f.update("s", in, {"labels"});
  REQUIRE(s.labels == std::map<std::string, std::string>{{"b", "2"}});
  REQUIRE(s.annotations.size() == 1);

  auto code = [&](std::vector<std::string> mask) {
    return f.store->update(Fixture::name("s"), in, mask).status().code();
  };
  REQUIRE(code({}) == Code::kInvalidArgument);
  REQUIRE(code({"no_such_field"}) == Code::kInvalidArgument);
  REQUIRE(code({"replication"}) == Code::kInvalidArgument);
  REQUIRE(code({"create_time"}) == Code::kInvalidArgument);

  in.version_destroy_ttl = 48h;
  REQUIRE(f.update("s", in, {"versionDestroyTtl"}).version_destroy_ttl == 48h);
  in.version_destroy_ttl = 1h;
  REQUIRE(code({"version_destroy_ttl"}) == Code::kInvalidArgument);
  REQUIRE(f.store->update(Fixture::name("nope"), in, {"labels"}).status().code() == Code::kNotFound);
}

TEST_CASE("IAM policies are stored per secret with etag checks") {
  Fixture f;
  f.create("s");
  auto empty = f.store->get_policy(Fixture::name("s"));
  REQUIRE(empty->bindings.empty());
  REQUIRE(empty->etag == std::string("\x00\x20\x01", 3));

  Policy p;
  p.bindings = {{"roles/secretmanager.secretAccessor", {"serviceAccount:app@p.iam.gserviceaccount.com"}, std::nullopt}};
  auto set = f.store->set_policy(Fixture::name("s"), p);
  REQUIRE(set.ok());
  REQUIRE(set->version == 1);
  REQUIRE(set->etag.size() == 8);
  REQUIRE(set->etag[0] == '\x07');
  REQUIRE(f.store->get_policy(Fixture::name("s"))->bindings.at(0).members.size() == 1);

  p.etag = empty->etag;
  REQUIRE(f.store->set_policy(Fixture::name("s"), p).status().code() == Code::kAborted);
  p.etag = set->etag;
  p.bindings[0].condition = Condition{"request.time < timestamp('2027-01-01T00:00:00Z')", "t", "", ""};
  REQUIRE(f.store->set_policy(Fixture::name("s"), p).status().code() == Code::kInvalidArgument);
  p.version = 3;
  REQUIRE(f.store->set_policy(Fixture::name("s"), p)->version == 3);
  p.etag.clear();
  p.bindings[0].members = {"bob"};
  REQUIRE(f.store->set_policy(Fixture::name("s"), p).status().code() == Code::kInvalidArgument);

  auto granted = f.store->test_permissions(
      Fixture::name("s"), {"secretmanager.versions.access", "storage.objects.get"});
  REQUIRE(*granted == std::vector<std::string>{"secretmanager.versions.access"});
  REQUIRE(f.store->test_permissions(Fixture::name("none"), {"secretmanager.versions.access"})->empty());
  REQUIRE(f.store->get_policy(Fixture::name("none")).status().code() == Code::kNotFound);
}

TEST_CASE("changes notify the secret's topics, TOPIC_CONFIGURED comes first") {
  Fixture f;
  f.create("quiet");
  f.add("quiet", "x");
  REQUIRE(f.sent.empty());

  SecretFields in = Fixture::automatic();
  in.topics = {"projects/demo-project/topics/secret-events"};
  f.create("s", in);
  f.add("s", "x");
  f.store->disable(Fixture::version("s", "1"), "");
  f.store->enable(Fixture::version("s", "1"), "");
  f.store->destroy(Fixture::version("s", "1"), "");
  in.labels = {{"a", "b"}};
  f.update("s", in, {"labels"});
  REQUIRE(f.store->remove(Fixture::name("s"), "").is_ok());
  REQUIRE(f.event_types() ==
          std::vector<std::string>{"TOPIC_CONFIGURED", "SECRET_CREATE", "SECRET_VERSION_ADD",
                                   "SECRET_VERSION_DISABLE", "SECRET_VERSION_ENABLE",
                                   "SECRET_VERSION_DESTROY", "SECRET_UPDATE", "SECRET_DELETE"});
  REQUIRE_FALSE(f.sent[0].secret.has_value());
  REQUIRE(f.sent[1].secret->name == kProject + "/secrets/s");
  REQUIRE(f.sent[2].version->name == kProject + "/secrets/s/versions/1");
  REQUIRE(f.sent.back().delete_type == "REQUESTED");
  for (const auto& n : f.sent) REQUIRE(n.topics == in.topics);
}

TEST_CASE("a payload never appears in an event") {
  Fixture f;
  const std::string payload = "hunter2-very-secret-payload";
  SecretFields in = Fixture::automatic();
  in.topics = {"projects/demo-project/topics/t"};
  in.version_destroy_ttl = 24h;
  f.create("s", in);
  f.add("s", payload);
  REQUIRE(f.store->access(Fixture::version("s", "latest"))->data == payload);
  f.store->destroy(Fixture::version("s", "1"), "");
  f.clock.advance(25h);
  REQUIRE_FALSE(f.events.query({}).empty());
  for (const auto& e : f.events.query({})) {
    REQUIRE(core::Events::to_json(e).find(payload) == std::string::npos);
  }
}

}  // namespace secrets_domain_test
