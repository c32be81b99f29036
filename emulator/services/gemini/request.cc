// Parses and validates generateContent, countTokens and embedding bodies.
#include "services/gemini/request.h"

#include <algorithm>

#include <google/ai/generativelanguage/v1beta/generative_service.pb.h>

#include "core/json_depth.h"
#include "services/gemini/json_shape.h"
#include "services/gemini/text.h"

namespace gcpsim::services::gemini {
namespace {

namespace v1beta = google::ai::generativelanguage::v1beta;

constexpr int kImageTokens = 258;  // what the API charges for an image up to 384 px
constexpr int kMaxCandidates = 8;

core::Status bad(const std::string& message) { return core::Status::invalid_argument(message); }

std::string str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json* find(const Json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

// int32 fields arrive as numbers or (proto3 JSON) numeric strings; the shape check ran first.
int int_value(const Json& j) {
  if (j.is_number()) return j.get<int>();
  try {
    return std::stoi(j.get<std::string>());
  } catch (const std::exception&) {
    return -1;
  }
}

bool base64_ok(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '-' || c == '_' || c == '=';
  });
}

core::StatusOr<Part> read_part(const Json& j, const std::string& where) {
  Part p;
  if (const auto* t = find(j, "text")) {
    p.text = t->get<std::string>();
  } else if (const auto* d = find(j, "inlineData")) {
    p.kind = Part::Kind::kInlineData;
    p.mime_type = str(*d, "mimeType");
    if (p.mime_type.empty()) return bad("* " + where + ".inline_data.mime_type: required field is not specified\n");
    std::string data = str(*d, "data");
    if (!base64_ok(data)) {
      return bad("Invalid value at '" + where.substr(where.find('.') + 1) + ".inline_data.data' (TYPE_BYTES), Base64 decoding failed for \"" +
                 data.substr(0, 40) + "\"");
    }
  } else if (const auto* f = find(j, "fileData")) {
    p.kind = Part::Kind::kFileData;
    p.mime_type = str(*f, "mimeType");
  } else if (const auto* c = find(j, "functionCall")) {
    p.kind = Part::Kind::kFunctionCall;
    p.name = str(*c, "name");
  } else if (const auto* r = find(j, "functionResponse")) {
    p.kind = Part::Kind::kFunctionResponse;
    p.name = str(*r, "name");
  } else if (find(j, "executableCode") || find(j, "codeExecutionResult")) {
    p.kind = Part::Kind::kOther;
  } else {
    return bad("* " + where + ".data: required oneof field 'data' must have one initialized field\n");
  }
  return p;
}

core::StatusOr<Content> read_content(const Json& j, const std::string& where, bool check_role) {
  Content c;
  c.role = str(j, "role");
  if (check_role && !c.role.empty() && c.role != "user" && c.role != "model" && c.role != "function") {
    return bad("Please use a valid role: user, model.");
  }
  const Json* parts = find(j, "parts");
  if (!parts || parts->empty()) return bad("* " + where + ".parts: contents.parts must not be empty.\n");
  for (size_t i = 0; i < parts->size(); ++i) {
    ASSIGN_OR_RETURN(auto p, read_part((*parts)[i], where + ".parts[" + std::to_string(i) + "]"));
    c.parts.push_back(std::move(p));
  }
  return c;
}

core::Status read_tools(const Json& body, GenerateRequest& r) {
  if (const auto* tools = find(body, "tools")) {
    for (const auto& tool : *tools) {
      const Json* decls = find(tool, "functionDeclarations");
      if (!decls) continue;
      for (const auto& d : *decls) {
        FunctionDecl f{str(d, "name"), Json(), SchemaDialect::kOpenApi};
        if (const auto* p = find(d, "parameters")) f.parameters = *p;
        if (const auto* p = find(d, "parametersJsonSchema")) {
          f.parameters = *p;
          f.dialect = SchemaDialect::kJsonSchema;
        }
        r.functions.push_back(std::move(f));
      }
    }
  }
  const Json* tc = find(body, "toolConfig");
  const Json* fc = tc ? find(*tc, "functionCallingConfig") : nullptr;
  if (fc) {
    if (std::string mode = str(*fc, "mode"); !mode.empty()) r.function_mode = mode;
    if (const auto* allowed = find(*fc, "allowedFunctionNames")) {
      for (const auto& n : *allowed) r.allowed_functions.push_back(n.get<std::string>());
    }
  }
  return core::Status::ok();
}

core::Status read_generation_config(const Json& gc, GenerateRequest& r) {
  if (std::string mime = str(gc, "responseMimeType"); !mime.empty()) r.response_mime_type = mime;
  static const std::vector<std::string> kMimes = {"text/plain", "application/json", "application/xml",
                                                  "application/yaml", "text/x.enum"};
  if (std::find(kMimes.begin(), kMimes.end(), r.response_mime_type) == kMimes.end()) {
    return bad("* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are `text/plain`, "
               "`application/json`, `application/xml`, `application/yaml` and `text/x.enum`.\n");
  }
  if (const auto* s = find(gc, "responseSchema")) {
    RETURN_IF_ERROR(check_schema(*s, SchemaDialect::kOpenApi, "generation_config.response_schema"));
    r.response_schema = *s;
  }
  for (const char* key : {"responseJsonSchema", "responseJsonSchemaOrdered"}) {
    if (const auto* s = find(gc, key)) {
      r.response_schema = *s;
      r.schema_dialect = SchemaDialect::kJsonSchema;
    }
  }
  if (const auto* n = find(gc, "candidateCount")) {
    r.candidate_count = int_value(*n);
    if (r.candidate_count < 1 || r.candidate_count > kMaxCandidates) {
      return bad("* GenerateContentRequest.generation_config.candidate_count: must be in the range [1, 8]\n");
    }
  }
  if (const auto* m = find(gc, "maxOutputTokens")) {
    r.max_output_tokens = int_value(*m);
  }
  return core::Status::ok();
}

core::StatusOr<GenerateRequest> read_generate(const Json& body, const std::string& model, const std::string& label,
                                              bool contents_required) {
  GenerateRequest r;
  r.model = model;
  r.canonical = body.dump();
  const Json* contents = find(body, "contents");
  if (contents_required && (!contents || contents->empty())) {
    return bad("* " + label + ".contents: contents is not specified\n");
  }
  for (size_t i = 0; contents && i < contents->size(); ++i) {
    ASSIGN_OR_RETURN(auto c, read_content((*contents)[i], label + ".contents[" + std::to_string(i) + "]", true));
    r.contents.push_back(std::move(c));
  }
  if (const auto* s = find(body, "systemInstruction")) {
    ASSIGN_OR_RETURN(auto c, read_content(*s, label + ".system_instruction", false));
    r.system = std::move(c.parts);
  }
  RETURN_IF_ERROR(read_tools(body, r));
  if (const auto* gc = find(body, "generationConfig")) RETURN_IF_ERROR(read_generation_config(*gc, r));
  return r;
}

}  // namespace

