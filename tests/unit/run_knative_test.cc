// A run entry's service_yaml: the Knative Service document Cloud Run takes, read into the
// run config, with every unknown or unsupported field refused at its file, line and path.
#include <catch2/catch.hpp>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/stack.h"
#include "services/run/config.h"
#include "services/service.h"

namespace run_knative_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;
using gcpsim::services::run::Ingress;
using gcpsim::services::run::RunServiceConfig;
using gcpsim::services::run::stack_run;
namespace fs = std::filesystem;

namespace {

// What `gcloud run services describe --format export` writes, plus the fields a team adds.
const std::string kServiceYaml = R"(apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: virtuoso-api
  namespace: '123456789'
  labels:
    cloud.googleapis.com/location: us-central1
    app: virtuoso
    tier: api
  annotations:
    run.googleapis.com/ingress: all
    run.googleapis.com/launch-stage: BETA
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/minScale: '1'
        autoscaling.knative.dev/maxScale: '10'
        run.googleapis.com/cpu-throttling: 'false'
        run.googleapis.com/secrets: 'signing:projects/123456789/secrets/webhook-signing-key'
    spec:
      containerConcurrency: 80
      timeoutSeconds: 60
      serviceAccountName: virtuoso-api@demo-project.iam.gserviceaccount.com
      containers:
      - image: gcr.io/demo-project/virtuoso-api:latest
        ports:
        - name: http1
          containerPort: 18080
        env:
        - name: NODE_ENV
          value: production
        - name: API_KEYS
          valueFrom:
            secretKeyRef: {name: api-keys, key: latest}
        - name: SIGNING_KEY
          valueFrom:
            secretKeyRef: {name: signing, key: '2'}
        resources:
          limits: {cpu: '2', memory: 2Gi}
        startupProbe:
          httpGet: {path: /health}
          periodSeconds: 2
          failureThreshold: 5
  traffic:
  - percent: 100
    latestRevision: true
)";

const std::string kSecrets = "secrets:\n  api-keys: {value: k}\n  webhook-signing-key: {value: s}\n";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "gcpsim-knative-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::string& relative, const std::string& content) const {
    std::ofstream(path / relative, std::ios::binary) << content;
  }
};

const std::vector<StackSection>& sections() {
  static const auto all = gcpsim::services::stack_sections();
  return all;
}

// Loads gcpsim.yaml = `stack` beside service.yaml = `service` through the real loader.
StatusOr<StackConfig> load(const std::string& stack, const std::string& service) {
  TempDir dir;
  dir.write("gcpsim.yaml", stack);
  dir.write("service.yaml", service);
  fs::path cwd = fs::current_path();
  fs::current_path(dir.path);  // so messages name the files as the user typed them
  auto r = load_stack("gcpsim.yaml", sections());
  fs::current_path(cwd);
  return r;
}

const std::string kEntry = "run:\n  virtuoso-api:\n    service_yaml: service.yaml\n    command: [node, server.js]\n";

std::string error_of(const std::string& stack, const std::string& service) {
  auto r = load(stack, service);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

// The document with one line replaced (the first that contains `from`).
std::string with(std::string yaml, const std::string& from, const std::string& to) {
  auto at = yaml.find(from);
  REQUIRE(at != std::string::npos);
  yaml.replace(at, from.size(), to);
  return yaml;
}

}  // namespace

