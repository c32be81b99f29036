// Handlers: objects.list/get/patch/update/delete, compose, copy and rewrite.
#include "core/env.h"
#include "services/storage/api.h"
#include "services/storage/errors.h"
#include "services/storage/limits.h"

namespace gcpsim::services::storage {
namespace {

core::StatusOr<ObjectRef> object_ref(const HttpRequest& req, const std::string& bucket_param = "bucket",
                                     const std::string& object_param = "object",
                                     const std::string& generation_param = "generation") {
  ObjectRef ref{req.param(bucket_param), req.param(object_param), std::nullopt};
  ASSIGN_OR_RETURN(ref.generation, int_param(req, generation_param));
  return ref;
}

Answer change_object(Storage& storage, const core::Env& env, HttpRequest& req, Merge merge) {
  ASSIGN_OR_RETURN(auto ref, object_ref(req));
  ASSIGN_OR_RETURN(auto pre, preconditions_of(req));
  ASSIGN_OR_RETURN(auto body, parse_body(req.body));
  ASSIGN_OR_RETURN(auto current, storage.get_object(ref));
  ASSIGN_OR_RETURN(auto meta, apply_object(body, current.meta, merge));
  ref.generation = current.generation;
  ASSIGN_OR_RETURN(auto o, storage.update_object(ref, std::move(meta), pre));
  return json_answer(req, object_json(o, links_of(req, env)));
}

// The destination of compose, copy and rewrite: path names, query preconditions and the
// body's metadata (for copy and rewrite, only when the body has some).
core::StatusOr<ObjectWrite> destination(const HttpRequest& req, const Json& meta_body) {
  ObjectWrite w;
  w.bucket = req.param("bucket");
  w.name = req.param("object");
  ASSIGN_OR_RETURN(w.pre, preconditions_of(req));
  ASSIGN_OR_RETURN(w.meta, apply_object(meta_body, ObjectMeta{}, Merge::kReplace));
  if (auto cls = req.query_param("destinationStorageClass")) w.meta.storage_class = *cls;
  return w;
}

core::StatusOr<std::vector<ComposeSource>> compose_sources(const Json& body) {
  if (!body.contains("sourceObjects") || !body["sourceObjects"].is_array())
    return errors::required("Required: sourceObjects");
  std::vector<ComposeSource> out;
  for (const auto& s : body["sourceObjects"]) {
    if (!s.is_object() || !s.contains("name") || !s["name"].is_string())
      return errors::required("Required: sourceObjects.name");
    ComposeSource c{s["name"].get<std::string>(), std::nullopt, std::nullopt};
    auto number = [](const Json& v) -> std::optional<int64_t> {
      if (v.is_number_integer()) return v.get<int64_t>();
      if (v.is_string()) return std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
      return std::nullopt;
    };
    if (s.contains("generation")) c.generation = number(s["generation"]);
    if (s.contains("objectPreconditions") && s["objectPreconditions"].contains("ifGenerationMatch"))
      c.if_generation_match = number(s["objectPreconditions"]["ifGenerationMatch"]);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

Answer Api::list_objects(HttpRequest& req) {
  ListQuery q;
  q.prefix = req.query_param("prefix").value_or("");
  q.delimiter = req.query_param("delimiter").value_or("");
  q.start_offset = req.query_param("startOffset").value_or("");
  q.end_offset = req.query_param("endOffset").value_or("");
  q.match_glob = req.query_param("matchGlob").value_or("");
  q.versions = bool_param(req, "versions");
  q.include_trailing_delimiter = bool_param(req, "includeTrailingDelimiter");
  q.page_token = req.query_param("pageToken").value_or("");
  ASSIGN_OR_RETURN(auto max, int_param(req, "maxResults"));
  if (max && *max < 0) return errors::invalid("Invalid argument for parameter maxResults.");
  q.max_results = max ? size_t(*max) : limits::kDefaultListResults;
  ASSIGN_OR_RETURN(auto page, storage_.list_objects(req.param("bucket"), q));
  auto links = links_of(req, env_);
  Json body = {{"kind", "storage#objects"}};
  if (!page.next_page_token.empty()) body["nextPageToken"] = page.next_page_token;
  if (!page.prefixes.empty()) body["prefixes"] = page.prefixes;
  if (!page.items.empty()) {
    body["items"] = Json::array();
    for (const auto& o : page.items) body["items"].push_back(object_json(o, links));
  }
  return json_answer(req, body);
}

Answer Api::get_object(HttpRequest& req) {
  ASSIGN_OR_RETURN(auto ref, object_ref(req));
  ASSIGN_OR_RETURN(auto pre, preconditions_of(req));
  ASSIGN_OR_RETURN(auto o, storage_.get_object(ref, pre));
  if (req.query_param("alt").value_or("json") == "media") return media(o, req);
  return json_answer(req, object_json(o, links_of(req, env_)));
}

Answer Api::patch_object(HttpRequest& req) { return change_object(storage_, env_, req, Merge::kPatch); }
Answer Api::update_object(HttpRequest& req) { return change_object(storage_, env_, req, Merge::kReplace); }

Answer Api::delete_object(HttpRequest& req) {
  ASSIGN_OR_RETURN(auto ref, object_ref(req));
  ASSIGN_OR_RETURN(auto pre, preconditions_of(req));
  RETURN_IF_ERROR(storage_.delete_object(ref, pre));
  return empty_answer(204);
}

Answer Api::compose(HttpRequest& req) {
  ASSIGN_OR_RETURN(auto body, parse_body(req.body));
  Json dest_meta = body.contains("destination") && body["destination"].is_object() ? body["destination"] : Json::object();
  ASSIGN_OR_RETURN(auto w, destination(req, dest_meta));
  w.expected = expected_hashes(dest_meta);
  ASSIGN_OR_RETURN(auto sources, compose_sources(body));
  ASSIGN_OR_RETURN(auto o, storage_.compose(w, sources));
  return json_answer(req, object_json(o, links_of(req, env_)));
}

Answer Api::copy(HttpRequest& req) {
  ASSIGN_OR_RETURN(auto src, object_ref(req, "srcBucket", "srcObject", "sourceGeneration"));
  ASSIGN_OR_RETURN(auto src_pre, preconditions_of(req, "Source"));
  ASSIGN_OR_RETURN(auto body, parse_body(req.body));
  ASSIGN_OR_RETURN(auto w, destination(req, body));
  ASSIGN_OR_RETURN(auto o, storage_.copy(src, src_pre, std::move(w), !body.empty()));
  return json_answer(req, object_json(o, links_of(req, env_)));
}

Answer Api::rewrite(HttpRequest& req) {
  ASSIGN_OR_RETURN(auto src, object_ref(req, "srcBucket", "srcObject", "sourceGeneration"));
  ASSIGN_OR_RETURN(auto src_pre, preconditions_of(req, "Source"));
  ASSIGN_OR_RETURN(auto body, parse_body(req.body));
  ASSIGN_OR_RETURN(auto w, destination(req, body));
  ASSIGN_OR_RETURN(auto max, int_param(req, "maxBytesRewrittenPerCall"));
  uint64_t per_call = limits::kRewriteBytesPerCall;
  if (max) {
    if (*max <= 0 || *max % int64_t(limits::kRewriteGranularity) != 0)
      return errors::invalid("maxBytesRewrittenPerCall must be a multiple of 1048576.");
    per_call = uint64_t(*max);
  }
  ASSIGN_OR_RETURN(auto step, storage_.rewrite(src, src_pre, std::move(w), !body.empty(),
                                               req.query_param("rewriteToken").value_or(""), per_call));
  Json out = {{"kind", "storage#rewriteResponse"},
              {"totalBytesRewritten", std::to_string(step.bytes_rewritten)},
              {"objectSize", std::to_string(step.object_size)},
              {"done", step.resource.has_value()}};
  if (!step.token.empty()) out["rewriteToken"] = step.token;
  if (step.resource) out["resource"] = object_json(*step.resource, links_of(req, env_));
  return json_answer(req, out);
}

}  // namespace gcpsim::services::storage
