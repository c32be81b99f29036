// Storage: object generations — writes with preconditions and checksums, reads, metadata
// updates, deletes, holds and retention, and the events notifications are made of.
#include "core/clock.h"
#include "core/env.h"
#include "core/store.h"
#include "services/storage/domain.h"
#include "services/storage/errors.h"
#include "services/storage/names.h"
#include "services/storage/rows.h"

namespace gcpsim::services::storage {

core::Status check_write_preconditions(const Object* live, const Preconditions& pre) {
  if (pre.generation_match) {
    bool ok = *pre.generation_match == 0 ? live == nullptr : live && live->generation == *pre.generation_match;
    if (!ok) return errors::precondition_failed();
  }
  if (pre.generation_not_match) {
    bool ok = *pre.generation_not_match == 0 ? live != nullptr : !live || live->generation != *pre.generation_not_match;
    if (!ok) return errors::precondition_failed();
  }
  if (pre.metageneration_match && (!live || live->metageneration != *pre.metageneration_match))
    return errors::precondition_failed();
  if (pre.metageneration_not_match && live && live->metageneration == *pre.metageneration_not_match)
    return errors::precondition_failed();
  return core::Status::ok();
}

core::Status check_read_preconditions(const Object& o, const Preconditions& pre) {
  if (pre.generation_match && o.generation != *pre.generation_match) return errors::precondition_failed();
  if (pre.metageneration_match && o.metageneration != *pre.metageneration_match)
    return errors::precondition_failed();
  if (pre.generation_not_match && o.generation == *pre.generation_not_match) return errors::not_modified();
  if (pre.metageneration_not_match && o.metageneration == *pre.metageneration_not_match)
    return errors::not_modified();
  return core::Status::ok();
}

void Storage::emit(ObjectEvent e) {
  if (listener_) listener_(e);
}

// Holds and retention keep a generation from being deleted, replaced or archived.
core::Status Storage::check_removable(const Object& o) const {
  if (o.meta.event_based_hold || o.meta.temporary_hold) return errors::held(o.bucket, o.name);
  if (o.retention_expires && env_.clock.now() < *o.retention_expires) return errors::retained(o.bucket, o.name);
  return core::Status::ok();
}

core::Status Storage::check_write(const ObjectWrite& w) const {
  ASSIGN_OR_RETURN(auto b, require_bucket(w.bucket));
  RETURN_IF_ERROR(check_object_name(w.name));
  auto live = rows::get_object(env_.store, w.bucket, w.name);
  RETURN_IF_ERROR(check_write_preconditions(live ? &*live : nullptr, w.pre));
  if (live) RETURN_IF_ERROR(check_removable(*live));
  return core::Status::ok();
}

core::StatusOr<Object> Storage::insert_object(const ObjectWrite& w, const BodySource& body) {
  RETURN_IF_ERROR(check_write(w));
  int64_t generation = next_generation();
  ASSIGN_OR_RETURN(auto digest, bodies_->put(generation, body));
  return commit(w, generation, digest);
}

core::StatusOr<Object> Storage::commit(const ObjectWrite& w, int64_t generation, const Digest& digest,
                                       std::optional<int> component_count) {
  auto fail = [&](core::Status st) {
    bodies_->remove(generation);
    return st;
  };
  if (auto st = check_write(w); !st.is_ok()) return fail(st);
  if (auto st = verify(w.expected, digest); !st.is_ok()) return fail(st);
  Bucket b = *rows::get_bucket(env_.store, w.bucket);
  auto live = rows::get_object(env_.store, w.bucket, w.name);

  Object o;
  o.bucket = w.bucket;
  o.name = w.name;
  o.generation = generation;
  o.meta = w.meta;
  if (o.meta.storage_class.empty()) o.meta.storage_class = b.storage_class;
  if (b.default_event_based_hold) o.meta.event_based_hold = true;
  o.size = digest.size;
  o.md5 = component_count ? "" : digest.md5;
  o.crc32c = digest.crc32c;
  o.component_count = component_count;
  o.created = o.updated = o.storage_class_updated = env_.clock.now();
  if (b.retention && b.retention->period_seconds > 0)
    o.retention_expires = o.created + std::chrono::seconds(b.retention->period_seconds);

  auto tx = env_.store.begin();
  if (live && b.versioning) {
    Object old = *live;
    old.live = false;
    old.noncurrent_since = o.created;
    if (auto st = rows::put_object(env_.store, old); !st.is_ok()) return fail(st);
  } else if (live) {
    if (auto st = rows::delete_object(env_.store, w.bucket, w.name, live->generation); !st.is_ok()) return fail(st);
  }
  if (auto st = rows::put_object(env_.store, o); !st.is_ok()) return fail(st);
  if (auto st = tx.commit(); !st.is_ok()) return fail(st);
  if (live && !b.versioning) bodies_->remove(live->generation);

  emit({"OBJECT_FINALIZE", o, live ? std::optional(live->generation) : std::nullopt, std::nullopt});
  if (live) {
    Object old = *live;
    old.live = false;
    if (b.versioning) old.noncurrent_since = o.created;
    emit({b.versioning ? "OBJECT_ARCHIVE" : "OBJECT_DELETE", old, std::nullopt, generation});
  }
  return o;
}

core::StatusOr<Object> Storage::get_object(const ObjectRef& ref, const Preconditions& pre) const {
  RETURN_IF_ERROR(require_bucket(ref.bucket).status());
  auto o = rows::get_object(env_.store, ref.bucket, ref.name, ref.generation);
  if (!o) return errors::object_not_found(ref.bucket, ref.name);
  RETURN_IF_ERROR(check_read_preconditions(*o, pre));
  return *o;
}

core::StatusOr<Object> Storage::update_object(const ObjectRef& ref, ObjectMeta meta, const Preconditions& pre) {
  RETURN_IF_ERROR(require_bucket(ref.bucket).status());
  auto o = rows::get_object(env_.store, ref.bucket, ref.name, ref.generation);
  if (!o) return errors::object_not_found(ref.bucket, ref.name);
  RETURN_IF_ERROR(check_write_preconditions(&*o, pre));
  auto now = env_.clock.now();
  if (meta.storage_class.empty()) meta.storage_class = o->meta.storage_class;
  if (meta.storage_class != o->meta.storage_class) o->storage_class_updated = now;
  if (o->meta.custom_time && (!meta.custom_time || *meta.custom_time < *o->meta.custom_time))
    return errors::invalid("Custom time cannot be removed or decreased.");
  // Releasing an event-based hold starts the retention period over (as the real service does).
  if (o->meta.event_based_hold && !meta.event_based_hold && o->retention_expires) {
    auto b = rows::get_bucket(env_.store, ref.bucket);
    if (b && b->retention) o->retention_expires = now + std::chrono::seconds(b->retention->period_seconds);
  }
  o->meta = std::move(meta);
  o->metageneration += 1;
  o->updated = now;
  RETURN_IF_ERROR(rows::put_object(env_.store, *o));
  if (o->live) emit({"OBJECT_METADATA_UPDATE", *o, std::nullopt, std::nullopt});
  return *o;
}

core::Status Storage::remove_generation(const Bucket& b, const Object& o, bool archive_live) {
  RETURN_IF_ERROR(check_removable(o));
  if (o.live && archive_live) {
    Object old = o;
    old.live = false;
    old.noncurrent_since = env_.clock.now();
    RETURN_IF_ERROR(rows::put_object(env_.store, old));
    emit({"OBJECT_ARCHIVE", old, std::nullopt, std::nullopt});
    return core::Status::ok();
  }
  RETURN_IF_ERROR(rows::delete_object(env_.store, b.name, o.name, o.generation));
  bodies_->remove(o.generation);
  Object gone = o;
  gone.live = false;
  emit({"OBJECT_DELETE", gone, std::nullopt, std::nullopt});
  return core::Status::ok();
}

core::Status Storage::delete_object(const ObjectRef& ref, const Preconditions& pre) {
  ASSIGN_OR_RETURN(auto b, require_bucket(ref.bucket));
  auto o = rows::get_object(env_.store, ref.bucket, ref.name, ref.generation);
  if (!o) return errors::object_not_found(ref.bucket, ref.name);
  RETURN_IF_ERROR(check_write_preconditions(&*o, pre));
  // In a versioned bucket deleting the live object (without naming its generation) archives it.
  return remove_generation(b, *o, b.versioning && !ref.generation);
}

}  // namespace gcpsim::services::storage