TEST_CASE("a Knative service.yaml sets the run service's concurrency, timeout, scale, env, secrets, port and identity") {
  auto r = load(kSecrets + kEntry + "    env: {LOG_LEVEL: debug}\n    cwd: api\n", kServiceYaml);
  INFO(r.status().message());
  REQUIRE(r.ok());
  const RunServiceConfig& s = stack_run(*r).at("virtuoso-api");
  CHECK(s.command == std::vector<std::string>{"node", "server.js"});
  CHECK(fs::path(s.cwd).filename() == "api");
  CHECK(s.concurrency == 80);
  CHECK(s.timeout == std::chrono::seconds(60));
  CHECK(s.min_instances == 1);
  CHECK(s.max_instances == 10);
  CHECK(s.port == 18080);
  CHECK(s.env == std::map<std::string, std::string>{{"NODE_ENV", "production"}, {"LOG_LEVEL", "debug"}});
  REQUIRE(s.secret_env.size() == 2);
  CHECK(s.secret_env.at("API_KEYS").secret == "api-keys");
  CHECK(s.secret_env.at("API_KEYS").version == "latest");
  // The alias of the run.googleapis.com/secrets annotation names the secret.
  CHECK(s.secret_env.at("SIGNING_KEY").secret == "webhook-signing-key");
  CHECK(s.secret_env.at("SIGNING_KEY").version == "2");
  CHECK(s.service_account == "virtuoso-api@demo-project.iam.gserviceaccount.com");
  CHECK(s.labels == std::map<std::string, std::string>{{"app", "virtuoso"}, {"tier", "api"}});
  CHECK(s.ingress == Ingress::kAll);
  REQUIRE(s.startup_probe);
  CHECK(s.startup_probe->path == "/health");
  CHECK(s.startup_probe->timeout == std::chrono::seconds(10));  // failureThreshold × periodSeconds
  // What has no effect here is said, with where it was written.
  CHECK(s.notices == std::vector<std::string>{
      "service.yaml:12: metadata.annotations.run.googleapis.com/launch-stage: no effect in gcpsim",
      "service.yaml:19: spec.template.metadata.annotations.run.googleapis.com/cpu-throttling: no effect in gcpsim "
      "(backing servers are reached through their environment variables)",
      "service.yaml:26: spec.template.spec.containers[0].image: gcpsim runs the command instead of the image",
      "service.yaml:39: spec.template.spec.containers[0].resources: not read by gcpsim: a container's limits are "
      "the run entry's memory and cpu (default 512Mi, 1)"});
}

TEST_CASE("the run entry's env replaces what service.yaml sets, with a notice") {
  auto r = load(kSecrets + kEntry + "    env: {NODE_ENV: development}\n    secret_env: {SIGNING_KEY: api-keys}\n", kServiceYaml);
  INFO(r.status().message());
  REQUIRE(r.ok());
  const RunServiceConfig& s = stack_run(*r).at("virtuoso-api");
  CHECK(s.env.at("NODE_ENV") == "development");
  CHECK(s.secret_env.at("SIGNING_KEY").secret == "api-keys");
  CHECK(s.notices.at(4) == "service.yaml:31: spec.template.spec.containers[0].env[0]: 'NODE_ENV' is replaced by "
                           "run.virtuoso-api.env.NODE_ENV");
  CHECK(s.notices.at(5) == "service.yaml:36: spec.template.spec.containers[0].env[2]: 'SIGNING_KEY' is replaced by "
                           "run.virtuoso-api.secret_env.SIGNING_KEY");
}

TEST_CASE("the container's command and args run when the stack entry names no command") {
  std::string yaml = with(kServiceYaml, "      - image: gcr.io/demo-project/virtuoso-api:latest\n",
                          "      - image: gcr.io/demo-project/virtuoso-api:latest\n        command: [node]\n"
                          "        args: [server.js, --quiet]\n");
  auto r = load(kSecrets + "run:\n  virtuoso-api: {service_yaml: service.yaml, port: 9100}\n", yaml);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(stack_run(*r).at("virtuoso-api").command == std::vector<std::string>{"node", "server.js", "--quiet"});
  // The entry's port wins over containerPort, and says so.
  CHECK(stack_run(*r).at("virtuoso-api").port == 9100);
  CHECK(stack_run(*r).at("virtuoso-api").notices.at(3) ==
        "service.yaml:31: spec.template.spec.containers[0].ports[0].containerPort: the service listens on "
        "run.virtuoso-api.port; every instance gets its own PORT");
}

