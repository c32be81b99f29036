// The `fields` parameter: partial responses such as "items(name,size),nextPageToken" or
// "name,metadata/owner".
#pragma once
#include <string_view>

#include "core/status.h"
#include "services/storage/resource.h"

namespace gcpsim::services::storage {

// Keeps only the selected fields of `j`; 400 for a malformed selector.
core::StatusOr<Json> select_fields(const Json& j, std::string_view fields);

}  // namespace gcpsim::services::storage
