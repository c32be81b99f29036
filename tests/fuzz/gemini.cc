// Gemini request bodies and response schemas: the first byte picks the method
// (generateContent, countTokens, embedContent, batchEmbedContents), the rest is the body.
// A request's responseSchema and function parameters are checked and instantiated.
#include "core/ids.h"
#include "fuzz.h"
#include "services/gemini/request.h"
#include "services/gemini/schema.h"

using namespace gcpsim;
using namespace gcpsim::services::gemini;

GCPSIM_FUZZ_TARGET(gemini) {
  if (input.empty()) return;
  int which = static_cast<unsigned char>(input[0]) % 4;
  input.remove_prefix(1);
  auto body = parse_body(input);
  if (!body.ok()) return;
  const std::string model = "gemini-2.5-flash";
  if (which >= 2) {
    (void)parse_embed(*body, model, which == 3);
    return;
  }
  auto req = which == 0 ? parse_generate(*body, model) : parse_count_tokens(*body, model);
  if (!req.ok()) return;
  (void)req->prompt_text();
  (void)req->prompt_tokens();
  core::Rng rng(7);
  if (req->response_schema && check_schema(*req->response_schema, req->schema_dialect, "responseSchema").is_ok())
    (void)instance_of(*req->response_schema, req->schema_dialect, rng);
  for (const auto& f : req->functions)
    if (!f.parameters.is_null() && check_schema(f.parameters, f.dialect, "parameters").is_ok())
      (void)instance_of(f.parameters, f.dialect, rng);
}
