// SecretStore's versions: add (size and checksum checks), get, access ("latest", numbers,
// aliases), list, and the ENABLED → DISABLED → DESTROYED state machine with etags.
#include "core/crc32c.h"
#include "core/env.h"
#include "core/store.h"
#include "services/secrets/domain.h"
#include "services/secrets/errors.h"
#include "services/secrets/fields.h"
#include "services/secrets/filter.h"
#include "services/secrets/limits.h"
#include "services/secrets/pages.h"
#include "services/secrets/rows.h"

namespace gcpsim::services::secrets {

using core::Status;
using core::StatusOr;

StatusOr<Version> SecretStore::resolve(const VersionName& name, Secret* secret_out) const {
  ASSIGN_OR_RETURN(Secret s, load(name.secret));
  int64_t number = 0;
  if (name.version == "latest") {
    ASSIGN_OR_RETURN(number, rows::latest_version_number(env_.store, s.name));
    if (number == 0) return errors::secret_not_found(s.name);
  } else if (int64_t n = version_number(name.version)) {
    number = n;
  } else if (auto it = s.version_aliases.find(name.version); it != s.version_aliases.end()) {
    number = it->second;
  }
  std::optional<Version> v;
  if (number > 0) {
    ASSIGN_OR_RETURN(v, rows::find_version(env_.store, s.name, number));
  }
  if (!v) return errors::version_not_found(s.name + "/versions/" + name.version);
  v->replication = s.replication;
  if (secret_out) *secret_out = std::move(s);
  return std::move(*v);
}

StatusOr<Version> SecretStore::add_version(const SecretName& name, std::string payload,
                                           std::optional<int64_t> crc32c) {
  if (payload.size() > limits::kMaxPayloadBytes) return errors::payload_too_large(payload.size());
  uint32_t crc = core::crc32c(payload);
  if (crc32c && *crc32c != static_cast<int64_t>(crc)) return errors::checksum_mismatch();
  ASSIGN_OR_RETURN(Secret s, load(name));
  Version v;
  v.create_time = env_.clock.now();
  v.client_specified_payload_checksum = crc32c.has_value();
  v.replication = s.replication;
  auto tx = env_.store.begin();
  ASSIGN_OR_RETURN(v.number, rows::next_version_number(env_.store, s.name));
  v.name = s.name + "/versions/" + std::to_string(v.number);
  ASSIGN_OR_RETURN(v.etag, next_etag());
  RETURN_IF_ERROR(rows::insert_version(env_.store, s.name, v, payload, crc));
  RETURN_IF_ERROR(tx.commit());
  publish_version("SECRET_VERSION_ADD", s, v);
  return v;
}

StatusOr<Version> SecretStore::get_version(const VersionName& name) const {
  return resolve(name, nullptr);
}

StatusOr<Access> SecretStore::access(const VersionName& name) const {
  ASSIGN_OR_RETURN(Version v, resolve(name, nullptr));
  if (v.state != VersionState::kEnabled) return errors::version_in_state(v.name, state_name(v.state));
  std::string secret = v.name.substr(0, v.name.rfind("/versions/"));
  ASSIGN_OR_RETURN(auto data, rows::payload(env_.store, secret, v.number));
  return Access{v.name, std::move(data.first), data.second};
}

StatusOr<Page<Version>> SecretStore::list_versions(const SecretName& name,
                                                   const ListQuery& q) const {
  ASSIGN_OR_RETURN(auto filter, Filter::parse(q.filter, known_version_field));
  ASSIGN_OR_RETURN(Secret s, load(name));
  ASSIGN_OR_RETURN(auto all, rows::versions_of(env_.store, s.name));
  for (auto& v : all) v.replication = s.replication;
  return paginate<Version>(
      std::move(all), q, filter,
      [](const Version& v, const std::string& f) { return version_field_values(v, f); },
      [](const Version& v) { return v.number; });
}

StatusOr<Version> SecretStore::enable(const VersionName& name, std::string_view etag) {
  return change_state(name, etag, VersionState::kEnabled);
}

StatusOr<Version> SecretStore::disable(const VersionName& name, std::string_view etag) {
  return change_state(name, etag, VersionState::kDisabled);
}

StatusOr<Version> SecretStore::destroy(const VersionName& name, std::string_view etag) {
  return change_state(name, etag, VersionState::kDestroyed);
}

// Enabling or disabling cancels a scheduled destruction; destroying with the secret's
// version_destroy_ttl only schedules one; destroying for good drops the version's aliases.
StatusOr<Version> SecretStore::change_state(const VersionName& name, std::string_view etag,
                                            VersionState to) {
  Secret s;
  ASSIGN_OR_RETURN(Version v, resolve(name, &s));
  if (!etag.empty() && etag != v.etag) return errors::etag_mismatch(etag);
  if (v.state == VersionState::kDestroyed) return errors::version_in_state(v.name, "DESTROYED");
  core::Time now = env_.clock.now();
  bool delayed = to == VersionState::kDestroyed && s.version_destroy_ttl.has_value();
  if (delayed && v.scheduled_destroy_time) return v;
  std::string event;
  v.scheduled_destroy_time.reset();
  if (to == VersionState::kEnabled) {
    v.state = VersionState::kEnabled;
    event = "SECRET_VERSION_ENABLE";
  } else if (to == VersionState::kDisabled) {
    v.state = VersionState::kDisabled;
    event = "SECRET_VERSION_DISABLE";
  } else if (delayed) {
    v.state = VersionState::kDisabled;
    v.scheduled_destroy_time = now + *s.version_destroy_ttl;
    event = "SECRET_VERSION_DESTROY_SCHEDULED";
  } else {
    v.state = VersionState::kDestroyed;
    v.destroy_time = now;
    event = "SECRET_VERSION_DESTROY";
  }
  return commit_state(s, std::move(v), event);
}

StatusOr<Version> SecretStore::commit_state(Secret& s, Version v, const std::string& event) {
  bool aliases_dropped = false;
  if (v.state == VersionState::kDestroyed) {
    for (auto it = s.version_aliases.begin(); it != s.version_aliases.end();) {
      bool drop = it->second == v.number;
      aliases_dropped = aliases_dropped || drop;
      it = drop ? s.version_aliases.erase(it) : std::next(it);
    }
  }
  auto tx = env_.store.begin();
  ASSIGN_OR_RETURN(v.etag, next_etag());
  RETURN_IF_ERROR(rows::update_version(env_.store, s.name, v));
  if (aliases_dropped) {
    ASSIGN_OR_RETURN(s.etag, next_etag());
    RETURN_IF_ERROR(rows::update_secret(env_.store, s));
  }
  RETURN_IF_ERROR(tx.commit());
  arm_version(s.name, v);
  publish_version(event, s, v);
  return v;
}

}  // namespace gcpsim::services::secrets
