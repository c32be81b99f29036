// Specification of Gemini request parsing: the JSON mapping's and the API's own wording
// for malformed bodies, and what the domain reads from valid ones.
#include <catch2/catch.hpp>

#include "services/gemini/request.h"

namespace gemini_request_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::gemini;
using core::Code;

namespace {

core::Status generate_error(const std::string& body) {
  auto j = parse_body(body);
  if (!j.ok()) return j.status();
  return parse_generate(*j, "gemini-2.5-flash").status();
}

}  // namespace

TEST_CASE("invalid JSON is a 400 'Invalid JSON payload received.'") {
  auto s = generate_error("{\"contents\": [");
  REQUIRE(s.code() == Code::kInvalidArgument);
  REQUIRE(s.message().rfind("Invalid JSON payload received. Unexpected token.", 0) == 0);
  REQUIRE(generate_error("[1]").message() == "Invalid JSON payload received. Unknown name \"\": Root element must be a message.");
}

TEST_CASE("unknown names and wrong types are named with their proto path") {
  auto s = generate_error(R"({"contents":[{"parts":[{"text":"x"}]}],"foo":1,"generationConfig":{"temperature":"hot","bar":2}})");
  REQUIRE(s.code() == Code::kInvalidArgument);
  REQUIRE(s.message().find("Invalid JSON payload received. Unknown name \"foo\": Cannot find field.") != std::string::npos);
  REQUIRE(s.message().find("Invalid JSON payload received. Unknown name \"bar\" at 'generation_config': Cannot find field.") != std::string::npos);
  REQUIRE(s.message().find("Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"") != std::string::npos);
  REQUIRE(s.json_error_body().find("google.rpc.BadRequest") != std::string::npos);
  auto list = generate_error(R"({"contents":[{"parts":{"text":"x"}}]})");
  REQUIRE(list.message().find("Invalid value at 'contents[0].parts'") != std::string::npos);
  auto single = generate_error(R"({"contents":[{"role":["user"],"parts":[{"text":"x"}]}]})");
  REQUIRE(single.message() == "Invalid JSON payload received. Unknown name \"role\" at 'contents[0]': Proto field is not repeating, cannot start list.");
  auto bad_enum = generate_error(R"({"contents":[{"parts":[{"text":"x"}]}],"safetySettings":[{"category":"NOPE","threshold":"BLOCK_NONE"}]})");
  REQUIRE(bad_enum.message() == "Invalid value at 'safety_settings[0].category' (type.googleapis.com/google.ai.generativelanguage.v1beta.HarmCategory), \"NOPE\"");
}

TEST_CASE("malformed contents get the API's messages") {
  REQUIRE(generate_error("{}").message() == "* GenerateContentRequest.contents: contents is not specified\n");
  REQUIRE(generate_error(R"({"contents":[{"role":"user","parts":[]}]})").message() ==
          "* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n");
  REQUIRE(generate_error(R"({"contents":[{"parts":[{}]}]})").message() ==
          "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field\n");
  REQUIRE(generate_error(R"({"contents":[{"role":"bot","parts":[{"text":"x"}]}]})").message() == "Please use a valid role: user, model.");
  REQUIRE(generate_error(R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"image/png"}})")
              .message()
              .find("allowed mimetypes are") != std::string::npos);
}

TEST_CASE("a valid multimodal request: text for rules and events, images in the token count") {
  auto j = parse_body(R"({"systemInstruction":{"parts":[{"text":"Be brief"}]},
    "contents":[{"role":"user","parts":[{"text":"What is in"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},{"text":"this picture?"}]}]})");
  REQUIRE(j.ok());
  auto r = parse_generate(*j, "gemini-2.5-flash");
  REQUIRE(r.ok());
  REQUIRE(r->prompt_text() == "What is in\nthis picture?");
  REQUIRE(r->image_count() == 1);
  REQUIRE(r->prompt_tokens() == 3 + 3 + 258 + 2);
}

TEST_CASE("countTokens takes contents or a whole generateContentRequest") {
  auto a = parse_count_tokens(Json::parse(R"({"contents":[{"parts":[{"text":"one two three"}]}]})"), "gemini-2.5-flash");
  auto b = parse_count_tokens(Json::parse(R"({"generateContentRequest":{"model":"models/gemini-2.5-flash","contents":[{"parts":[{"text":"one two three"}]}]}})"), "gemini-2.5-flash");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(a->prompt_tokens() == 3);
  REQUIRE(b->prompt_tokens() == 3);
}

TEST_CASE("embedding requests: single and batch, with empty content refused") {
  auto one = parse_embed(Json::parse(R"({"content":{"parts":[{"text":"hello"}]},"outputDimensionality":64})"), "text-embedding-004", false);
  REQUIRE(one.ok());
  REQUIRE(one->at(0).output_dimensionality == 64);
  auto batch = parse_embed(Json::parse(R"({"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a"}]}},
      {"model":"models/text-embedding-004","content":{"parts":[]}}]})"), "text-embedding-004", true);
  REQUIRE(batch.status().message() == "* BatchEmbedContentsRequest.requests[1].content.parts: contents.parts must not be empty.\n");
}

}  // namespace gemini_request_test
