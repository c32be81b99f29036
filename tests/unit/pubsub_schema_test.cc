// Specification of Pub/Sub schema validation: Avro and Protocol Buffer definitions, messages
// in JSON and binary encodings, revisions and the topic settings' revision range.
#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/ids.h"
#include "services/pubsub/schemas.h"

namespace pubsub_schema_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::pubsub;

namespace {

const std::string kAvro = R"({
  "type": "record", "name": "State", "namespace": "utilities",
  "fields": [
    {"name": "name", "type": "string"},
    {"name": "post_abbr", "type": "string"},
    {"name": "population", "type": ["null", "long"], "default": null},
    {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["STATE", "TERRITORY"]}, "default": "STATE"}
  ]
})";

const std::string kProto = R"(
syntax = "proto3";
package utilities;
// A state of the union.
message StateProto {
  string name = 1;
  string post_abbr = 2;
  repeated int64 counties = 3 [packed = true];
  map<string, int32> codes = 4;
  oneof extra { string motto = 5; bool island = 6; }
  Kind kind = 7;
  enum Kind { STATE = 0; TERRITORY = 1; }
  Nested nested = 8;
  message Nested { string note = 1; }
}
)";

std::shared_ptr<const SchemaValidator> compiled(SchemaType type, const std::string& def) {
  auto v = Schemas::compile(type, def);
  INFO(v.status().to_string());
  REQUIRE(v.ok());
  return *v;
}

}  // namespace

TEST_CASE("schema: Avro JSON messages are checked field by field") {
  auto v = compiled(SchemaType::kAvro, kAvro);
  CHECK(v->validate(Encoding::kJson, R"({"name":"Alaska","post_abbr":"AK"})").is_ok());
  CHECK(v->validate(Encoding::kJson, R"({"name":"Alaska","post_abbr":"AK","population":{"long":733391}})").is_ok());
  CHECK(v->validate(Encoding::kJson, R"({"name":"Guam","post_abbr":"GU","kind":"TERRITORY"})").is_ok());
  CHECK_FALSE(v->validate(Encoding::kJson, R"({"name":"Alaska"})").is_ok());
  CHECK_FALSE(v->validate(Encoding::kJson, R"({"name":1,"post_abbr":"AK"})").is_ok());
  CHECK_FALSE(v->validate(Encoding::kJson, R"({"name":"A","post_abbr":"AK","extra":true})").is_ok());
  CHECK_FALSE(v->validate(Encoding::kJson, R"({"name":"A","post_abbr":"AK","kind":"CITY"})").is_ok());
  CHECK(v->validate(Encoding::kJson, "not json").code() == core::Code::kInvalidArgument);
}

TEST_CASE("schema: Avro binary messages must decode exactly") {
  auto v = compiled(SchemaType::kAvro, kAvro);
  // "Alaska", "AK", union branch 1 (long 5), enum index 0.
  std::string ok = std::string("\x0c") + "Alaska" + "\x04" + "AK" + "\x02\x0a" + std::string(1, '\0');
  CHECK(v->validate(Encoding::kBinary, ok).is_ok());
  CHECK_FALSE(v->validate(Encoding::kBinary, ok + "x").is_ok());
  CHECK_FALSE(v->validate(Encoding::kBinary, ok.substr(0, 5)).is_ok());
}

TEST_CASE("schema: invalid Avro definitions are INVALID_ARGUMENT") {
  for (const char* bad : {"{", R"({"type":"record","fields":[]})", R"({"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]})",
                          R"({"type":"enum","name":"E"})"}) {
    INFO(bad);
    CHECK(Schemas::compile(SchemaType::kAvro, bad).status().code() == core::Code::kInvalidArgument);
  }
}

TEST_CASE("schema: Protocol Buffer messages in JSON and binary") {
  auto v = compiled(SchemaType::kProtocolBuffer, kProto);
  CHECK(v->validate(Encoding::kJson, R"({"name":"Alaska","postAbbr":"AK","counties":["1"],"codes":{"a":1},"motto":"North","kind":"TERRITORY","nested":{"note":"x"}})").is_ok());
  CHECK_FALSE(v->validate(Encoding::kJson, R"({"name":"Alaska","unknown":1})").is_ok());
  CHECK_FALSE(v->validate(Encoding::kJson, R"({"name":5})").is_ok());
  CHECK(v->validate(Encoding::kBinary, std::string("\x0a\x06") + "Alaska").is_ok());
  CHECK_FALSE(v->validate(Encoding::kBinary, "\x0a\x10" "short").is_ok());
}

TEST_CASE("schema: invalid Protocol Buffer definitions are INVALID_ARGUMENT") {
  for (const char* bad : {"message {", "syntax = \"proto3\"; message M { Unknown u = 1; }", "enum E { A = 0; }",
                          "message M { string a = x; }"}) {
    INFO(bad);
    CHECK(Schemas::compile(SchemaType::kProtocolBuffer, bad).status().code() == core::Code::kInvalidArgument);
  }
  CHECK(Schemas::compile(SchemaType::kProtocolBuffer,
                         "syntax = \"proto3\"; import \"google/protobuf/timestamp.proto\";"
                         " message M { google.protobuf.Timestamp at = 1; }")
            .ok());
}

TEST_CASE("schema: a topic accepts messages valid for any revision in its range") {
  core::Clock clock{core::Clock::Mode::kVirtual};
  core::Ids ids{1};
  Schemas schemas{clock, ids};
  const std::string name = "projects/p/schemas/state";
  auto first = schemas.create(name, SchemaType::kAvro, R"({"type":"record","name":"S","fields":[{"name":"a","type":"string"}]})");
  REQUIRE(first.ok());
  auto second = schemas.commit(name, SchemaType::kAvro, R"({"type":"record","name":"S","fields":[{"name":"b","type":"long"}]})");
  REQUIRE(second.ok());
  CHECK(schemas.revisions(name)->size() == 2);
  MessageSpec old_shape{R"({"a":"x"})", {}, ""};
  MessageSpec new_shape{R"({"b":1})", {}, ""};
  SchemaSettings any{name, Encoding::kJson, "", ""};
  CHECK(schemas.check_message(any, old_shape.data).is_ok());
  CHECK(schemas.check_message(any, new_shape.data).is_ok());
  SchemaSettings latest{name, Encoding::kJson, second->revision_id, ""};
  CHECK_FALSE(schemas.check_message(latest, old_shape.data).is_ok());
  CHECK(schemas.check_settings(SchemaSettings{"projects/p/schemas/missing", Encoding::kJson, "", ""}).code() ==
        core::Code::kNotFound);
  CHECK(schemas.create(name, SchemaType::kAvro, "{}").status().code() == core::Code::kAlreadyExists);
}

}  // namespace pubsub_schema_test
