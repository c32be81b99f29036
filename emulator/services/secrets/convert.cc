// Field-by-field translation between Secret Manager's protos and the domain. Output follows
// what the real service returns: names by project number, expire_time in place of a ttl, the
// rotation period echoed, and replication status only on global secrets' versions.
#include "services/secrets/convert.h"

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

namespace gcpsim::services::secrets {
namespace {

using google::protobuf::Timestamp;

void to_ts(core::Time t, Timestamp* out) {
  int64_t ns = t.time_since_epoch().count();
  int64_t secs = ns / 1'000'000'000;
  int64_t nanos = ns % 1'000'000'000;
  if (nanos < 0) {
    secs -= 1;
    nanos += 1'000'000'000;
  }
  out->set_seconds(secs);
  out->set_nanos(static_cast<int32_t>(nanos));
}

core::Time from_ts(const Timestamp& ts) { return core::from_seconds(ts.seconds(), ts.nanos()); }

void to_pb_duration(core::Duration d, google::protobuf::Duration* out) {
  out->set_seconds(d.count() / 1'000'000'000);
  out->set_nanos(static_cast<int32_t>(d.count() % 1'000'000'000));
}

core::Duration from_pb_duration(const google::protobuf::Duration& d) {
  return std::chrono::seconds(d.seconds()) + std::chrono::nanoseconds(d.nanos());
}

void replication_to_proto(const Replication& r, v1::Replication* out) {
  if (r.kind == Replication::Kind::kAutomatic) {
    auto* a = out->mutable_automatic();
    if (!r.kms_key_name.empty()) a->mutable_customer_managed_encryption()->set_kms_key_name(r.kms_key_name);
  } else {
    auto* u = out->mutable_user_managed();
    for (const auto& replica : r.replicas) {
      auto* pr = u->add_replicas();
      pr->set_location(replica.location);
      if (!replica.kms_key_name.empty()) {
        pr->mutable_customer_managed_encryption()->set_kms_key_name(replica.kms_key_name);
      }
    }
  }
}

// Customer-managed keys show their version in status; gcpsim has one version per key.
std::string key_version(const std::string& key) { return key + "/cryptoKeyVersions/1"; }

void replication_status(const Replication& r, v1::ReplicationStatus* out) {
  if (r.kind == Replication::Kind::kAutomatic) {
    auto* a = out->mutable_automatic();
    if (!r.kms_key_name.empty()) {
      a->mutable_customer_managed_encryption()->set_kms_key_version_name(key_version(r.kms_key_name));
    }
    return;
  }
  auto* u = out->mutable_user_managed();
  for (const auto& replica : r.replicas) {
    auto* rs = u->add_replicas();
    rs->set_location(replica.location);
    if (!replica.kms_key_name.empty()) {
      rs->mutable_customer_managed_encryption()->set_kms_key_version_name(
          key_version(replica.kms_key_name));
    }
  }
}

}  // namespace

SecretFields from_proto(const v1::Secret& in) {
  SecretFields f;
  if (in.replication().has_automatic()) {
    f.replication.kind = Replication::Kind::kAutomatic;
    f.replication.kms_key_name = in.replication().automatic().customer_managed_encryption().kms_key_name();
  } else if (in.replication().has_user_managed()) {
    f.replication.kind = Replication::Kind::kUserManaged;
    for (const auto& r : in.replication().user_managed().replicas()) {
      f.replication.replicas.push_back({r.location(), r.customer_managed_encryption().kms_key_name()});
    }
  }
  f.labels = {in.labels().begin(), in.labels().end()};
  f.annotations = {in.annotations().begin(), in.annotations().end()};
  for (const auto& t : in.topics()) f.topics.push_back(t.name());
  if (in.has_expire_time()) f.expire_time = from_ts(in.expire_time());
  if (in.has_ttl()) f.ttl = from_pb_duration(in.ttl());
  if (in.has_rotation()) {
    Rotation r;
    if (in.rotation().has_next_rotation_time()) r.next_rotation_time = from_ts(in.rotation().next_rotation_time());
    if (in.rotation().has_rotation_period()) r.rotation_period = from_pb_duration(in.rotation().rotation_period());
    f.rotation = r;
  }
  f.version_aliases = {in.version_aliases().begin(), in.version_aliases().end()};
  if (in.has_version_destroy_ttl()) f.version_destroy_ttl = from_pb_duration(in.version_destroy_ttl());
  f.kms_key_name = in.customer_managed_encryption().kms_key_name();
  if (in.secret_type() != v1::Secret::SECRET_TYPE_UNSPECIFIED) {
    f.secret_type = v1::Secret::SecretType_Name(in.secret_type());
  }
  f.etag = in.etag();
  return f;
}

void to_proto(const Secret& s, v1::Secret* out) {
  out->set_name(s.name);
  if (s.replication.kind != Replication::Kind::kNone) {
    replication_to_proto(s.replication, out->mutable_replication());
  }
  to_ts(s.create_time, out->mutable_create_time());
  out->mutable_labels()->insert(s.labels.begin(), s.labels.end());
  for (const auto& t : s.topics) out->add_topics()->set_name(t);
  if (s.expire_time) to_ts(*s.expire_time, out->mutable_expire_time());
  out->set_etag(s.etag);
  if (s.rotation) {
    auto* r = out->mutable_rotation();
    if (s.rotation->next_rotation_time) to_ts(*s.rotation->next_rotation_time, r->mutable_next_rotation_time());
    if (s.rotation->rotation_period) to_pb_duration(*s.rotation->rotation_period, r->mutable_rotation_period());
  }
  out->mutable_version_aliases()->insert(s.version_aliases.begin(), s.version_aliases.end());
  out->mutable_annotations()->insert(s.annotations.begin(), s.annotations.end());
  if (s.version_destroy_ttl) to_pb_duration(*s.version_destroy_ttl, out->mutable_version_destroy_ttl());
  if (!s.kms_key_name.empty()) out->mutable_customer_managed_encryption()->set_kms_key_name(s.kms_key_name);
  v1::Secret::SecretType type = v1::Secret::SECRET_TYPE_UNSPECIFIED;
  if (!s.secret_type.empty() && v1::Secret::SecretType_Parse(s.secret_type, &type)) out->set_secret_type(type);
}

void to_proto(const Version& v, v1::SecretVersion* out) {
  out->set_name(v.name);
  to_ts(v.create_time, out->mutable_create_time());
  if (v.destroy_time) to_ts(*v.destroy_time, out->mutable_destroy_time());
  out->set_state(static_cast<v1::SecretVersion::State>(static_cast<int>(v.state)));
  if (v.replication.kind != Replication::Kind::kNone) {
    replication_status(v.replication, out->mutable_replication_status());
  }
  out->set_etag(v.etag);
  out->set_client_specified_payload_checksum(v.client_specified_payload_checksum);
  if (v.scheduled_destroy_time) to_ts(*v.scheduled_destroy_time, out->mutable_scheduled_destroy_time());
}

Policy from_proto(const ::google::iam::v1::Policy& in) {
  Policy p;
  p.version = in.version();
  p.etag = in.etag();
  for (const auto& b : in.bindings()) {
    Binding binding{b.role(), {b.members().begin(), b.members().end()}, std::nullopt};
    if (b.has_condition()) {
      const auto& c = b.condition();
      binding.condition = Condition{c.expression(), c.title(), c.description(), c.location()};
    }
    p.bindings.push_back(std::move(binding));
  }
  return p;
}

void to_proto(const Policy& p, ::google::iam::v1::Policy* out) {
  out->set_version(p.version);
  out->set_etag(p.etag);
  for (const auto& b : p.bindings) {
    auto* pb = out->add_bindings();
    pb->set_role(b.role);
    for (const auto& m : b.members) pb->add_members(m);
    if (b.condition) {
      auto* c = pb->mutable_condition();
      c->set_expression(b.condition->expression);
      c->set_title(b.condition->title);
      c->set_description(b.condition->description);
      c->set_location(b.condition->location);
    }
  }
}

}  // namespace gcpsim::services::secrets
