// The environment `gcpsim env` prints and `gcpsim gcloud` runs gcloud with.
#include "control/client_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace gcpsim::control {
namespace {

// gcloud's api_endpoint_overrides properties for the APIs gcpsim serves, and the path each
// API's base URL has (Cloud Storage's JSON API lives under /storage/v1/; the others at /).
struct GcloudApi {
  const char* property;
  const char* path;
};
constexpr GcloudApi kGcloudApis[] = {
    {"PUBSUB", "/"},
    {"SECRETMANAGER", "/"},
    {"CLOUDTASKS", "/"},
    {"STORAGE", "/storage/v1/"},
};

constexpr const char* kToken = "gcpsim-local-access-token";

}  // namespace

EnvVars library_env(const std::string& host_port, const std::string& project) {
  return {
      {"GCPSIM_ENDPOINT", "http://" + host_port},
      {"GOOGLE_CLOUD_PROJECT", project},
      {"GCLOUD_PROJECT", project},
      {"PUBSUB_EMULATOR_HOST", host_port},
      {"PUBSUB_PROJECT_ID", project},
      {"STORAGE_EMULATOR_HOST", "http://" + host_port},
      {"BIGQUERY_EMULATOR_HOST", "http://" + host_port},
      {"GOOGLE_GEMINI_BASE_URL", "http://" + host_port},
      {"GEMINI_API_KEY", "gcpsim-local-key"},
      {"GCE_METADATA_HOST", host_port},
      {"GCE_METADATA_IP", host_port},
  };
}

EnvVars gcloud_env(const std::string& host_port, const std::string& project, const std::string& token_file) {
  EnvVars vars;
  for (const auto& api : kGcloudApis) {
    vars.emplace_back(std::string("CLOUDSDK_API_ENDPOINT_OVERRIDES_") + api.property,
                      "http://" + host_port + api.path);
  }
  // Signed URLs (`gcloud storage sign-url`) name the XML API's host, path-style.
  vars.emplace_back("CLOUDSDK_STORAGE_GS_XML_ENDPOINT_URL", "http://" + host_port);
  vars.emplace_back("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", token_file);
  vars.emplace_back("CLOUDSDK_CORE_PROJECT", project);
  // Offline: gcloud would otherwise reach Google for these, or probe for a metadata server.
  vars.emplace_back("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "true");
  vars.emplace_back("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true");
  vars.emplace_back("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false");
  return vars;
}

core::StatusOr<std::string> write_gcloud_token() {
  const char* base = std::getenv("XDG_RUNTIME_DIR");
  if (base == nullptr || *base == '\0') base = std::getenv("TMPDIR");
  if (base == nullptr || *base == '\0') base = "/tmp";
  std::string dir = std::string(base) + "/gcpsim-" + std::to_string(::getuid());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return core::Status::internal("cannot create " + dir + ": " + std::strerror(errno));
  std::string path = dir + "/gcloud-access-token";
  std::ofstream out(path, std::ios::trunc);
  out << kToken << "\n";
  if (!out.flush()) return core::Status::internal("cannot write " + path);
  return path;
}

}  // namespace gcpsim::control
