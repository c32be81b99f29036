// google.cloud.secretmanager.v1 and google.iam.v1 messages ⇄ the domain's plain structs.
#pragma once
#include <google/cloud/secretmanager/v1/resources.pb.h>
#include <google/iam/v1/policy.pb.h>

#include "services/secrets/domain.h"

namespace gcpsim::services::secrets {

namespace v1 = ::google::cloud::secretmanager::v1;

SecretFields from_proto(const v1::Secret& in);
void to_proto(const Secret& s, v1::Secret* out);
void to_proto(const Version& v, v1::SecretVersion* out);

Policy from_proto(const ::google::iam::v1::Policy& in);
void to_proto(const Policy& p, ::google::iam::v1::Policy* out);

}  // namespace gcpsim::services::secrets
