// Pub/Sub schema definitions and message validation: the first byte picks Avro or
// Protocol Buffer, the definition runs to a line "----", the rest is a message checked in
// JSON and in binary encoding against the compiled schema.
#include "fuzz.h"
#include "services/pubsub/domain.h"
#include "services/pubsub/schema_validator.h"

using namespace gcpsim;
namespace pubsub = gcpsim::services::pubsub;

GCPSIM_FUZZ_TARGET(pubsub_schema) {
  if (input.empty()) return;
  bool avro = (input[0] & 1) == 0;
  input.remove_prefix(1);
  constexpr std::string_view kSplit = "\n----\n";
  auto cut = input.find(kSplit);
  std::string definition(input.substr(0, cut));
  std::string_view message = cut == std::string_view::npos ? std::string_view() : input.substr(cut + kSplit.size());
  auto v = avro ? pubsub::compile_avro(definition) : pubsub::compile_protobuf(definition);
  if (!v.ok()) return;
  (void)(*v)->validate(pubsub::Encoding::kJson, message);
  (void)(*v)->validate(pubsub::Encoding::kBinary, message);
}
