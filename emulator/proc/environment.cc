// The environment supervised processes start from (see environment.h).
#include "proc/environment.h"

#include <string_view>

#include "core/env.h"

extern char** environ;

namespace gcpsim::proc {
namespace {

// Inherited variables a process must not see: they would point clients away from the
// metadata server (instances have no key files and always have a metadata server).
bool dropped(std::string_view kv) {
  for (std::string_view key : {"GOOGLE_APPLICATION_CREDENTIALS=", "METADATA_SERVER_DETECTION="})
    if (kv.rfind(key, 0) == 0) return true;
  return false;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> client_variables(const core::Env& env) {
  std::string hp = "127.0.0.1:" + std::to_string(env.edge_port);
  return {
      {"GCPSIM_ENDPOINT", "http://" + hp},   {"GOOGLE_CLOUD_PROJECT", env.project},
      {"GCLOUD_PROJECT", env.project},        {"CLOUDSDK_CORE_PROJECT", env.project},
      {"PUBSUB_EMULATOR_HOST", hp},           {"PUBSUB_PROJECT_ID", env.project},
      {"STORAGE_EMULATOR_HOST", "http://" + hp}, {"BIGQUERY_EMULATOR_HOST", "http://" + hp},
      {"GOOGLE_GEMINI_BASE_URL", "http://" + hp},
      {"GEMINI_API_KEY", "gcpsim-local-key"}, {"GCE_METADATA_HOST", hp},
      {"GCE_METADATA_IP", hp},
  };
}

// gcpsim's environment plus the variables `gcpsim env` prints (see emulator/main.cc).
std::vector<std::string> base_environment(const core::Env& env,
                                          const std::vector<std::pair<std::string, std::string>>& extra) {
  auto vars = client_variables(env);
  vars.insert(vars.end(), extra.begin(), extra.end());
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    bool ours = dropped(kv);
    for (const auto& [k, v] : vars) ours = ours || (kv.size() > k.size() && kv.rfind(k, 0) == 0 && kv[k.size()] == '=');
    if (!ours) out.emplace_back(kv);
  }
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

void set_var(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  std::erase_if(env, [&key](const std::string& kv) {
    return kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=';
  });
  env.push_back(key + "=" + value);
}

}  // namespace gcpsim::proc
