// Storage: Cloud Storage's state and rules — buckets, object generations, preconditions,
// versioning, listing, compose/copy/rewrite, notification configs and lifecycle rules — over
// core::Store (metadata) and BodyStore (bytes), on core::Clock. No JSON, HTTP or sockets.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "services/storage/bodies.h"
#include "services/storage/hashes.h"
#include "services/storage/model.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::services::storage {

// A new object generation: where it goes, its metadata, and what must hold for it to land.
struct ObjectWrite {
  std::string bucket, name;
  ObjectMeta meta;
  Preconditions pre;
  ExpectedHashes expected;
};

struct ComposeSource {
  std::string name;
  std::optional<int64_t> generation;
  std::optional<int64_t> if_generation_match;
};

struct RewriteStep {
  uint64_t bytes_rewritten = 0, object_size = 0;
  std::string token;               // set while not done
  std::optional<Object> resource;  // set when done
};

class Storage {
 public:
  using Listener = std::function<void(const ObjectEvent&)>;

  static core::StatusOr<std::unique_ptr<Storage>> open(core::Env& env);
  ~Storage();
  core::Env& env() { return env_; }
  BodyStore& bodies() { return *bodies_; }
  void set_listener(Listener l) { listener_ = std::move(l); }

  // Buckets (buckets.cc). Only the metageneration preconditions apply to buckets.
  core::StatusOr<Bucket> create_bucket(const std::string& name, BucketSpec spec);
  core::StatusOr<Bucket> get_bucket(const std::string& name, const Preconditions& pre = {}) const;
  core::StatusOr<BucketPage> list_buckets(const std::string& prefix, size_t max_results,
                                          const std::string& page_token) const;
  // Replaces the bucket's settings (handlers merge a patch into the current spec first).
  core::StatusOr<Bucket> update_bucket(const std::string& name, BucketSpec spec, const Preconditions& pre);
  core::Status delete_bucket(const std::string& name, const Preconditions& pre);

  // Objects (objects.cc).
  core::StatusOr<Object> insert_object(const ObjectWrite& w, const BodySource& body);
  // Lands a body already written under `generation` (uploads, compose, copy): checks
  // the write's preconditions and hashes again, replaces or archives the live generation.
  core::StatusOr<Object> commit(const ObjectWrite& w, int64_t generation, const Digest& digest,
                                std::optional<int> component_count = std::nullopt);
  // Checks what a write would need before its bytes arrive (uploads start with this).
  core::Status check_write(const ObjectWrite& w) const;
  core::StatusOr<Object> get_object(const ObjectRef& ref, const Preconditions& pre = {}) const;
  core::StatusOr<Object> update_object(const ObjectRef& ref, ObjectMeta meta, const Preconditions& pre);
  core::Status delete_object(const ObjectRef& ref, const Preconditions& pre);
  std::string body_path(const Object& o) const { return bodies_->path(o.generation); }
  int64_t next_generation();

  // Listing (listing.cc).
  core::StatusOr<ObjectPage> list_objects(const std::string& bucket, const ListQuery& q) const;

  // Compose, copy and rewrite (compose.cc).
  core::StatusOr<Object> compose(const ObjectWrite& dest, const std::vector<ComposeSource>& sources);
  // dest.meta is used when `replace_meta`, the source's metadata otherwise.
  core::StatusOr<Object> copy(const ObjectRef& src, const Preconditions& src_pre, ObjectWrite dest,
                              bool replace_meta);
  // Copies at most max_bytes per call; the token continues a started rewrite.
  core::StatusOr<RewriteStep> rewrite(const ObjectRef& src, const Preconditions& src_pre, ObjectWrite dest,
                                      bool replace_meta, const std::string& token, uint64_t max_bytes);

  // Notification configs (notifications.cc).
  core::StatusOr<NotificationConfig> add_notification(const std::string& bucket, NotificationConfig n);
  core::StatusOr<std::vector<NotificationConfig>> list_notifications(const std::string& bucket) const;
  core::StatusOr<NotificationConfig> get_notification(const std::string& bucket, const std::string& id) const;
  core::Status delete_notification(const std::string& bucket, const std::string& id);

  // Lifecycle (lifecycle.cc): applies every bucket's rules once; returns how many objects
  // were deleted or changed.
  size_t apply_lifecycle();

 private:
  explicit Storage(core::Env& env);
  core::StatusOr<Bucket> require_bucket(const std::string& name) const;
  core::Status check_removable(const Object& o) const;
  // Removes one generation (or archives the live one in a versioned bucket) and emits the event.
  core::Status remove_generation(const Bucket& b, const Object& o, bool archive_live);
  void emit(ObjectEvent e);

  struct Rewrite;
  core::Env& env_;
  std::unique_ptr<BodyStore> bodies_;
  std::map<std::string, std::shared_ptr<Rewrite>> rewrites_;
  Listener listener_;
};

// Generation preconditions of a write against the live object (absent: nullptr).
core::Status check_write_preconditions(const Object* live, const Preconditions& pre);
// Preconditions of a read: a failed if*NotMatch is "not modified" (304), the rest 412.
core::Status check_read_preconditions(const Object& o, const Preconditions& pre);

}  // namespace gcpsim::services::storage