std::string GenerateRequest::prompt_text() const {
  std::string out;
  auto add = [&out](const Part& p) {
    if (p.kind != Part::Kind::kText || p.text.empty()) return;
    if (!out.empty()) out += "\n";
    out += p.text;
  };
  for (const auto& c : contents) std::for_each(c.parts.begin(), c.parts.end(), add);
  return out;
}

int GenerateRequest::image_count() const {
  int n = 0;
  for (const auto& c : contents) {
    for (const auto& p : c.parts) n += p.kind == Part::Kind::kInlineData || p.kind == Part::Kind::kFileData;
  }
  return n;
}

int GenerateRequest::prompt_tokens() const {
  int tokens = count_tokens(prompt_text()) + image_count() * kImageTokens;
  for (const auto& p : system) tokens += count_tokens(p.text);
  return tokens;
}

bool GenerateRequest::ends_with_function_response() const {
  return !contents.empty() && !contents.back().parts.empty() &&
         contents.back().parts.back().kind == Part::Kind::kFunctionResponse;
}

core::StatusOr<Json> parse_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Json::object();
  if (!core::json_depth_within(body))
    return bad("Invalid JSON payload received. Nested deeper than " + std::to_string(core::kMaxJsonDepth) + " levels.");
  try {
    Json j = Json::parse(body);
    if (!j.is_object()) return bad("Invalid JSON payload received. Unknown name \"\": Root element must be a message.");
    return j;
  } catch (const Json::parse_error& e) {
    size_t at = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, body.size());
    size_t from = at > 40 ? at - 40 : 0;
    std::string snippet(body.substr(from, std::min<size_t>(80, body.size() - from)));
    std::replace(snippet.begin(), snippet.end(), '\n', ' ');
    return bad("Invalid JSON payload received. Unexpected token.\n" + snippet + "\n" + std::string(at - from, ' ') + "^");
  }
}

core::StatusOr<GenerateRequest> parse_generate(const Json& body, const std::string& model) {
  RETURN_IF_ERROR(check_json_shape(body, v1beta::GenerateContentRequest::descriptor()));
  return read_generate(body, model, "GenerateContentRequest", true);
}

core::StatusOr<GenerateRequest> parse_count_tokens(const Json& body, const std::string& model) {
  RETURN_IF_ERROR(check_json_shape(body, v1beta::CountTokensRequest::descriptor()));
  if (const auto* inner = find(body, "generateContentRequest")) {
    return read_generate(*inner, model, "CountTokensRequest.generate_content_request", true);
  }
  return read_generate(body, model, "CountTokensRequest", false);
}

core::StatusOr<std::vector<EmbedRequest>> parse_embed(const Json& body, const std::string& model, bool batch) {
  const auto* type = batch ? v1beta::BatchEmbedContentsRequest::descriptor() : v1beta::EmbedContentRequest::descriptor();
  RETURN_IF_ERROR(check_json_shape(body, type));
  std::vector<std::pair<const Json*, std::string>> items;
  if (batch) {
    const Json* requests = find(body, "requests");
    if (!requests || requests->empty()) return bad("* BatchEmbedContentsRequest.requests: requests is not specified\n");
    for (size_t i = 0; i < requests->size(); ++i) {
      items.emplace_back(&(*requests)[i], "BatchEmbedContentsRequest.requests[" + std::to_string(i) + "]");
    }
  } else {
    items.emplace_back(&body, "EmbedContentRequest");
  }
  std::vector<EmbedRequest> out;
  for (const auto& [j, label] : items) {
    const Json* content = find(*j, "content");
    if (!content) return bad("* " + label + ".content: content is not specified\n");
    ASSIGN_OR_RETURN(auto c, read_content(*content, label + ".content", false));
    EmbedRequest e{model, "", str(*j, "taskType"), std::nullopt};
    for (const auto& p : c.parts) e.text += (e.text.empty() ? "" : "\n") + p.text;
    if (const auto* d = find(*j, "outputDimensionality")) e.output_dimensionality = int_value(*d);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace gcpsim::services::gemini
