// google.pubsub.v1 protos ⇄ the Pub/Sub domain's types, defaults included, and update
// masks applied the way the real service applies them.
#pragma once
#include <string_view>

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/pubsub/v1/pubsub.pb.h>

#include "services/pubsub/domain.h"

namespace gcpsim::services::pubsub {

namespace v1 = ::google::pubsub::v1;

Duration from_proto(const google::protobuf::Duration& d);
void to_proto(Duration d, google::protobuf::Duration* out);
Time from_proto(const google::protobuf::Timestamp& t);
void to_proto(Time t, google::protobuf::Timestamp* out);

// A view into `m`: valid while it is.
MessageView from_proto(const v1::PubsubMessage& m);
void to_proto(const Message& m, v1::PubsubMessage* out);
void to_proto(const Delivery& d, v1::ReceivedMessage* out);

TopicConfig topic_config(const v1::Topic& t);
void to_proto(const Topic& t, v1::Topic* out);

// Applies the service's defaults for fields left unset (ack deadline 10 s, retention 7 days,
// expiration after 31 days, 5 delivery attempts, backoff 10 s–600 s).
SubscriptionConfig subscription_config(const v1::Subscription& s);
void to_proto(const Subscription& s, v1::Subscription* out);

void to_proto(const Snapshot& s, v1::Snapshot* out);

// Copies the fields named by `mask` from `update` into `current` (maps and repeated fields
// are replaced, not merged). `request` and `example` word the errors.
core::Status apply_mask(const google::protobuf::Message& update, const google::protobuf::FieldMask& mask,
                        google::protobuf::Message* current, std::string_view request, std::string_view example);

}  // namespace gcpsim::services::pubsub
