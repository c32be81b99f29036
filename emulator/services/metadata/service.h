// The metadata server (GCE_METADATA_HOST) as google-auth-library and gcp-metadata expect it:
// project and instance facts, and the default service account's tokens, minted by iam.
#pragma once
#include <memory>

#include "services/service.h"

namespace gcpsim::services::metadata {

std::unique_ptr<Service> create(Context& ctx);

}  // namespace gcpsim::services::metadata
