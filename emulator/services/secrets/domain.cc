// SecretStore: secrets (create, get, list, update, delete), IAM policies, names, etags and
// pagination. Versions are in versions.cc, the clock's work in timers.cc.
#include "services/secrets/domain.h"

#include <limits>
#include <set>

#include "core/env.h"
#include "core/store.h"
#include "services/secrets/errors.h"
#include "services/secrets/fields.h"
#include "services/secrets/filter.h"
#include "services/secrets/limits.h"
#include "services/secrets/pages.h"
#include "services/secrets/rows.h"

namespace gcpsim::services::secrets {
namespace {

using core::Status;
using core::StatusOr;

// Policies nobody set carry IAM's empty-policy etag, "ACAB" in base64.
const std::string kEmptyPolicyEtag("\x00\x20\x01", 3);

const std::vector<std::string> kSecretPermissions = {
    "secretmanager.secrets.delete",        "secretmanager.secrets.get",
    "secretmanager.secrets.getIamPolicy",  "secretmanager.secrets.setIamPolicy",
    "secretmanager.secrets.update",        "secretmanager.versions.access",
    "secretmanager.versions.add",          "secretmanager.versions.destroy",
    "secretmanager.versions.disable",      "secretmanager.versions.enable",
    "secretmanager.versions.get",          "secretmanager.versions.list",
};

bool valid_member(const std::string& m) {
  if (m == "allUsers" || m == "allAuthenticatedUsers") return true;
  for (const char* prefix : {"user:", "serviceAccount:", "group:", "domain:", "principal://",
                             "principalSet://", "deleted:", "projectOwner:", "projectEditor:",
                             "projectViewer:"}) {
    std::string_view p(prefix);
    if (m.size() > p.size() && m.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

Status validate_policy(Policy& p) {
  bool conditional = false;
  std::vector<Binding> kept;
  for (auto& b : p.bindings) {
    if (b.role.rfind("roles/", 0) != 0 && b.role.find("/roles/") == std::string::npos) {
      return errors::invalid("Role [" + b.role + "] is not a valid role name.");
    }
    for (const auto& m : b.members) {
      if (!valid_member(m)) return errors::invalid("Invalid member [" + m + "] in the policy.");
    }
    conditional = conditional || b.condition.has_value();
    if (!b.members.empty()) kept.push_back(std::move(b));
  }
  if (conditional && p.version < 3) {
    return errors::invalid("Policies with conditional role bindings must specify version 3.");
  }
  p.bindings = std::move(kept);
  p.version = conditional ? 3 : 1;
  return Status::ok();
}

}  // namespace

const char* state_name(VersionState s) {
  switch (s) {
    case VersionState::kEnabled: return "ENABLED";
    case VersionState::kDisabled: return "DISABLED";
    case VersionState::kDestroyed: return "DESTROYED";
  }
  return "STATE_UNSPECIFIED";
}

SecretStore::SecretStore(core::Env& env) : env_(env) {}

SecretStore::~SecretStore() {
  for (const auto& [key, id] : timers_) env_.clock.cancel(id);
}

StatusOr<std::unique_ptr<SecretStore>> SecretStore::open(core::Env& env) {
  RETURN_IF_ERROR(rows::migrate(env.store));
  std::unique_ptr<SecretStore> store(new SecretStore(env));
  ASSIGN_OR_RETURN(store->last_etag_, rows::meta(env.store, "etag"));
  RETURN_IF_ERROR(store->rearm_all());
  return store;
}

SecretName SecretStore::canonical(SecretName name) const {
  if (name.project == env_.project) name.project = env_.project_number;
  return name;
}

ParentName SecretStore::canonical(ParentName name) const {
  if (name.project == env_.project) name.project = env_.project_number;
  return name;
}

// Etags are the change's microsecond with 2^52 added, in hex and quoted, as Secret Manager
// sends them; two changes in one microsecond still get distinct etags.
StatusOr<std::string> SecretStore::next_etag() {
  int64_t value = core::to_micros(env_.clock.now()) + (int64_t{1} << 52);
  last_etag_ = std::max(value, last_etag_ + 1);
  RETURN_IF_ERROR(rows::put_meta(env_.store, "etag", last_etag_));
  char buf[32];
  std::snprintf(buf, sizeof buf, "\"%llx\"", static_cast<unsigned long long>(last_etag_));
  return std::string(buf);
}

StatusOr<Secret> SecretStore::load(const SecretName& name) const {
  SecretName c = canonical(name);
  ASSIGN_OR_RETURN(auto found, rows::find_secret(env_.store, c.str()));
  if (!found) return errors::secret_not_found(c.str());
  return std::move(*found);
}

Status SecretStore::check_aliases(const Secret& s) const {
  for (const auto& [alias, number] : s.version_aliases) {
    ASSIGN_OR_RETURN(auto v, rows::find_version(env_.store, s.name, number));
    if (!v || v->state == VersionState::kDestroyed) {
      return errors::invalid("Version alias [" + alias + "] refers to version [" +
                             std::to_string(number) + "], which does not exist or is destroyed.");
    }
  }
  return Status::ok();
}

Status SecretStore::check_new_topics(const Secret& before, const Secret& after) const {
  if (!topic_check_) return Status::ok();
  std::set<std::string> old(before.topics.begin(), before.topics.end());
  for (const auto& t : after.topics) {
    if (!old.count(t)) RETURN_IF_ERROR(topic_check_(t));
  }
  return Status::ok();
}

StatusOr<Secret> SecretStore::create(const ParentName& parent, std::string_view secret_id,
                                     SecretFields fields) {
  ParentName p = canonical(parent);
  if (!valid_secret_id(secret_id)) return errors::bad_secret_id(secret_id);
  core::Time now = env_.clock.now();
  Secret s;
  static_cast<SecretFields&>(s) = std::move(fields);
  s.name = p.str() + "/secrets/" + std::string(secret_id);
  s.create_time = now;
  if (s.ttl) {
    if (*s.ttl <= core::Duration::zero()) return errors::invalid("ttl must be positive.");
    s.expire_time = now + *s.ttl;
    s.ttl.reset();
  }
  if (s.expire_time && *s.expire_time <= now) {
    return errors::invalid("expire_time must be in the future.");
  }
  if (s.rotation && !s.rotation->next_rotation_time && !s.rotation->rotation_period) {
    s.rotation.reset();
  }
  RETURN_IF_ERROR(validate_secret(s, !p.location.empty(), true, now));
  ASSIGN_OR_RETURN(auto existing, rows::find_secret(env_.store, s.name));
  if (existing) return errors::secret_exists(s.name);
  RETURN_IF_ERROR(check_aliases(s));
  RETURN_IF_ERROR(check_new_topics(Secret{}, s));
  auto tx = env_.store.begin();
  ASSIGN_OR_RETURN(s.etag, next_etag());
  RETURN_IF_ERROR(rows::insert_secret(env_.store, s));
  RETURN_IF_ERROR(tx.commit());
  arm_secret(s);
  publish_topics_configured(Secret{}, s);
  publish_secret("SECRET_CREATE", s);
  return s;
}

StatusOr<Secret> SecretStore::get(const SecretName& name) const { return load(name); }

StatusOr<Page<Secret>> SecretStore::list(const ParentName& parent, const ListQuery& q) const {
  ASSIGN_OR_RETURN(auto filter, Filter::parse(q.filter, known_secret_field));
  ASSIGN_OR_RETURN(auto all, rows::secrets_under(env_.store, canonical(parent).str()));
  return paginate<Secret>(
      std::move(all), q, filter,
      [](const Secret& s, const std::string& f) { return secret_field_values(s, f); },
      [](const Secret& s) { return s.order; });
}

StatusOr<Secret> SecretStore::update(const SecretName& name, const SecretFields& fields,
                                     const std::vector<std::string>& mask) {
  if (mask.empty()) return errors::empty_mask();
  ASSIGN_OR_RETURN(Secret before, load(name));
  if (!fields.etag.empty() && fields.etag != before.etag) return errors::etag_mismatch(fields.etag);
  core::Time now = env_.clock.now();
  if (fields.ttl && *fields.ttl <= core::Duration::zero()) {
    return errors::invalid("ttl must be positive.");
  }
  Secret after = before;
  ASSIGN_OR_RETURN(MaskEffect effect, apply_mask(after, fields, mask, now));
  if (after.expire_time && after.expire_time != before.expire_time && *after.expire_time <= now) {
    return errors::invalid("expire_time must be in the future.");
  }
  RETURN_IF_ERROR(validate_secret(after, !canonical(name).location.empty(), effect.rotation, now));
  if (effect.aliases) RETURN_IF_ERROR(check_aliases(after));
  if (effect.topics) RETURN_IF_ERROR(check_new_topics(before, after));
  auto tx = env_.store.begin();
  ASSIGN_OR_RETURN(after.etag, next_etag());
  RETURN_IF_ERROR(rows::update_secret(env_.store, after));
  RETURN_IF_ERROR(tx.commit());
  arm_secret(after);
  publish_topics_configured(before, after);
  publish_secret("SECRET_UPDATE", after);
  return after;
}

Status SecretStore::remove(const SecretName& name, std::string_view etag) {
  ASSIGN_OR_RETURN(Secret s, load(name));
  if (!etag.empty() && etag != s.etag) return errors::etag_mismatch(etag);
  auto tx = env_.store.begin();
  RETURN_IF_ERROR(rows::delete_secret(env_.store, s.name));
  RETURN_IF_ERROR(tx.commit());
  disarm_secret(s.name);
  publish_secret("SECRET_DELETE", s, "REQUESTED");
  return Status::ok();
}

StatusOr<Policy> SecretStore::get_policy(const SecretName& name) const {
  ASSIGN_OR_RETURN(Secret s, load(name));
  ASSIGN_OR_RETURN(auto p, rows::find_policy(env_.store, s.name));
  if (p) return std::move(*p);
  Policy empty;
  empty.etag = kEmptyPolicyEtag;
  return empty;
}

StatusOr<Policy> SecretStore::set_policy(const SecretName& name, Policy policy) {
  ASSIGN_OR_RETURN(Policy current, get_policy(name));
  if (!policy.etag.empty() && policy.etag != current.etag) return errors::policy_etag_mismatch();
  RETURN_IF_ERROR(validate_policy(policy));
  auto tx = env_.store.begin();
  ASSIGN_OR_RETURN(std::string etag, next_etag());
  // IAM etags are 8 opaque bytes; 0x07 first, like the real ones ("BwX…").
  uint64_t v = static_cast<uint64_t>(last_etag_);
  policy.etag = std::string(1, '\x07');
  for (int shift = 48; shift >= 0; shift -= 8) policy.etag += static_cast<char>((v >> shift) & 0xFF);
  RETURN_IF_ERROR(rows::put_policy(env_.store, canonical(name).str(), policy));
  RETURN_IF_ERROR(tx.commit());
  return policy;
}

StatusOr<std::vector<std::string>> SecretStore::test_permissions(
    const SecretName& name, const std::vector<std::string>& permissions) const {
  std::vector<std::string> granted;
  for (const auto& p : permissions) {
    if (p.find('*') != std::string::npos) {
      return errors::invalid("Permission [" + p + "] is not valid: wildcards are not allowed.");
    }
  }
  ASSIGN_OR_RETURN(auto found, rows::find_secret(env_.store, canonical(name).str()));
  if (!found) return granted;
  for (const auto& p : permissions) {
    for (const auto& known : kSecretPermissions) {
      if (p == known) granted.push_back(p);
    }
  }
  return granted;
}

}  // namespace gcpsim::services::secrets
