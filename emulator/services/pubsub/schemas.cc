// The schema registry: revisions, compiled validators and publish-time checks.
#include "services/pubsub/schemas.h"

#include <algorithm>

#include "core/clock.h"
#include "core/ids.h"
#include "services/pubsub/errors.h"
#include "services/pubsub/names.h"
#include "services/pubsub/persist.h"

namespace gcpsim::services::pubsub {
namespace {

using core::Status;

constexpr size_t kMaxRevisions = 20;

// "projects/p/schemas/s@rev" → {"projects/p/schemas/s", "rev"}.
std::pair<std::string, std::string> split_revision(const std::string& name) {
  auto at = name.find('@');
  if (at == std::string::npos) return {name, ""};
  return {name.substr(0, at), name.substr(at + 1)};
}

}  // namespace

Schemas::Schemas(core::Clock& clock, core::Ids& ids) : clock_(clock), ids_(ids) {}

Status Schemas::persist_to(Persist& persist) {
  ASSIGN_OR_RETURN(auto stored, persist.load_schemas());
  for (auto& revisions : stored) {
    Entry e;
    for (auto& info : revisions) {
      ASSIGN_OR_RETURN(auto validator, compile(info.type, info.definition));
      e.revisions.push_back(Revision{std::move(info), std::move(validator)});
    }
    if (!e.revisions.empty()) schemas_[e.revisions.front().info.name] = std::move(e);
  }
  persist_ = &persist;
  return Status::ok();
}

// Writes the schema's revisions (none: deleted) and commits before the caller answers.
void Schemas::save(const std::string& name) {
  if (!persist_) return;
  std::vector<SchemaRevision> revisions;
  if (const Entry* e = find(name)) {
    for (const auto& r : e->revisions) revisions.push_back(r.info);
  }
  persist_->put_schema(name, revisions);
  (void)persist_->commit();
}

core::StatusOr<std::shared_ptr<const SchemaValidator>> Schemas::compile(SchemaType type, const std::string& definition) {
  if (definition.empty()) return Status::invalid_argument("Invalid schema definition: the definition is empty");
  switch (type) {
    case SchemaType::kAvro: return compile_avro(definition);
    case SchemaType::kProtocolBuffer: return compile_protobuf(definition);
    case SchemaType::kUnspecified: break;
  }
  return Status::invalid_argument("Invalid schema type");
}

const Schemas::Entry* Schemas::find(const std::string& name) const {
  auto it = schemas_.find(name);
  return it == schemas_.end() ? nullptr : &it->second;
}

core::StatusOr<SchemaRevision> Schemas::add_revision(Entry& e, const std::string& name, SchemaType type,
                                                     const std::string& definition) {
  ASSIGN_OR_RETURN(auto validator, compile(type, definition));
  Revision r;
  r.info = SchemaRevision{name, type, definition, ids_.hex("pubsub.schema_revision", 4), clock_.now()};
  r.validator = std::move(validator);
  e.revisions.push_back(std::move(r));
  if (e.revisions.size() > kMaxRevisions) e.revisions.erase(e.revisions.begin());
  SchemaRevision info = e.revisions.back().info;
  if (find(name)) save(name);
  return info;
}

core::StatusOr<SchemaRevision> Schemas::create(const std::string& name, SchemaType type, const std::string& definition) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSchema, name));
  if (schemas_.count(name)) return errors::already_exists(parsed.id);
  Entry e;
  ASSIGN_OR_RETURN(auto info, add_revision(e, name, type, definition));
  schemas_.emplace(name, std::move(e));
  save(name);
  return info;
}

core::StatusOr<SchemaRevision> Schemas::get(const std::string& name) const {
  auto [base, revision] = split_revision(name);
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSchema, base));
  const Entry* e = find(base);
  if (!e) return errors::not_found(parsed.id);
  if (revision.empty()) return e->revisions.back().info;
  for (const auto& r : e->revisions) {
    if (r.info.revision_id == revision) return r.info;
  }
  return errors::not_found(parsed.id + "@" + revision);
}

