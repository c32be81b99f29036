// The model catalogue: current Gemini and embedding models with their published limits.
#include "services/gemini/models.h"

#include <algorithm>

namespace gcpsim::services::gemini {
namespace {

const std::vector<std::string> kChatMethods = {"generateContent", "countTokens", "createCachedContent",
                                               "batchGenerateContent"};
const std::vector<std::string> kEmbedMethods = {"embedContent", "countTextTokens", "countTokens",
                                                "asyncBatchEmbedContent"};

ModelInfo chat(std::string id, std::string version, std::string display, std::string description,
               int output_limit, bool thinking) {
  ModelInfo m;
  m.id = std::move(id);
  m.version = std::move(version);
  m.display_name = std::move(display);
  m.description = std::move(description);
  m.input_token_limit = 1048576;
  m.output_token_limit = output_limit;
  m.methods = kChatMethods;
  m.thinking = thinking;
  if (!thinking) m.top_k = 40;
  return m;
}

ModelInfo embedding(std::string id, std::string version, std::string display, int dims) {
  ModelInfo m;
  m.id = std::move(id);
  m.version = std::move(version);
  m.display_name = std::move(display);
  m.description = "Obtain a distributed representation of a text.";
  m.input_token_limit = 2048;
  m.output_token_limit = 1;
  m.methods = kEmbedMethods;
  m.embedding_dimensions = dims;
  return m;
}

std::vector<ModelInfo> build() {
  return {
      chat("gemini-2.5-pro", "2.5", "Gemini 2.5 Pro", "Stable release (June 17th, 2025) of Gemini 2.5 Pro", 65536, true),
      chat("gemini-2.5-flash", "001", "Gemini 2.5 Flash",
           "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up to 1 million tokens, released in June of 2025.",
           65536, true),
      chat("gemini-2.5-flash-lite", "001", "Gemini 2.5 Flash-Lite",
           "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025", 65536, true),
      chat("gemini-2.0-flash", "2.0", "Gemini 2.0 Flash", "Gemini 2.0 Flash", 8192, false),
      chat("gemini-2.0-flash-001", "2.0", "Gemini 2.0 Flash 001",
           "Stable version of Gemini 2.0 Flash, our fast and versatile multimodal model for scaling across diverse tasks, released in January of 2025.",
           8192, false),
      chat("gemini-2.0-flash-lite", "2.0", "Gemini 2.0 Flash-Lite", "Gemini 2.0 Flash-Lite", 8192, false),
      chat("gemini-flash-latest", "Gemini Flash Latest", "Gemini Flash Latest",
           "Latest release of Gemini Flash", 65536, true),
      chat("gemini-flash-lite-latest", "Gemini Flash-Lite Latest", "Gemini Flash-Lite Latest",
           "Latest release of Gemini Flash-Lite", 65536, true),
      chat("gemini-pro-latest", "Gemini Pro Latest", "Gemini Pro Latest", "Latest release of Gemini Pro", 65536, true),
      embedding("gemini-embedding-001", "001", "Gemini Embedding 001", 3072),
      embedding("text-embedding-004", "004", "Text Embedding 004", 768),
      embedding("embedding-001", "001", "Embedding 001", 768),
  };
}

}  // namespace

bool ModelInfo::supports(std::string_view method) const {
  return std::find(methods.begin(), methods.end(), method) != methods.end();
}

const std::vector<ModelInfo>& model_catalogue() {
  static const std::vector<ModelInfo> catalogue = build();
  return catalogue;
}

const ModelInfo* find_model(std::string_view name) {
  if (name.rfind("models/", 0) == 0) name.remove_prefix(7);
  for (const auto& m : model_catalogue()) {
    if (m.id == name) return &m;
  }
  return nullptr;
}

}  // namespace gcpsim::services::gemini
