// Storage: compose (up to 32 sources), copy, and rewrite with token continuation.
#include "core/env.h"
#include "core/ids.h"
#include "services/storage/domain.h"
#include "services/storage/errors.h"
#include "services/storage/limits.h"
#include "services/storage/names.h"
#include "services/storage/rows.h"

namespace gcpsim::services::storage {

// A rewrite in progress: the exact source generation, where its bytes go, how far it got.
struct Storage::Rewrite {
  ObjectRef src;
  std::string dest_bucket, dest_name;
  std::string partial;
  uint64_t done = 0;
};

namespace {
// Source preconditions of copy and rewrite fail with 412, never 304.
core::Status as_write_failure(core::Status st) {
  return errors::http_status(st) == 304 ? errors::precondition_failed() : st;
}
}  // namespace

core::StatusOr<Object> Storage::compose(const ObjectWrite& dest, const std::vector<ComposeSource>& sources) {
  if (sources.empty()) return errors::required("You must provide at least one source component.");
  if (sources.size() > limits::kMaxComposeSources)
    return errors::invalid("The number of source components provided (" + std::to_string(sources.size()) +
                           ") exceeds the maximum (32)");
  RETURN_IF_ERROR(check_write(dest));
  std::vector<int64_t> generations;
  int components = 0;
  for (const auto& s : sources) {
    RETURN_IF_ERROR(check_object_name(s.name));
    auto o = rows::get_object(env_.store, dest.bucket, s.name, s.generation);
    if (!o) return errors::object_not_found(dest.bucket, s.name);
    if (s.if_generation_match && *s.if_generation_match != o->generation) return errors::precondition_failed();
    generations.push_back(o->generation);
    components += o->component_count.value_or(1);
  }
  if (components > 1024)
    return errors::invalid("The number of components in the composed object would exceed the maximum (1024).");
  int64_t generation = next_generation();
  ASSIGN_OR_RETURN(auto digest, bodies_->concat(generation, generations));
  ObjectWrite w = dest;
  if (w.expected.md5_base64) return errors::invalid("MD5 is not supported for composite objects.");
  return commit(w, generation, digest, components);
}

core::StatusOr<Object> Storage::copy(const ObjectRef& src, const Preconditions& src_pre, ObjectWrite dest,
                                     bool replace_meta) {
  auto found = get_object(src, src_pre);
  if (!found.ok()) return as_write_failure(found.status());
  Object source = *found;
  RETURN_IF_ERROR(check_write(dest));
  if (!replace_meta) dest.meta = source.meta;
  dest.meta.event_based_hold = dest.meta.temporary_hold = false;
  int64_t generation = next_generation();
  RETURN_IF_ERROR(bodies_->link(source.generation, generation));
  Digest d{source.size, source.md5, source.crc32c};
  return commit(dest, generation, d, source.component_count);
}

core::StatusOr<RewriteStep> Storage::rewrite(const ObjectRef& src, const Preconditions& src_pre, ObjectWrite dest,
                                             bool replace_meta, const std::string& token, uint64_t max_bytes) {
  std::shared_ptr<Rewrite> r;
  if (!token.empty()) {
    auto it = rewrites_.find(token);
    if (it == rewrites_.end() || it->second->dest_bucket != dest.bucket || it->second->dest_name != dest.name)
      return errors::invalid("The rewrite token is not valid.");
    r = it->second;
  }
  auto found = get_object(r ? r->src : src, r ? Preconditions{} : src_pre);
  if (!found.ok()) return as_write_failure(found.status());
  Object source = *found;
  RETURN_IF_ERROR(check_write(dest));
  if (!r && source.size <= max_bytes) {
    ASSIGN_OR_RETURN(auto o, copy({src.bucket, src.name, source.generation}, {}, std::move(dest), replace_meta));
    return RewriteStep{o.size, o.size, "", o};
  }
  std::string t = token;
  if (!r) {
    t = env_.ids.token("storage.rewrite", 24);
    r = std::make_shared<Rewrite>(Rewrite{{src.bucket, src.name, source.generation}, dest.bucket, dest.name,
                                          bodies_->partial_path("rewrite-" + t), 0});
    rewrites_[t] = r;
  }
  uint64_t n = std::min<uint64_t>(max_bytes, source.size - r->done);
  auto appended = bodies_->append_slice(r->partial, body_path(source), r->done, n);
  if (!appended.ok()) {
    rewrites_.erase(t);
    bodies_->drop(r->partial);
    return appended.status();
  }
  r->done = *appended;
  if (r->done < source.size) return RewriteStep{r->done, source.size, t, std::nullopt};
  rewrites_.erase(t);
  if (!replace_meta) dest.meta = source.meta;
  dest.meta.event_based_hold = dest.meta.temporary_hold = false;
  int64_t generation = next_generation();
  ASSIGN_OR_RETURN(auto digest, bodies_->finish(generation, r->partial));
  ASSIGN_OR_RETURN(auto o, commit(dest, generation, digest, source.component_count));
  return RewriteStep{o.size, o.size, "", o};
}

}  // namespace gcpsim::services::storage
