// Specification of the Gemini stub's domain: deterministic defaults, schema-valid JSON,
// function calls, scripted rules by call number, and the API's error wording.
#include <catch2/catch.hpp>

#include "core/stack.h"
#include "services/gemini/config.h"
#include "services/gemini/domain.h"
#include "services/gemini/response.h"
#include "services/gemini/text.h"

namespace gemini_domain_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::gemini;
using core::Code;
using namespace std::chrono_literals;

namespace {

GenerateRequest request(const std::string& body_json, const std::string& model = "gemini-2.5-flash") {
  auto r = parse_generate(Json::parse(body_json), model);
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  return std::move(r).value();
}

GenerateRequest prompt(const std::string& text) {
  return request(Json{{"contents", {{{"role", "user"}, {"parts", {{{"text", text}}}}}}}}.dump());
}

Generation generate(Gemini& g, const GenerateRequest& r) {
  auto out = g.generate(r, "generateContent");
  INFO(out.result.status().to_string());
  REQUIRE(out.result.ok());
  return std::move(out.result).value();
}

std::string text_of(const Generation& g) { return g.candidates.at(0).parts.at(0).text; }

Rule rule(const std::string& json) {
  auto r = rule_from_json(nlohmann::json::parse(json));
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace

TEST_CASE("the same request and seed give byte-identical responses") {
  Gemini a(42, {}), b(42, {});
  auto r = prompt("Write a haiku about the sea");
  auto first = generation_json(generate(a, r)).dump();
  generate(a, prompt("something else in between"));
  REQUIRE(generation_json(generate(a, r)).dump() == first);
  REQUIRE(generation_json(generate(b, r)).dump() == first);
}

TEST_CASE("a different seed or prompt gives a different answer") {
  Gemini a(42, {}), b(43, {});
  auto r = prompt("Write a haiku about the sea");
  REQUIRE(text_of(generate(a, r)) != text_of(generate(b, r)));
  REQUIRE(text_of(generate(a, r)) != text_of(generate(a, prompt("Write a haiku about the sky"))));
}

TEST_CASE("the default answer opens on the prompt's subject and fills usage and finish reason") {
  Gemini g(1, {});
  auto gen = generate(g, prompt("Summarize the quarterly report"));
  REQUIRE(text_of(gen).rfind("Here is a response about \"Summarize the quarterly report\".", 0) == 0);
  REQUIRE(gen.candidates[0].finish_reason == "STOP");
  REQUIRE(gen.usage.prompt_tokens == count_tokens("Summarize the quarterly report"));
  REQUIRE(gen.usage.candidate_tokens == count_tokens(text_of(gen)));
  auto j = generation_json(gen);
  REQUIRE(j["usageMetadata"]["totalTokenCount"] == gen.usage.total());
  REQUIRE(j["candidates"][0]["safetyRatings"].size() == 4);
  REQUIRE(j["modelVersion"] == "gemini-2.5-flash");
}

TEST_CASE("maxOutputTokens cuts the text and reports MAX_TOKENS") {
  Gemini g(1, {});
  auto gen = generate(g, request(R"({"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":3}})"));
  REQUIRE(count_tokens(text_of(gen)) <= 3);
  REQUIRE(gen.candidates[0].finish_reason == "MAX_TOKENS");
}

TEST_CASE("JSON mode returns an instance of responseSchema") {
  Gemini g(5, {});
  auto gen = generate(g, request(R"({"contents":[{"parts":[{"text":"plan"}]}],"generationConfig":{
    "responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{
      "title":{"type":"STRING"},"priority":{"type":"STRING","enum":["low","high"]},
      "score":{"type":"NUMBER","minimum":1,"maximum":2},"count":{"type":"INTEGER","minimum":3,"maximum":3},
      "done":{"type":"BOOLEAN"},
      "steps":{"type":"ARRAY","minItems":"2","maxItems":"2","items":{"type":"OBJECT","properties":{"n":{"type":"INTEGER"}},"required":["n"]}}},
      "required":["title"]}}})"));
  auto v = Json::parse(text_of(gen));
  REQUIRE(v["title"].is_string());
  REQUIRE((v["priority"] == "low" || v["priority"] == "high"));
  REQUIRE(v["score"].get<double>() >= 1);
  REQUIRE(v["score"].get<double>() <= 2);
  REQUIRE(v["count"] == 3);
  REQUIRE(v["done"].is_boolean());
  REQUIRE(v["steps"].size() == 2);
  REQUIRE(v["steps"][0]["n"].is_number_integer());
  // Without propertyOrdering the API emits properties alphabetically.
  std::vector<std::string> keys;
  for (const auto& [k, _] : v.items()) keys.push_back(k);
  REQUIRE(keys == std::vector<std::string>{"count", "done", "priority", "score", "steps", "title"});
}

