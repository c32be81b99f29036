// Renders the domain's answers as the REST API's JSON: GenerateContentResponse (whole and
// as stream chunks), Model, CountTokensResponse and embeddings.
#pragma once
#include <string>
#include <vector>

#include "services/gemini/domain.h"

namespace gcpsim::services::gemini {

Json generation_json(const Generation& g);
// The same answer split the way the API streams it: text in pieces of a few words, the
// finish reason and full usage on the last chunk. Concatenated texts equal the whole.
std::vector<Json> stream_chunks(const Generation& g);
Json model_json(const ModelInfo& m);
Json token_count_json(const TokenCount& t);
Json embedding_json(const std::vector<float>& values);

}  // namespace gcpsim::services::gemini