TEST_CASE("unknown and unsupported service.yaml fields are refused with the file, line and field") {
  const std::string at = "gcpsim.yaml:6: run.virtuoso-api.service_yaml: ";
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "      containerConcurrency: 80", "      containerConcurency: 80")) ==
        at + "service.yaml:22: unknown key 'containerConcurency' in spec.template.spec (expected one of: "
             "containerConcurrency, timeoutSeconds, serviceAccountName, containers, volumes, enableServiceLinks, "
             "runtimeClassName, nodeSelector)");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "containerConcurrency: 80", "containerConcurrency: 5000")) ==
        at + "service.yaml:22: spec.template.spec.containerConcurrency: must be between 1 and 1000, got 5000");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "timeoutSeconds: 60", "timeoutSeconds: 4000")) ==
        at + "service.yaml:23: spec.template.spec.timeoutSeconds: must be between 1 and 3600, got 4000");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "serving.knative.dev/v1", "serving.knative.dev/v1alpha1")) ==
        at + "service.yaml:1: apiVersion: expected 'serving.knative.dev/v1' (a Cloud Run service), got "
             "'serving.knative.dev/v1alpha1'");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "  name: virtuoso-api", "  name: other")) ==
        at + "service.yaml:4: metadata.name: the service is named 'other' but the stack file declares it as "
             "run.virtuoso-api");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "maxScale: '10'", "maxScale: 'ten'")) ==
        at + "service.yaml:18: spec.template.metadata.annotations.autoscaling.knative.dev/maxScale: expected an "
             "integer, got 'ten'");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "autoscaling.knative.dev/minScale", "autoscaling.knative.dev/minscale")) ==
        at + "service.yaml:17: spec.template.metadata.annotations.autoscaling.knative.dev/minscale: unknown or "
             "unsupported revision annotation 'autoscaling.knative.dev/minscale'");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "        - name: NODE_ENV", "        - name: PORT")) ==
        at + "service.yaml:31: spec.template.spec.containers[0].env[0].name: 'PORT' is reserved: Cloud Run sets it "
             "for every instance (containerPort sets PORT)");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "        resources:", "        volumeMounts: [{name: v, mountPath: /s}]\n        resources:")) ==
        at + "service.yaml:39: spec.template.spec.containers[0].volumeMounts: volume mounts are not supported by "
             "gcpsim: pass secrets as env (secretKeyRef)");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "  - percent: 100", "  - percent: 50")) ==
        at + "service.yaml:46: spec.traffic[0]: traffic splits and tags are not supported by gcpsim: use "
             "[{percent: 100, latestRevision: true}]");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "  traffic:", "      - image: sidecar\n  traffic:")) ==
        at + "service.yaml:45: spec.template.spec.containers[1]: sidecar containers are not supported by gcpsim: "
             "declare each process as its own run service");
  CHECK(error_of(kSecrets + kEntry, "apiVersion: [\n") .rfind(at + "service.yaml:2: invalid YAML: ", 0) == 0);
}

TEST_CASE("service.yaml's references and the run entry's keys are checked against the stack") {
  const std::string at = "gcpsim.yaml:6: run.virtuoso-api.service_yaml: ";
  // Secrets are checked once the whole stack is read, at the line of the reference.
  CHECK(error_of("secrets:\n  api-keys: {value: k}\n" + kEntry, kServiceYaml) ==
        "gcpsim.yaml:5: run.virtuoso-api.service_yaml: service.yaml:38: "
        "spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef.name: secret 'webhook-signing-key' is not "
        "declared under secrets in the stack file");
  CHECK(error_of(kSecrets + kEntry + "    concurrency: 10\n", kServiceYaml) ==
        "gcpsim.yaml:8: run.virtuoso-api.concurrency: the service.yaml sets it: use "
        "spec.template.spec.containerConcurrency");
  // With no command anywhere, the container image itself runs.
  auto image = load(kSecrets + "run:\n  virtuoso-api: {service_yaml: service.yaml}\n", kServiceYaml);
  INFO(image.status().message());
  REQUIRE(image.ok());
  CHECK(stack_run(*image).at("virtuoso-api").image == "gcr.io/demo-project/virtuoso-api:latest");
  CHECK(stack_run(*image).at("virtuoso-api").command.empty());
  CHECK(error_of(kSecrets + "run:\n  other: {command: [x], port: 18080}\n" + kEntry.substr(5), kServiceYaml) ==
        "gcpsim.yaml:7: run.virtuoso-api.service_yaml: service.yaml:29: "
        "spec.template.spec.containers[0].ports[0].containerPort: port 18080 is taken (run.virtuoso-api.port: "
        "port 18080 is already used by run.other): give run.virtuoso-api a port of its own with `port:` in the "
        "stack file");
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "  namespace: '123456789'", "  namespace: other-project")) ==
        at + "service.yaml:5: metadata.namespace: the namespace is the project, 'demo-project' or its number, got "
             "'other-project'");
  CHECK(error_of(kSecrets + "run:\n  virtuoso-api: {service_yaml: missing.yaml, command: [x]}\n", kServiceYaml)
            .rfind("gcpsim.yaml:5: run.virtuoso-api.service_yaml: cannot read '", 0) == 0);
}

TEST_CASE("a service.yaml that is not UTF-8 is refused at its line") {
  CHECK(error_of(kSecrets + kEntry, with(kServiceYaml, "timeoutSeconds: 60", "timeoutSeconds: 6\xff")) ==
        "gcpsim.yaml:6: run.virtuoso-api.service_yaml: service.yaml:23: not valid UTF-8 (YAML files are UTF-8 text)");
}

}  // namespace run_knative_test
