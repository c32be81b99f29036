// Compiled Pub/Sub schemas (Avro and Protocol Buffer) that check messages in JSON or
// binary encoding, as topics with schema settings and ValidateMessage require.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "services/pubsub/domain.h"

namespace gcpsim::services::pubsub {

enum class SchemaType { kUnspecified, kProtocolBuffer, kAvro };

class SchemaValidator {
 public:
  virtual ~SchemaValidator() = default;
  // INVALID_ARGUMENT with the reason when `data` does not conform.
  virtual core::Status validate(Encoding encoding, std::string_view data) const = 0;
};

// INVALID_ARGUMENT naming what is wrong with the definition.
core::StatusOr<std::shared_ptr<const SchemaValidator>> compile_avro(const std::string& definition);
core::StatusOr<std::shared_ptr<const SchemaValidator>> compile_protobuf(const std::string& definition);

}  // namespace gcpsim::services::pubsub
