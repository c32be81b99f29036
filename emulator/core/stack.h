// The stack file (gcpsim.yaml) as typed, validated configuration: what gcpsim creates and
// starts before serving. Loading checks types, ranges, names and cross-references, so
// every consumer can trust what it reads here.
#pragma once
#include <any>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/faults.h"
#include "core/stack_section.h"
#include "core/status.h"
#include "core/time.h"

namespace gcpsim::core {

// ---- Cloud Run and Cloud Functions ----

struct StartupProbe {
  std::string path;             // HTTP GET that must answer 2xx before traffic is routed
  Duration timeout = 240s;      // how long the instance may take to pass it
};

// "db-password:latest" → {secret: "db-password", version: "latest"}.
struct SecretRef {
  std::string secret;
  std::string version = "latest";  // "latest" or a version number
};

enum class Ingress { kAll, kInternal };

struct RunServiceConfig {
  // argv; "${PORT}" is expanded at start. With an image: the entrypoint (empty: the image's).
  std::vector<std::string> command;
  std::string image;                              // a local container image, run by Docker
  std::string build;                              // a directory with a Dockerfile: built into `image` at start-up
  std::string build_at;                           // "gcpsim.yaml:7: run.api.build", for the build's errors
  std::vector<std::string> args;                  // with an image: its arguments (empty: the image's CMD)
  std::string cwd;                                // absolute; the stack file's dir by default
  std::map<std::string, std::string> env;
  std::map<std::string, SecretRef> secret_env;    // env var → declared secret's version
  std::optional<int> port;                        // stable URL port; gcpsim picks one if unset
  int concurrency = 80;
  int min_instances = 0;
  int max_instances = 100;
  Duration timeout = 300s;
  std::optional<StartupProbe> startup_probe;
  bool allow_unauthenticated = true;
  Ingress ingress = Ingress::kAll;
  // A container's limits (Cloud Run's --memory and --cpu; a command's process has none).
  uint64_t memory_bytes = uint64_t{512} << 20;  // Cloud Run's default, 512Mi
  double cpu = 1;                                // vCPUs
  // From a Knative service.yaml (services/run/knative.h).
  std::map<std::string, std::string> labels;
  std::string service_account;       // serviceAccountName, as an email; empty: the default account
  std::vector<std::string> notices;  // "service.yaml:12: field: why it has no effect here"
};

struct FunctionTrigger {
  enum class Kind { kHttp, kPubsub, kStorage };
  Kind kind = Kind::kHttp;
  std::string topic;   // kPubsub: topic id
  std::string bucket;  // kStorage: bucket name
  std::string event;   // kStorage: "google.cloud.storage.object.v1.finalized", …
  bool retry = false;  // event triggers: redeliver when the function fails
  std::string dead_letter;  // event triggers: topic id, empty for none
  int max_attempts = 5;     // delivery attempts before dead-lettering
};

// A 2nd-gen function is a Run service plus a trigger. The loader starts `service` from the
// Cloud Functions defaults (concurrency 1, timeout 60s) rather than Cloud Run's.
struct FunctionConfig {
  RunServiceConfig service;
  FunctionTrigger trigger;
};

// ---- Pub/Sub ----

struct TopicConfig {
  std::map<std::string, std::string> labels;
  std::optional<Duration> message_retention;
};

struct PushConfig {
  std::string service;  // a declared run service or function, or empty when `url` is set
  std::string path = "/";
  std::string url;      // an explicit endpoint instead of a service
  bool oidc = false;    // attach an OIDC token whose audience is the endpoint
};

struct DeadLetterPolicy {
  std::string topic;
  int max_attempts = 5;
};

struct RetryPolicy {
  Duration min_backoff = 10s;
  Duration max_backoff = 600s;
};

struct SubscriptionConfig {
  std::string topic;
  Duration ack_deadline = 10s;
  std::optional<PushConfig> push;       // pull when unset
  std::string filter;
  std::optional<DeadLetterPolicy> dead_letter;
  std::optional<RetryPolicy> retry;     // immediate redelivery when unset, as in Pub/Sub
  bool ordering = false;
  bool exactly_once = false;
};

struct PubsubConfig {
  std::map<std::string, TopicConfig> topics;
  std::map<std::string, SubscriptionConfig> subscriptions;
};

// ---- Cloud Storage ----

struct BucketNotification {
  std::string topic;
  std::vector<std::string> events;  // OBJECT_FINALIZE, …; empty means all
  std::string prefix;
};

struct LifecycleRule {
  enum class Action { kDelete, kSetStorageClass, kAbortIncompleteMultipartUpload };
  Action action = Action::kDelete;
  std::string storage_class;  // kSetStorageClass
  std::optional<int> age_days;
  std::optional<int> num_newer_versions;
  std::optional<bool> is_live;
};

// One entry of a bucket's CORS configuration, as `gcloud storage buckets update --cors-file` takes it.
struct BucketCors {
  std::vector<std::string> origins, methods, response_headers;
  std::optional<int64_t> max_age_seconds;
};

struct BucketConfig {
  bool versioning = false;
  std::string location = "US";
  std::vector<BucketNotification> notifications;
  std::vector<LifecycleRule> lifecycle;
  std::vector<BucketCors> cors;
  std::string public_access_prevention = "inherited";  // or "enforced"
};

struct StorageConfig {
  std::map<std::string, BucketConfig> buckets;
};

// ---- Secret Manager ----

// Becomes the secret's version 1.
struct SecretConfig {
  std::string value;  // the payload bytes, read from `file` when one was given
  std::string file;   // absolute path the value came from; empty for inline values
};

// ---- The whole stack ----

struct StackConfig {
  std::string file;      // the stack file's path as given; empty for default_stack()
  std::string base_dir;  // relative paths in the file were resolved against this
  std::string project = "demo-project";
  std::string region = "us-central1";
  uint64_t seed = 42;
  std::map<std::string, RunServiceConfig> run;
  std::map<std::string, FunctionConfig> functions;
  PubsubConfig pubsub;
  StorageConfig storage;
  std::map<std::string, SecretConfig> secrets;
  std::vector<FaultRule> faults;
  // Sections that services parse themselves (core/stack_section.h), by top-level key.
  std::map<std::string, std::any> sections;

  // The section's typed config, or nullptr when the file has none.
  template <class T>
  const T* section(const std::string& key) const {
    auto it = sections.find(key);
    return it == sections.end() ? nullptr : std::any_cast<T>(&it->second);
  }
};


// What gcpsim serves without a stack file.
StackConfig default_stack();

// Reads and parses the file; relative paths resolve against its directory.
// `sections` are the services' own top-level keys (services::stack_sections()); a key that is
// neither core's nor one of them is an error.
StatusOr<StackConfig> load_stack(const std::string& path, const std::vector<StackSection>& sections = {});

// `file_name` only labels error messages ("gcpsim.yaml:12: …"). Errors are
// INVALID_ARGUMENT naming the file, line and key.
StatusOr<StackConfig> parse_stack(std::string_view yaml_text, const std::string& file_name,
                                  const std::string& base_dir,
                                  const std::vector<StackSection>& sections = {});

}  // namespace gcpsim::core
