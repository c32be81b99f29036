// POST policy documents (V4): a browser form upload is accepted only when the policy's
// signature verifies with the service account's key, it has not expired on the clock, and
// every condition holds for the form's fields and file size.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"
#include "services/storage/form.h"
#include "services/storage/signed_url.h"

namespace gcpsim::services::storage {

std::optional<XmlError> verify_post_policy(const FormBody& form, const std::string& bucket, uint64_t file_size,
                                           core::Time now, const Verify& verify);

}  // namespace gcpsim::services::storage