TEST_CASE("responseJsonSchema: $ref, anyOf, nullable types and key order are honoured") {
  core::Rng rng(9);
  Json schema = Json::parse(R"({"type":"object","properties":{
      "zeta":{"type":["string","null"],"format":"date-time"},
      "alpha":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/Tag"}]},
      "list":{"type":"array","items":{"$ref":"#/$defs/Tag"},"minItems":1}},
    "required":["zeta","alpha","list"],
    "$defs":{"Tag":{"type":"object","properties":{"name":{"type":"string","minLength":5,"maxLength":8}},"required":["name"]}}})");
  Json v = instance_of(schema, SchemaDialect::kJsonSchema, rng);
  REQUIRE(v.begin().key() == "zeta");
  REQUIRE(core::parse_rfc3339(v["zeta"].get<std::string>()).has_value());
  auto name = v["alpha"]["name"].get<std::string>();
  REQUIRE(name.size() >= 5);
  REQUIRE(name.size() <= 8);
  REQUIRE(v["list"].size() >= 1);
}

TEST_CASE("an OBJECT schema without properties is refused as the API refuses it") {
  auto r = parse_generate(Json::parse(R"({"contents":[{"parts":[{"text":"x"}]}],
      "generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT"}}})"), "gemini-2.5-flash");
  REQUIRE(r.status().code() == Code::kInvalidArgument);
  REQUIRE(r.status().message() ==
          "* GenerateContentRequest.generation_config.response_schema.properties: should be non-empty for OBJECT type\n");
}

TEST_CASE("mode ANY calls a declared function with schema-valid arguments, a function response gets text") {
  Gemini g(3, {});
  std::string tools = R"("tools":[{"functionDeclarations":[{"name":"get_weather","description":"w",
      "parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING"},"days":{"type":"INTEGER","minimum":1,"maximum":5}},"required":["city"]}}]}],
      "toolConfig":{"functionCallingConfig":{"mode":"ANY"}})";
  auto call = generate(g, request(R"({"contents":[{"role":"user","parts":[{"text":"weather in Paris?"}]}],)" + tools + "}"));
  const auto& part = call.candidates[0].parts[0];
  REQUIRE(part.function_call);
  REQUIRE(part.function_name == "get_weather");
  REQUIRE(part.args["city"].is_string());
  REQUIRE(part.args["days"].get<int>() >= 1);
  auto answer = generate(g, request(R"({"contents":[{"role":"user","parts":[{"text":"weather in Paris?"}]},
      {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},
      {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":20}}}]}],)" + tools + "}"));
  REQUIRE_FALSE(answer.candidates[0].parts[0].function_call);
}

TEST_CASE("rules match model and prompt regex, and count calls with after and count") {
  Gemini g(1, {});
  g.rules().add(rule(R"({"match":{"prompt":"(?i)summar"},"reply":{"error":"RESOURCE_EXHAUSTED","retryDelay":"7s"},"count":1})"));
  g.rules().add(rule(R"({"match":{"model":"gemini-2.5-flash","prompt":"(?i)summar"},"reply":{"json":{"summary":"Short"}}})"));
  g.rules().add(rule(R"({"match":{"prompt":"second"},"reply":{"text":"the second call"},"after":1})"));

  auto first = g.generate(prompt("Please SUMMARIZE this"), "generateContent");
  REQUIRE(first.result.status().code() == Code::kResourceExhausted);
  REQUIRE(first.result.status().json_error_body().find("\"retryDelay\":\"7s\"") != std::string::npos);
  REQUIRE(text_of(generate(g, prompt("Please summarize this"))) == R"({"summary":"Short"})");

  REQUIRE(text_of(generate(g, prompt("second"))) != "the second call");
  REQUIRE(text_of(generate(g, prompt("second"))) == "the second call");
  REQUIRE(g.rules().rules()[2].seen == 2);
}