std::vector<SchemaRevision> Schemas::list(const std::string& project, const Page& page, std::string* next) const {
  std::vector<SchemaRevision> out;
  std::string prefix = "projects/" + project + "/schemas/";
  int32_t size = page.size <= 0 ? 100 : std::min(page.size, 1000);
  auto it = page.token.empty() ? schemas_.lower_bound(prefix) : schemas_.upper_bound(page.token);
  if (next) next->clear();
  for (; it != schemas_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (static_cast<int32_t>(out.size()) == size) {
      if (next) *next = out.back().name;
      break;
    }
    out.push_back(it->second.revisions.back().info);
  }
  return out;
}

core::StatusOr<std::vector<SchemaRevision>> Schemas::revisions(const std::string& name) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSchema, name));
  const Entry* e = find(name);
  if (!e) return errors::not_found(parsed.id);
  std::vector<SchemaRevision> out;
  for (auto it = e->revisions.rbegin(); it != e->revisions.rend(); ++it) out.push_back(it->info);
  return out;
}

core::StatusOr<SchemaRevision> Schemas::commit(const std::string& name, SchemaType type, const std::string& definition) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSchema, name));
  auto it = schemas_.find(name);
  if (it == schemas_.end()) return errors::not_found(parsed.id);
  if (type != it->second.revisions.back().info.type) {
    return Status::invalid_argument("The schema type of a revision must match the schema's type.");
  }
  return add_revision(it->second, name, type, definition);
}

core::StatusOr<SchemaRevision> Schemas::rollback(const std::string& name, const std::string& revision_id) {
  ASSIGN_OR_RETURN(auto target, get(name + "@" + revision_id));
  return add_revision(schemas_.at(name), name, target.type, target.definition);
}

core::StatusOr<SchemaRevision> Schemas::delete_revision(const std::string& name_at_revision) {
  auto [base, revision] = split_revision(name_at_revision);
  ASSIGN_OR_RETURN(auto target, get(name_at_revision));
  Entry& e = schemas_.at(base);
  if (revision.empty() || e.revisions.size() == 1) {
    return Status::failed_precondition("The last revision of a schema cannot be deleted.");
  }
  std::erase_if(e.revisions, [&id = revision](const Revision& r) { return r.info.revision_id == id; });
  save(base);
  return target;
}

Status Schemas::remove(const std::string& name) {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSchema, name));
  if (!schemas_.erase(name)) return errors::not_found(parsed.id);
  save(name);
  return Status::ok();
}

Status Schemas::check_settings(const SchemaSettings& s) const {
  ASSIGN_OR_RETURN(auto parsed, parse_name(Kind::kSchema, s.schema));
  const Entry* e = find(s.schema);
  if (!e) return errors::not_found(parsed.id);
  for (const auto& rev : {s.first_revision_id, s.last_revision_id}) {
    if (!rev.empty()) RETURN_IF_ERROR(get(s.schema + "@" + rev).status());
  }
  return Status::ok();
}

Status Schemas::check_message(const SchemaSettings& s, std::string_view data) const {
  const Entry* e = find(s.schema);
  if (!e) return Status::invalid_argument("Schema associated with topic deleted.");
  bool in_range = s.first_revision_id.empty();
  Status last = Status::ok();
  for (const auto& r : e->revisions) {
    if (r.info.revision_id == s.first_revision_id) in_range = true;
    if (in_range) {
      last = r.validator->validate(s.encoding, data);
      if (last.is_ok()) return last;
    }
    if (r.info.revision_id == s.last_revision_id) break;
  }
  return last.is_ok() ? Status::invalid_argument("Invalid data in message: Message failed schema validation.") : last;
}

}  // namespace gcpsim::services::pubsub
