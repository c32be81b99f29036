// Storage signed URLs (V4 X-Goog-* and V2 GoogleAccessId/Expires/Signature): the request
// line's query and the headers are parsed and the canonical request rebuilt. The signature
// is checked by a verifier that accepts one fixed value, so both outcomes are reached.
#include "core/time.h"
#include "fuzz.h"
#include "services/storage/signed_url.h"
#include "storage_bodies.h"

using namespace gcpsim;

GCPSIM_FUZZ_TARGET(storage_signed_url) {
  auto req = fuzz::request_from(input);
  if (!services::storage::is_signed_url(req)) return;
  static const core::Time now = *core::parse_rfc3339("2026-01-05T09:00:00Z");
  services::storage::Verify verify = [](const std::string& data, const std::string& sig) {
    return !data.empty() && sig.size() == 256;
  };
  auto err = services::storage::verify_signed_url(req, now, verify);
  if (err) (void)services::storage::xml_error(*err);
}
