// Storage browser uploads: a multipart/form-data body (fields, then the file) and the V4
// POST policy document its `policy` field carries (base64 JSON: expiration, conditions).
// Every signature is accepted here so the conditions themselves are reached.
#include "core/time.h"
#include "fuzz.h"
#include "services/storage/form.h"
#include "services/storage/policy.h"
#include "services/storage/signed_url.h"
#include "storage_bodies.h"

using namespace gcpsim;

GCPSIM_FUZZ_TARGET(storage_policy) {
  auto req = fuzz::request_from(input);
  auto form = services::storage::parse_form(req.header("Content-Type").value_or(""), req.body, "", req.body_size);
  if (!form.ok()) return;
  if (form->file_offset > req.body_size || form->file_length > req.body_size - form->file_offset) abort();
  static const core::Time now = *core::parse_rfc3339("2026-01-05T09:00:00Z");
  services::storage::Verify accept = [](const std::string&, const std::string&) { return true; };
  (void)services::storage::verify_post_policy(*form, "demo-bucket", form->file_length, now, accept);
}
