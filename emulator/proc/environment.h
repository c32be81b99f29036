// The environment every supervised process of the stack starts from: gcpsim's own (minus what
// would point clients away from the metadata server) plus the variables `gcpsim env` prints,
// so the official clients in those processes reach gcpsim.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace gcpsim::core { struct Env; }

namespace gcpsim::proc {

// The variables `gcpsim env` prints (the emulator hosts, the project, the metadata server).
std::vector<std::pair<std::string, std::string>> client_variables(const core::Env& env);

// KEY=VALUE entries; `extra` (the backing servers' endpoints, …) override inherited ones.
std::vector<std::string> base_environment(const core::Env& env,
                                          const std::vector<std::pair<std::string, std::string>>& extra);

// Sets KEY=VALUE in `env`, replacing an existing KEY.
void set_var(std::vector<std::string>& env, const std::string& key, const std::string& value);

}  // namespace gcpsim::proc
