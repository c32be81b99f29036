// The Gemini model catalogue gcpsim serves: names, limits and methods as the real
// models.list answers them.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gcpsim::services::gemini {

struct ModelInfo {
  std::string id;              // "gemini-2.5-flash" (the resource name is "models/" + id)
  std::string version;         // "001"
  std::string display_name;
  std::string description;
  int input_token_limit = 0;
  int output_token_limit = 0;
  std::vector<std::string> methods;  // supportedGenerationMethods
  double temperature = 1, top_p = 0.95, max_temperature = 2;
  int top_k = 64;
  bool thinking = false;
  int embedding_dimensions = 0;  // > 0 for embedding models
  bool generative() const { return embedding_dimensions == 0; }
  bool supports(std::string_view method) const;
};

const std::vector<ModelInfo>& model_catalogue();
// Accepts "gemini-2.5-flash" or "models/gemini-2.5-flash"; nullptr when unknown.
const ModelInfo* find_model(std::string_view name);

}  // namespace gcpsim::services::gemini
