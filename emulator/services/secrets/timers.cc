// SecretStore's work on the clock — expiry, rotation, delayed destruction — and the
// notifications it hands to Pub/Sub. Timers are re-armed from the store when it opens, and
// each one re-reads the store when it fires, so a stale timer does nothing.
#include "core/env.h"
#include "core/events.h"
#include "core/store.h"
#include "services/secrets/domain.h"
#include "services/secrets/rows.h"

namespace gcpsim::services::secrets {

using core::Status;

namespace {

constexpr const char* kService = "secrets";

std::string expire_key(const std::string& s) { return "expire:" + s; }
std::string rotate_key(const std::string& s) { return "rotate:" + s; }
std::string destroy_prefix(const std::string& s) { return "destroy:" + s + "/"; }

}  // namespace

Status SecretStore::rearm_all() {
  ASSIGN_OR_RETURN(auto secrets, rows::all_secrets(env_.store));
  for (const auto& s : secrets) arm_secret(s);
  ASSIGN_OR_RETURN(auto pending, rows::pending_destructions(env_.store));
  for (const auto& [secret, v] : pending) arm_version(secret, v);
  return Status::ok();
}

void SecretStore::arm(const std::string& key, core::Time at, std::function<void()> fn) {
  disarm(key);
  timers_[key] = env_.clock.schedule(at, [this, key, fn = std::move(fn)] {
    timers_.erase(key);
    fn();
  });
}

void SecretStore::disarm(const std::string& key) {
  auto it = timers_.find(key);
  if (it == timers_.end()) return;
  env_.clock.cancel(it->second);
  timers_.erase(it);
}

void SecretStore::disarm_secret(const std::string& secret) {
  disarm(expire_key(secret));
  disarm(rotate_key(secret));
  std::string prefix = destroy_prefix(secret);
  for (auto it = timers_.lower_bound(prefix);
       it != timers_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
    env_.clock.cancel(it->second);
    it = timers_.erase(it);
  }
}

void SecretStore::arm_secret(const Secret& s) {
  std::string name = s.name;
  if (s.expire_time) {
    arm(expire_key(name), *s.expire_time, [this, name] { expire(name); });
  } else {
    disarm(expire_key(name));
  }
  if (s.rotation && s.rotation->next_rotation_time) {
    arm(rotate_key(name), *s.rotation->next_rotation_time, [this, name] { rotate(name); });
  } else {
    disarm(rotate_key(name));
  }
}

void SecretStore::arm_version(const std::string& secret, const Version& v) {
  std::string key = destroy_prefix(secret) + std::to_string(v.number);
  if (v.scheduled_destroy_time && v.state != VersionState::kDestroyed) {
    int64_t number = v.number;
    arm(key, *v.scheduled_destroy_time, [this, secret, number] { destroy_due(secret, number); });
  } else {
    disarm(key);
  }
}

void SecretStore::expire(const std::string& secret) {
  auto found = rows::find_secret(env_.store, secret);
  if (!found.ok() || !*found) return;
  Secret s = std::move(**found);
  if (!s.expire_time || *s.expire_time > env_.clock.now()) return arm_secret(s);
  auto tx = env_.store.begin();
  Status st = rows::delete_secret(env_.store, s.name);
  if (st.is_ok()) st = tx.commit();
  if (!st.is_ok()) {
    env_.events.record("secrets.error", kService, {{"secret", s.name}, {"message", st.message()}});
    return;
  }
  disarm_secret(s.name);
  env_.events.record("secrets.expired", kService, {{"secret", s.name}});
  publish_secret("SECRET_DELETE", s, "EXPIRATION");
}

// The message goes out with next_rotation_time already moved on by the period, as the
// real service sends it; without a period the schedule ends.
void SecretStore::rotate(const std::string& secret) {
  auto found = rows::find_secret(env_.store, secret);
  if (!found.ok() || !*found) return;
  Secret s = std::move(**found);
  if (!s.rotation || !s.rotation->next_rotation_time) return;
  if (*s.rotation->next_rotation_time > env_.clock.now()) return arm_secret(s);
  if (s.rotation->rotation_period) {
    *s.rotation->next_rotation_time += *s.rotation->rotation_period;
  } else {
    s.rotation.reset();
  }
  auto tx = env_.store.begin();
  auto etag = next_etag();
  Status st = etag.ok() ? Status::ok() : etag.status();
  if (st.is_ok()) {
    s.etag = *etag;
    st = rows::update_secret(env_.store, s);
  }
  if (st.is_ok()) st = tx.commit();
  if (!st.is_ok()) {
    env_.events.record("secrets.error", kService, {{"secret", s.name}, {"message", st.message()}});
    return;
  }
  arm_secret(s);
  env_.events.record("secrets.rotation", kService, {{"secret", s.name}});
  publish_secret("SECRET_ROTATE", s);
}

void SecretStore::destroy_due(const std::string& secret, int64_t number) {
  auto found = rows::find_secret(env_.store, secret);
  if (!found.ok() || !*found) return;
  Secret s = std::move(**found);
  auto v = rows::find_version(env_.store, secret, number);
  if (!v.ok() || !*v || !(*v)->scheduled_destroy_time) return;
  Version version = std::move(**v);
  if (*version.scheduled_destroy_time > env_.clock.now()) return arm_version(secret, version);
  version.replication = s.replication;
  version.state = VersionState::kDestroyed;
  version.destroy_time = env_.clock.now();
  version.scheduled_destroy_time.reset();
  auto done = commit_state(s, std::move(version), "SECRET_VERSION_DESTROY");
  if (!done.ok()) {
    env_.events.record("secrets.error", kService,
                       {{"secret", secret}, {"message", done.status().message()}});
    return;
  }
  env_.events.record("secrets.version_destroyed", kService,
                     {{"secret", secret}, {"version", number}});
}

void SecretStore::publish(Notification n) const {
  if (notify_ && !n.topics.empty()) notify_(n);
}

void SecretStore::publish_secret(const std::string& event_type, const Secret& s,
                                 std::string delete_type) const {
  Notification n;
  n.event_type = event_type;
  n.topics = s.topics;
  n.time = env_.clock.now();
  n.secret_name = s.name;
  n.secret = s;
  n.delete_type = std::move(delete_type);
  publish(std::move(n));
}

void SecretStore::publish_version(const std::string& event_type, const Secret& s,
                                  const Version& v) const {
  Notification n;
  n.event_type = event_type;
  n.topics = s.topics;
  n.time = env_.clock.now();
  n.secret_name = s.name;
  n.version = v;
  publish(std::move(n));
}

// A topic newly set on a secret first gets a TOPIC_CONFIGURED message with no data.
void SecretStore::publish_topics_configured(const Secret& before, const Secret& after) const {
  Notification n;
  n.event_type = "TOPIC_CONFIGURED";
  n.time = env_.clock.now();
  n.secret_name = after.name;
  for (const auto& t : after.topics) {
    bool known = false;
    for (const auto& old : before.topics) known = known || old == t;
    if (!known) n.topics.push_back(t);
  }
  publish(std::move(n));
}

}  // namespace gcpsim::services::secrets
