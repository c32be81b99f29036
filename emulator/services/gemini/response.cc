// GenerateContentResponse and friends in the REST API's JSON.
#include "services/gemini/response.h"

#include <cstdio>
#include <cstdlib>

#include "services/gemini/text.h"

namespace gcpsim::services::gemini {
namespace {

constexpr int kWordsPerChunk = 12;

const char* const kCategories[] = {"HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_HATE_SPEECH",
                                   "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_DANGEROUS_CONTENT"};

// Everything NEGLIGIBLE; a SAFETY block marks the dangerous-content category HIGH and blocked.
Json safety_ratings(bool blocked) {
  Json list = Json::array();
  for (const char* c : kCategories) {
    Json r = {{"category", c}, {"probability", "NEGLIGIBLE"}};
    if (blocked && std::string(c) == "HARM_CATEGORY_DANGEROUS_CONTENT") {
      r["probability"] = "HIGH";
      r["blocked"] = true;
    }
    list.push_back(std::move(r));
  }
  return list;
}

Json part_json(const OutPart& p) {
  if (p.function_call) return {{"functionCall", {{"name", p.function_name}, {"args", p.args}}}};
  return {{"text", p.text}};
}

Json usage_json(const Usage& u, bool final) {
  Json j = {{"promptTokenCount", u.prompt_tokens}};
  if (final) j["candidatesTokenCount"] = u.candidate_tokens;
  j["totalTokenCount"] = final ? u.total() : u.prompt_tokens;
  Json details = Json::array();
  details.push_back({{"modality", "TEXT"}, {"tokenCount", u.prompt_tokens - u.image_tokens}});
  if (u.image_tokens > 0) details.push_back({{"modality", "IMAGE"}, {"tokenCount", u.image_tokens}});
  j["promptTokensDetails"] = std::move(details);
  return j;
}

Json candidate_json(const Candidate& c, size_t index, std::vector<OutPart> parts, bool final) {
  Json j = Json::object();
  if (!parts.empty()) {
    Json list = Json::array();
    for (const auto& p : parts) list.push_back(part_json(p));
    j["content"] = {{"parts", std::move(list)}, {"role", "model"}};
  }
  if (final) {
    j["finishReason"] = c.finish_reason;
    j["safetyRatings"] = safety_ratings(c.blocked);
  }
  j["index"] = index;
  return j;
}

Json envelope(const Generation& g, Json candidates, bool final) {
  Json j = Json::object();
  if (!g.prompt_block.empty()) {
    j["promptFeedback"] = {{"blockReason", g.prompt_block}, {"safetyRatings", safety_ratings(true)}};
  } else {
    j["candidates"] = std::move(candidates);
  }
  j["usageMetadata"] = usage_json(g.usage, final);
  j["modelVersion"] = g.model_version;
  j["responseId"] = g.response_id;
  return j;
}

}  // namespace

Json generation_json(const Generation& g) {
  Json candidates = Json::array();
  for (size_t i = 0; i < g.candidates.size(); ++i) {
    candidates.push_back(candidate_json(g.candidates[i], i, g.candidates[i].parts, true));
  }
  return envelope(g, std::move(candidates), true);
}

std::vector<Json> stream_chunks(const Generation& g) {
  std::vector<Json> chunks;
  for (size_t i = 0; i < g.candidates.size(); ++i) {
    const Candidate& c = g.candidates[i];
    std::vector<std::vector<OutPart>> pieces;
    for (const auto& p : c.parts) {
      if (p.function_call) {
        pieces.push_back({p});
        continue;
      }
      for (auto& t : chunk_text(p.text, kWordsPerChunk)) pieces.push_back({OutPart{std::move(t), false, "", Json()}});
    }
    if (pieces.empty()) pieces.emplace_back();
    for (size_t k = 0; k < pieces.size(); ++k) {
      bool last = i + 1 == g.candidates.size() && k + 1 == pieces.size();
      bool candidate_done = k + 1 == pieces.size();
      Json list = Json::array();
      list.push_back(candidate_json(c, i, pieces[k], candidate_done));
      chunks.push_back(envelope(g, std::move(list), last));
    }
  }
  if (chunks.empty()) chunks.push_back(envelope(g, Json::array(), true));
  return chunks;
}

Json model_json(const ModelInfo& m) {
  Json j = {{"name", "models/" + m.id},
            {"version", m.version},
            {"displayName", m.display_name},
            {"description", m.description},
            {"inputTokenLimit", m.input_token_limit},
            {"outputTokenLimit", m.output_token_limit},
            {"supportedGenerationMethods", m.methods}};
  if (m.generative()) {
    j["temperature"] = m.temperature;
    j["topP"] = m.top_p;
    j["topK"] = m.top_k;
    j["maxTemperature"] = m.max_temperature;
    if (m.thinking) j["thinking"] = true;
  }
  return j;
}

Json token_count_json(const TokenCount& t) {
  Json details = Json::array();
  details.push_back({{"modality", "TEXT"}, {"tokenCount", t.text}});
  if (t.image > 0) details.push_back({{"modality", "IMAGE"}, {"tokenCount", t.image}});
  return {{"totalTokens", t.total}, {"promptTokensDetails", std::move(details)}};
}

// Nine significant digits, as the API prints embedding components (a float's precision).
Json embedding_json(const std::vector<float>& values) {
  Json list = Json::array();
  for (float v : values) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    list.push_back(std::strtod(buf, nullptr));
  }
  return {{"values", std::move(list)}};
}

}  // namespace gcpsim::services::gemini
