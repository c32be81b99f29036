// Pub/Sub proto ⇄ domain conversions and update-mask application.
#include "services/pubsub/convert.h"

#include <algorithm>

#include <google/protobuf/util/field_mask_util.h>

#include "services/pubsub/errors.h"

namespace gcpsim::services::pubsub {
namespace {

using google::protobuf::util::FieldMaskUtil;

constexpr Duration kDefaultRetention = std::chrono::hours(24 * 7);
constexpr Duration kDefaultExpiration = std::chrono::hours(24 * 31);
constexpr Duration kDefaultAckDeadline = std::chrono::seconds(10);
constexpr int kDefaultDeliveryAttempts = 5;

v1::Encoding encoding_to_proto(Encoding e) {
  switch (e) {
    case Encoding::kJson: return v1::JSON;
    case Encoding::kBinary: return v1::BINARY;
    case Encoding::kUnspecified: break;
  }
  return v1::ENCODING_UNSPECIFIED;
}

Encoding encoding_from_proto(v1::Encoding e) {
  switch (e) {
    case v1::JSON: return Encoding::kJson;
    case v1::BINARY: return Encoding::kBinary;
    default: return Encoding::kUnspecified;
  }
}

// Fields stored and echoed but not acted on travel as a serialized partial proto.
std::string topic_passthrough(const v1::Topic& t) {
  v1::Topic keep;
  if (t.has_message_storage_policy()) *keep.mutable_message_storage_policy() = t.message_storage_policy();
  if (t.has_ingestion_data_source_settings()) {
    *keep.mutable_ingestion_data_source_settings() = t.ingestion_data_source_settings();
  }
  *keep.mutable_message_transforms() = t.message_transforms();
  keep.set_satisfies_pzs(t.satisfies_pzs());
  return keep.SerializeAsString();
}

std::string subscription_passthrough(const v1::Subscription& s) {
  v1::Subscription keep;
  if (s.has_bigquery_config()) *keep.mutable_bigquery_config() = s.bigquery_config();
  if (s.has_cloud_storage_config()) *keep.mutable_cloud_storage_config() = s.cloud_storage_config();
  if (s.has_bigtable_config()) *keep.mutable_bigtable_config() = s.bigtable_config();
  *keep.mutable_message_transforms() = s.message_transforms();
  return keep.SerializeAsString();
}

}  // namespace

Duration from_proto(const google::protobuf::Duration& d) {
  return std::chrono::seconds(d.seconds()) + std::chrono::nanoseconds(d.nanos());
}

void to_proto(Duration d, google::protobuf::Duration* out) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(d);
  out->set_seconds(secs.count());
  out->set_nanos(static_cast<int32_t>((d - secs).count()));
}

Time from_proto(const google::protobuf::Timestamp& t) { return core::from_seconds(t.seconds(), t.nanos()); }

void to_proto(Time t, google::protobuf::Timestamp* out) {
  auto since = t.time_since_epoch();
  auto secs = std::chrono::floor<std::chrono::seconds>(since);
  out->set_seconds(secs.count());
  out->set_nanos(static_cast<int32_t>((since - secs).count()));
}