TEST_CASE("rules reply with function calls, blocks, delays and the API's error wording") {
  Gemini g(1, {});
  g.rules().add(rule(R"({"match":{"prompt":"tool"},"reply":{"functionCall":{"name":"lookup","args":{"id":7}}}})"));
  g.rules().add(rule(R"({"match":{"prompt":"unsafe"},"reply":{"block":"SAFETY"}})"));
  g.rules().add(rule(R"({"match":{"prompt":"bad prompt"},"reply":{"block":"PROHIBITED_CONTENT","blockPrompt":true}})"));
  g.rules().add(rule(R"({"match":{"prompt":"slow"},"reply":{"text":"late","delay":"2s"}})"));
  g.rules().add(rule(R"({"match":{"prompt":"overloaded"},"reply":{"error":"UNAVAILABLE"}})"));

  auto tool = generate(g, prompt("use the tool"));
  REQUIRE(tool.candidates[0].parts[0].args == Json{{"id", 7}});
  auto blocked = generation_json(generate(g, prompt("unsafe stuff")));
  REQUIRE(blocked["candidates"][0]["finishReason"] == "SAFETY");
  REQUIRE_FALSE(blocked["candidates"][0].contains("content"));
  auto prompt_blocked = generation_json(generate(g, prompt("bad prompt")));
  REQUIRE(prompt_blocked["promptFeedback"]["blockReason"] == "PROHIBITED_CONTENT");
  REQUIRE_FALSE(prompt_blocked.contains("candidates"));
  REQUIRE(g.generate(prompt("slow"), "streamGenerateContent").delay == 2s);
  auto busy = g.generate(prompt("overloaded"), "generateContent").result.status();
  REQUIRE(busy.message() == "The model is overloaded. Please try again later.");
}

TEST_CASE("stack-file rules become rules") {
  GeminiRule s;
  s.match.model = "gemini-2.5-flash";
  s.match.prompt = "summar";
  s.match.prompt_ignore_case = true;
  s.reply.kind = GeminiReply::Kind::kJson;
  s.reply.json = R"({"category":"work"})";
  Gemini g(1, {rule_from_stack(s)});
  REQUIRE(text_of(generate(g, prompt("SUMMARY please"))) == R"({"category":"work"})");
}

TEST_CASE("unknown models and methods are NOT_FOUND in the API's words") {
  auto m = Gemini::model("gemini-9", "generateContent", "v1beta");
  REQUIRE(m.status().code() == Code::kNotFound);
  REQUIRE(m.status().message().rfind("models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.", 0) == 0);
  REQUIRE(Gemini::model("text-embedding-004", "generateContent", "v1beta").status().code() == Code::kNotFound);
  REQUIRE(Gemini::model("text-embedding-004", "embedContent", "v1beta").ok());
}

TEST_CASE("streaming chunks concatenate to the whole answer, the last carries finish and usage") {
  Gemini g(11, {});
  auto gen = generate(g, prompt("Tell me a long story about a lighthouse keeper and the storm"));
  auto chunks = stream_chunks(gen);
  REQUIRE(chunks.size() > 1);
  std::string joined;
  for (const auto& c : chunks) joined += c["candidates"][0]["content"]["parts"][0]["text"].get<std::string>();
  REQUIRE(joined == text_of(gen));
  REQUIRE_FALSE(chunks.front()["candidates"][0].contains("finishReason"));
  REQUIRE(chunks.back()["candidates"][0]["finishReason"] == "STOP");
  REQUIRE(chunks.back()["usageMetadata"]["candidatesTokenCount"] == gen.usage.candidate_tokens);
}

TEST_CASE("embeddings are deterministic unit vectors, shared words bring texts closer") {
  Gemini g(1, {});
  auto embed = [&](std::string text, std::optional<int> dims = std::nullopt) {
    auto out = g.embed({EmbedRequest{"text-embedding-004", std::move(text), "", dims}}, "embedContent");
    REQUIRE(out.result.ok());
    return out.result->at(0);
  };
  auto a = embed("the cat sat on the mat"), b = embed("the cat sat on the mat");
  REQUIRE(a == b);
  REQUIRE(a.size() == 768);
  auto dot = [](const std::vector<float>& x, const std::vector<float>& y) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s;
  };
  REQUIRE(dot(a, a) == Approx(1.0).epsilon(1e-5));
  REQUIRE(dot(a, embed("a cat on a mat")) > dot(a, embed("quarterly revenue forecast")));
  REQUIRE(embed("x", 16).size() == 16);
  auto too_big = g.embed({EmbedRequest{"text-embedding-004", "x", "", 4000}}, "embedContent");
  REQUIRE(too_big.result.status().code() == Code::kInvalidArgument);
}

}  // namespace gemini_domain_test
