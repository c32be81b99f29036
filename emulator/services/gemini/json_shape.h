// Checks a request body against its protobuf message type the way Google's front ends read
// proto3 JSON, so malformed requests fail with the real wording ("Invalid JSON payload
// received. Unknown name …", "Invalid value at 'contents[0].role' …").
#pragma once
#include <nlohmann/json.hpp>

#include "core/status.h"

namespace google::protobuf { class Descriptor; }

namespace gcpsim::services::gemini {

// INVALID_ARGUMENT with a BadRequest detail listing every violation; OK when the body
// would parse into the message.
core::Status check_json_shape(const nlohmann::ordered_json& body, const google::protobuf::Descriptor* type);

}  // namespace gcpsim::services::gemini
