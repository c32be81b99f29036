// The schema registry behind SchemaService: schemas with revisions, their compiled
// validators, and the checks topics with schema settings apply at publish.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "services/pubsub/domain.h"
#include "services/pubsub/schema_validator.h"

namespace gcpsim::core { class Clock; class Ids; }

namespace gcpsim::services::pubsub {

struct SchemaRevision {
  std::string name;  // projects/p/schemas/s
  SchemaType type = SchemaType::kUnspecified;
  std::string definition;
  std::string revision_id;
  Time revision_create_time{};
};

class Schemas {
 public:
  Schemas(core::Clock& clock, core::Ids& ids);
  // Loads the schemas `persist` holds and writes every change to it from now on.
  core::Status persist_to(Persist& persist);

  static core::StatusOr<std::shared_ptr<const SchemaValidator>> compile(SchemaType type, const std::string& definition);

  core::StatusOr<SchemaRevision> create(const std::string& name, SchemaType type, const std::string& definition);
  // `name` may carry "@revision"; without it, the newest revision.
  core::StatusOr<SchemaRevision> get(const std::string& name) const;
  std::vector<SchemaRevision> list(const std::string& project, const Page& page, std::string* next) const;
  core::StatusOr<std::vector<SchemaRevision>> revisions(const std::string& name) const;  // newest first
  core::StatusOr<SchemaRevision> commit(const std::string& name, SchemaType type, const std::string& definition);
  core::StatusOr<SchemaRevision> rollback(const std::string& name, const std::string& revision_id);
  core::StatusOr<SchemaRevision> delete_revision(const std::string& name_at_revision);
  core::Status remove(const std::string& name);

  // A topic's settings name an existing schema and revisions.
  core::Status check_settings(const SchemaSettings& settings) const;
  // The message conforms to some revision within the settings' range.
  core::Status check_message(const SchemaSettings& settings, std::string_view data) const;

 private:
  struct Revision {
    SchemaRevision info;
    std::shared_ptr<const SchemaValidator> validator;
  };
  struct Entry {
    std::vector<Revision> revisions;  // oldest first
  };
  core::StatusOr<SchemaRevision> add_revision(Entry& e, const std::string& name, SchemaType type,
                                              const std::string& definition);
  const Entry* find(const std::string& name) const;
  void save(const std::string& name);

  core::Clock& clock_;
  core::Ids& ids_;
  std::map<std::string, Entry> schemas_;
  Persist* persist_ = nullptr;
};

}  // namespace gcpsim::services::pubsub
