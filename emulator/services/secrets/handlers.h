// SecretManagerService's RPCs as entries of the method table: one handler per RPC, each
// parsing names, calling SecretStore and translating the result.
#pragma once

namespace gcpsim::net { class MethodTable; }

namespace gcpsim::services::secrets {

class SecretStore;

// Registers every google.cloud.secretmanager.v1.SecretManagerService RPC; the handlers keep
// a reference to `store`.
void register_methods(net::MethodTable& methods, SecretStore& store);

}  // namespace gcpsim::services::secrets
