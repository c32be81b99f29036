// SecretStore: Secret Manager's state and rules — secrets, versions, aliases, etags, IAM
// policies — kept in SQLite through core::Store, with expiry, rotation and delayed
// destruction on core::Clock. Plain C++: no protobuf, JSON or sockets.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/time.h"
#include "services/secrets/names.h"

namespace gcpsim::core { struct Env; }

namespace gcpsim::services::secrets {

enum class VersionState { kEnabled = 1, kDisabled = 2, kDestroyed = 3 };
const char* state_name(VersionState s);  // "ENABLED", …

struct Replica {
  std::string location;
  std::string kms_key_name;  // customer-managed encryption, empty for Google-managed
};

struct Replication {
  enum class Kind { kNone, kAutomatic, kUserManaged };
  Kind kind = Kind::kNone;     // kNone: regional secrets, which have no replication policy
  std::string kms_key_name;    // kAutomatic
  std::vector<Replica> replicas;  // kUserManaged
};

struct Rotation {
  std::optional<core::Time> next_rotation_time;
  std::optional<core::Duration> rotation_period;
};

// What a caller may set on a secret: create's input, update's input (with a mask).
struct SecretFields {
  Replication replication;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> topics;             // projects/*/topics/*
  std::optional<core::Time> expire_time;
  std::optional<core::Duration> ttl;           // input only: becomes expire_time
  std::optional<Rotation> rotation;
  std::map<std::string, int64_t> version_aliases;
  std::optional<core::Duration> version_destroy_ttl;
  std::string kms_key_name;                    // regional customer-managed encryption
  std::string secret_type;                     // "", "CLOUD_SQL_DB_CREDENTIALS", …
  std::string etag;                            // input: precondition; output: current etag
};

struct Secret : SecretFields {
  std::string name;  // canonical: the emulator's project by number
  core::Time create_time{};
  int64_t order = 0;  // creation sequence: lists are newest first
};

struct Version {
  std::string name;  // always numbered, even when asked for by alias or "latest"
  int64_t number = 0;
  core::Time create_time{};
  VersionState state = VersionState::kEnabled;
  std::optional<core::Time> destroy_time;
  std::optional<core::Time> scheduled_destroy_time;
  std::string etag;
  bool client_specified_payload_checksum = false;
  Replication replication;  // the secret's, for the version's replication status
};

struct Access {
  std::string name;  // the numbered version
  std::string data;
  uint32_t crc32c = 0;
};

struct Condition {
  std::string expression, title, description, location;
};
struct Binding {
  std::string role;
  std::vector<std::string> members;
  std::optional<Condition> condition;
};
struct Policy {
  int32_t version = 0;
  std::vector<Binding> bindings;
  std::string etag;  // opaque bytes
};

struct ListQuery {
  int32_t page_size = 0;  // 0: the server's choice
  std::string page_token{};
  std::string filter{};
};

template <class T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
  int32_t total_size = 0;  // 0 when a filter was given, as the real service does
};

// A message for the secret's Pub/Sub topics. TOPIC_CONFIGURED carries only its type.
struct Notification {
  std::string event_type;           // "SECRET_CREATE", "SECRET_VERSION_ADD", …
  std::vector<std::string> topics;
  core::Time time{};
  std::string secret_name;
  std::optional<Secret> secret;     // the data of secret events
  std::optional<Version> version;   // the data of version events
  std::string delete_type;          // SECRET_DELETE: "REQUESTED" or "EXPIRATION"
};

class SecretStore {
 public:
  using Notifier = std::function<void(const Notification&)>;
  using TopicCheck = std::function<core::Status(const std::string& topic)>;

  // Applies this service's migration and re-arms every timer the stored state implies.
  static core::StatusOr<std::unique_ptr<SecretStore>> open(core::Env& env);
  ~SecretStore();
  SecretStore(const SecretStore&) = delete;
  SecretStore& operator=(const SecretStore&) = delete;

  void set_notifier(Notifier n) { notify_ = std::move(n); }
  // Consulted when topics are configured (Pub/Sub says whether the topic exists).
  void set_topic_check(TopicCheck c) { topic_check_ = std::move(c); }

  core::StatusOr<Secret> create(const ParentName& parent, std::string_view secret_id,
                                SecretFields fields);
  core::StatusOr<Secret> get(const SecretName& name) const;
  core::StatusOr<Page<Secret>> list(const ParentName& parent, const ListQuery& q) const;
  // mask: snake_case or camelCase paths of google.cloud.secretmanager.v1.Secret.
  core::StatusOr<Secret> update(const SecretName& name, const SecretFields& fields,
                                const std::vector<std::string>& mask);
  core::Status remove(const SecretName& name, std::string_view etag);

  core::StatusOr<Version> add_version(const SecretName& name, std::string payload,
                                      std::optional<int64_t> crc32c);
  core::StatusOr<Version> get_version(const VersionName& name) const;
  core::StatusOr<Access> access(const VersionName& name) const;
  core::StatusOr<Page<Version>> list_versions(const SecretName& name, const ListQuery& q) const;
  core::StatusOr<Version> enable(const VersionName& name, std::string_view etag);
  core::StatusOr<Version> disable(const VersionName& name, std::string_view etag);
  // Immediate, or DISABLED with a scheduled_destroy_time when the secret has a
  // version_destroy_ttl; the clock destroys it then.
  core::StatusOr<Version> destroy(const VersionName& name, std::string_view etag);

  core::StatusOr<Policy> get_policy(const SecretName& name) const;
  core::StatusOr<Policy> set_policy(const SecretName& name, Policy policy);
  // The secretmanager.* permissions among `permissions`; none when the secret is missing.
  core::StatusOr<std::vector<std::string>> test_permissions(
      const SecretName& name, const std::vector<std::string>& permissions) const;

  // The emulator's own project is named by number, as the real service does.
  SecretName canonical(SecretName name) const;
  ParentName canonical(ParentName name) const;

 private:
  explicit SecretStore(core::Env& env);
  core::Status rearm_all();
  core::StatusOr<Secret> load(const SecretName& name) const;
  core::StatusOr<Version> resolve(const VersionName& name, Secret* secret_out) const;
  core::StatusOr<Version> change_state(const VersionName& name, std::string_view etag,
                                       VersionState to);
  core::StatusOr<Version> commit_state(Secret& s, Version v, const std::string& event);
  core::Status check_aliases(const Secret& s) const;
  core::Status check_new_topics(const Secret& before, const Secret& after) const;
  core::StatusOr<std::string> next_etag();
  void publish(Notification n) const;
  void publish_secret(const std::string& event_type, const Secret& s,
                      std::string delete_type = "") const;
  void publish_version(const std::string& event_type, const Secret& s, const Version& v) const;
  void publish_topics_configured(const Secret& before, const Secret& after) const;

  // Timers: one per secret for expiry and rotation, one per version pending destruction.
  void arm_secret(const Secret& s);
  void arm_version(const std::string& secret, const Version& v);
  void arm(const std::string& key, core::Time at, std::function<void()> fn);
  void disarm(const std::string& key);
  void disarm_secret(const std::string& secret);
  void expire(const std::string& secret);
  void rotate(const std::string& secret);
  void destroy_due(const std::string& secret, int64_t number);

  core::Env& env_;
  Notifier notify_;
  TopicCheck topic_check_;
  int64_t last_etag_ = 0;
  std::map<std::string, core::Clock::TimerId> timers_;
};

}  // namespace gcpsim::services::secrets
