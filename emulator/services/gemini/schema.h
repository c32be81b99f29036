// Schema-conforming values: what a model returns for responseSchema (the OpenAPI subset,
// types in capitals) or responseJsonSchema (JSON Schema), and function-call arguments.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/status.h"

namespace gcpsim::services::gemini {

using Json = nlohmann::ordered_json;

enum class SchemaDialect { kOpenApi, kJsonSchema };

// The checks the API applies beyond the JSON mapping (an ARRAY needs items, an OBJECT
// needs properties). `field` is the request path used in the message.
core::Status check_schema(const Json& schema, SchemaDialect dialect, const std::string& field);

// A valid instance of the schema: every property present, enums and formats honoured,
// numbers and lengths within their bounds, $ref and anyOf resolved. Deterministic in rng.
Json instance_of(const Json& schema, SchemaDialect dialect, core::Rng& rng);

}  // namespace gcpsim::services::gemini
