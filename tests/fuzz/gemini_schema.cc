// Gemini response schemas alone: the first byte picks OpenAPI (responseSchema) or JSON
// Schema (responseJsonSchema), the rest is the schema, checked and, when accepted, turned
// into a conforming instance as a JSON response would be.
#include "core/ids.h"
#include "fuzz.h"
#include "services/gemini/schema.h"

using namespace gcpsim;
using namespace gcpsim::services::gemini;

GCPSIM_FUZZ_TARGET(gemini_schema) {
  if (input.empty()) return;
  auto dialect = (input[0] & 1) ? SchemaDialect::kJsonSchema : SchemaDialect::kOpenApi;
  input.remove_prefix(1);
  auto schema = Json::parse(input, nullptr, false);
  if (schema.is_discarded() || !check_schema(schema, dialect, "responseSchema").is_ok()) return;
  core::Rng rng(11);
  (void)instance_of(schema, dialect, rng).dump();
}
