// How SecretStore's state lies in SQLite: the migration and row ⇄ struct mapping for
// secrets, versions (payloads included) and IAM policies.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "services/secrets/domain.h"

namespace gcpsim::core { class Store; }

namespace gcpsim::services::secrets::rows {

core::Status migrate(core::Store& db);

core::StatusOr<std::optional<Secret>> find_secret(core::Store& db, const std::string& name);
// Newest first; `parent` is "projects/N" or "projects/N/locations/L".
core::StatusOr<std::vector<Secret>> secrets_under(core::Store& db, const std::string& parent);
core::StatusOr<std::vector<Secret>> all_secrets(core::Store& db);
// Assigns s.order when it is 0.
core::Status insert_secret(core::Store& db, Secret& s);
core::Status update_secret(core::Store& db, const Secret& s);
core::Status delete_secret(core::Store& db, const std::string& name);
// The next version number of the secret (1, 2, …; never reused).
core::StatusOr<int64_t> next_version_number(core::Store& db, const std::string& secret);

core::StatusOr<std::optional<Version>> find_version(core::Store& db, const std::string& secret,
                                                    int64_t number);
core::StatusOr<int64_t> latest_version_number(core::Store& db, const std::string& secret);
// Newest first.
core::StatusOr<std::vector<Version>> versions_of(core::Store& db, const std::string& secret);
core::Status insert_version(core::Store& db, const std::string& secret, const Version& v,
                            std::string_view payload, uint32_t crc32c);
// Writes the metadata; a DESTROYED version loses its payload.
core::Status update_version(core::Store& db, const std::string& secret, const Version& v);
core::StatusOr<std::pair<std::string, uint32_t>> payload(core::Store& db,
                                                         const std::string& secret,
                                                         int64_t number);
// (secret, version) pairs waiting for their scheduled destruction.
core::StatusOr<std::vector<std::pair<std::string, Version>>> pending_destructions(core::Store& db);

core::StatusOr<std::optional<Policy>> find_policy(core::Store& db, const std::string& secret);
core::Status put_policy(core::Store& db, const std::string& secret, const Policy& p);

core::StatusOr<int64_t> meta(core::Store& db, const std::string& key);
core::Status put_meta(core::Store& db, const std::string& key, int64_t value);

}  // namespace gcpsim::services::secrets::rows
