// Gemini requests as the domain sees them, parsed and checked from the REST body with
// the API's own error wording.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "services/gemini/schema.h"

namespace gcpsim::services::gemini {

struct Part {
  enum class Kind { kText, kInlineData, kFileData, kFunctionCall, kFunctionResponse, kOther };
  Kind kind = Kind::kText;
  std::string text;       // kText
  std::string mime_type;  // kInlineData, kFileData
  std::string name;       // kFunctionCall, kFunctionResponse
};

struct Content {
  std::string role;  // "user", "model" or empty
  std::vector<Part> parts;
};

struct FunctionDecl {
  std::string name;
  Json parameters;  // null when the function takes none
  SchemaDialect dialect = SchemaDialect::kOpenApi;
};

struct GenerateRequest {
  std::string model;                      // "gemini-2.5-flash"
  std::vector<Content> contents;
  std::vector<Part> system;               // systemInstruction parts
  std::vector<FunctionDecl> functions;
  std::string function_mode = "AUTO";     // toolConfig.functionCallingConfig.mode
  std::vector<std::string> allowed_functions;
  std::string response_mime_type = "text/plain";
  std::optional<Json> response_schema;
  SchemaDialect schema_dialect = SchemaDialect::kOpenApi;
  int candidate_count = 1;
  std::optional<int> max_output_tokens;
  std::string canonical;                  // the body re-serialized: the determinism key

  // Every text part of every turn, joined by newlines: what rules match and events record.
  std::string prompt_text() const;
  int image_count() const;
  int prompt_tokens() const;
  bool ends_with_function_response() const;
};

struct EmbedRequest {
  std::string model;
  std::string text;
  std::string task_type;
  std::optional<int> output_dimensionality;
};

// The body as JSON; a syntax error is Google's "Invalid JSON payload received." 400.
core::StatusOr<Json> parse_body(std::string_view body);

core::StatusOr<GenerateRequest> parse_generate(const Json& body, const std::string& model);
// countTokens takes {contents} or {generateContentRequest}.
core::StatusOr<GenerateRequest> parse_count_tokens(const Json& body, const std::string& model);
// embedContent's single request, or every request of batchEmbedContents.
core::StatusOr<std::vector<EmbedRequest>> parse_embed(const Json& body, const std::string& model, bool batch);

}  // namespace gcpsim::services::gemini