MessageView from_proto(const v1::PubsubMessage& m) {
  MessageView out{m.data(), {}, m.ordering_key()};
  out.attributes.reserve(m.attributes().size());
  for (const auto& [key, value] : m.attributes()) out.attributes.push_back({key, value});
  std::sort(out.attributes.begin(), out.attributes.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

void to_proto(const Message& m, v1::PubsubMessage* out) {
  out->set_data(m.data().data(), m.data().size());
  auto& attributes = *out->mutable_attributes();
  for (auto [k, v] : m.attributes()) attributes[std::string(k)] = std::string(v);
  out->set_message_id(m.id());
  to_proto(m.publish_time(), out->mutable_publish_time());
  out->set_ordering_key(m.ordering_key().data(), m.ordering_key().size());
}

void to_proto(const Delivery& d, v1::ReceivedMessage* out) {
  out->set_ack_id(d.ack_id);
  to_proto(*d.message, out->mutable_message());
  out->set_delivery_attempt(d.delivery_attempt);
}

TopicConfig topic_config(const v1::Topic& t) {
  TopicConfig c;
  c.labels.insert(t.labels().begin(), t.labels().end());
  if (t.has_message_retention_duration()) c.message_retention = from_proto(t.message_retention_duration());
  if (t.has_schema_settings()) {
    const auto& s = t.schema_settings();
    c.schema = SchemaSettings{s.schema(), encoding_from_proto(s.encoding()), s.first_revision_id(),
                              s.last_revision_id()};
  }
  c.kms_key_name = t.kms_key_name();
  c.passthrough = topic_passthrough(t);
  return c;
}

void to_proto(const Topic& t, v1::Topic* out) {
  out->ParseFromString(t.config.passthrough);
  out->set_name(t.name);
  out->mutable_labels()->insert(t.config.labels.begin(), t.config.labels.end());
  if (t.config.message_retention) to_proto(*t.config.message_retention, out->mutable_message_retention_duration());
  if (t.config.schema) {
    auto* s = out->mutable_schema_settings();
    s->set_schema(t.config.schema->schema);
    s->set_encoding(encoding_to_proto(t.config.schema->encoding));
    s->set_first_revision_id(t.config.schema->first_revision_id);
    s->set_last_revision_id(t.config.schema->last_revision_id);
  }
  out->set_kms_key_name(t.config.kms_key_name);
  out->set_state(v1::Topic::ACTIVE);
}

SubscriptionConfig subscription_config(const v1::Subscription& s) {
  SubscriptionConfig c;
  c.topic = s.topic();
  c.ack_deadline = s.ack_deadline_seconds() == 0 ? kDefaultAckDeadline : std::chrono::seconds(s.ack_deadline_seconds());
  c.retain_acked_messages = s.retain_acked_messages();
  c.message_retention = s.has_message_retention_duration() ? from_proto(s.message_retention_duration()) : kDefaultRetention;
  c.labels.insert(s.labels().begin(), s.labels().end());
  c.enable_message_ordering = s.enable_message_ordering();
  if (!s.has_expiration_policy()) {
    c.expiration_ttl = kDefaultExpiration;
  } else if (s.expiration_policy().has_ttl()) {
    c.expiration_ttl = from_proto(s.expiration_policy().ttl());
  } else {
    c.expiration_ttl.reset();  // an empty policy: never expires
  }
  c.filter = s.filter();
  if (s.has_dead_letter_policy() && !s.dead_letter_policy().dead_letter_topic().empty()) {
    int n = s.dead_letter_policy().max_delivery_attempts();
    c.dead_letter = DeadLetterPolicy{s.dead_letter_policy().dead_letter_topic(), n == 0 ? kDefaultDeliveryAttempts : n};
  }
  if (s.has_retry_policy()) {
    RetryPolicy r;
    if (s.retry_policy().has_minimum_backoff()) r.minimum_backoff = from_proto(s.retry_policy().minimum_backoff());
    if (s.retry_policy().has_maximum_backoff()) r.maximum_backoff = from_proto(s.retry_policy().maximum_backoff());
    c.retry = r;
  }
  c.exactly_once = s.enable_exactly_once_delivery();
  if (s.has_push_config() && !s.push_config().push_endpoint().empty()) {
    const auto& p = s.push_config();
    PushConfig push;
    push.endpoint = p.push_endpoint();
    push.attributes.insert(p.attributes().begin(), p.attributes().end());
    if (p.has_oidc_token()) push.oidc = PushConfig::Oidc{p.oidc_token().service_account_email(), p.oidc_token().audience()};
    push.no_wrapper = p.has_no_wrapper();
    push.write_metadata = p.has_no_wrapper() && p.no_wrapper().write_metadata();
    c.push = std::move(push);
  }
  if (s.has_bigquery_config() && !s.bigquery_config().table().empty()) {
    const auto& b = s.bigquery_config();
    c.bigquery = BigQueryConfig{b.table(), b.use_topic_schema(), b.use_table_schema(), b.write_metadata(),
                                b.drop_unknown_fields()};
  }
  c.passthrough = subscription_passthrough(s);
  return c;
}

void to_proto(const Subscription& s, v1::Subscription* out) {
  const SubscriptionConfig& c = s.config;
  out->ParseFromString(c.passthrough);
  out->set_name(s.name);
  out->set_topic(c.topic);
  if (c.bigquery) out->mutable_bigquery_config()->set_state(v1::BigQueryConfig::ACTIVE);
  auto* push = out->mutable_push_config();
  if (c.push) {
    push->set_push_endpoint(c.push->endpoint);
    push->mutable_attributes()->insert(c.push->attributes.begin(), c.push->attributes.end());
    if (c.push->oidc) {
      push->mutable_oidc_token()->set_service_account_email(c.push->oidc->service_account_email);
      push->mutable_oidc_token()->set_audience(c.push->oidc->audience);
    }
    if (c.push->no_wrapper) push->mutable_no_wrapper()->set_write_metadata(c.push->write_metadata);
  }
  out->set_ack_deadline_seconds(static_cast<int32_t>(std::chrono::duration_cast<std::chrono::seconds>(c.ack_deadline).count()));
  out->set_retain_acked_messages(c.retain_acked_messages);
  to_proto(c.message_retention, out->mutable_message_retention_duration());
  out->mutable_labels()->insert(c.labels.begin(), c.labels.end());
  out->set_enable_message_ordering(c.enable_message_ordering);
  auto* expiration = out->mutable_expiration_policy();
  if (c.expiration_ttl) to_proto(*c.expiration_ttl, expiration->mutable_ttl());
  out->set_filter(c.filter);
  if (c.dead_letter) {
    out->mutable_dead_letter_policy()->set_dead_letter_topic(c.dead_letter->topic);
    out->mutable_dead_letter_policy()->set_max_delivery_attempts(c.dead_letter->max_delivery_attempts);
  }
  if (c.retry) {
    to_proto(c.retry->minimum_backoff, out->mutable_retry_policy()->mutable_minimum_backoff());
    to_proto(c.retry->maximum_backoff, out->mutable_retry_policy()->mutable_maximum_backoff());
  }
  out->set_detached(s.detached);
  out->set_enable_exactly_once_delivery(c.exactly_once);
  if (s.topic_message_retention) to_proto(*s.topic_message_retention, out->mutable_topic_message_retention_duration());
  out->set_state(v1::Subscription::ACTIVE);
}

void to_proto(const Snapshot& s, v1::Snapshot* out) {
  out->set_name(s.name);
  out->set_topic(s.topic);
  to_proto(s.expire_time, out->mutable_expire_time());
  out->mutable_labels()->insert(s.labels.begin(), s.labels.end());
}

core::Status apply_mask(const google::protobuf::Message& update, const google::protobuf::FieldMask& mask,
                        google::protobuf::Message* current, std::string_view request, std::string_view example) {
  if (mask.paths_size() == 0) return errors::update_mask_required(request);
  const auto* desc = current->GetDescriptor();
  for (const auto& path : mask.paths()) {
    if (!FieldMaskUtil::GetFieldDescriptors(desc, path, nullptr)) {
      return errors::unknown_mask_field(request, desc->name(), path, example);
    }
  }
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(update, mask, options, current);
  return core::Status::ok();
}

}  // namespace gcpsim::services::pubsub
