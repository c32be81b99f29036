// Reads a Knative Service document (serving.knative.dev/v1, Cloud Run's service.yaml) into
// RunServiceConfig: the document, its metadata and annotations, the revision template
// and the traffic block. The container itself is read in knative_container.cc.
#include "services/run/knative.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "core/labels.h"
#include "core/stack_yaml.h"
#include "core/utf8.h"
#include "services/run/knative_internal.h"

namespace gcpsim::services::run {
namespace {

namespace fs = std::filesystem;
using namespace core::stackfile;

// Annotations under these prefixes belong to Knative or Cloud Run: an unknown one is a typo
// or a feature gcpsim does not know, never a user's own note.
bool system_key(const std::string& k) {
  for (std::string_view p : {"run.googleapis.com/", "autoscaling.knative.dev/", "serving.knative.dev/",
                             "client.knative.dev/", "features.knative.dev/", "cloud.googleapis.com/"})
    if (k.rfind(p, 0) == 0) return true;
  return false;
}

void labels(const Field& f, KnativeReader& r, bool revision) {
  for (auto& [k, v] : entries(f)) {
    std::string value = text(v);
    if (k == "cloud.googleapis.com/location") {
      if (value != r.ctx.stack().region)
        fail(v, "the service is in region '" + value + "' but the stack's region is '" + r.ctx.stack().region + "'");
      continue;
    }
    if (system_key(k)) {
      r.notice(v, "a label Cloud Run sets itself: no effect in gcpsim");
      continue;
    }
    if (!core::valid_label_key(k) || !core::valid_label_value(value))
      fail(v, "invalid label '" + k + ": " + value + "': keys start with a lowercase letter; keys and values are "
              "at most 63 lowercase letters, digits, '_' and '-'");
    if (revision) {
      r.notice(v, "a revision label; gcpsim serves one revision and labels only the service");
      continue;
    }
    r.config.labels[k] = value;
  }
}

void service_annotations(const Field& f, KnativeReader& r) {
  for (auto& [k, v] : entries(f)) {
    if (k == "run.googleapis.com/ingress") {
      std::string in = one_of(v, {"all", "internal", "internal-and-cloud-load-balancing"});
      r.config.ingress = in == "all" ? Ingress::kAll : Ingress::kInternal;
      if (in == "internal-and-cloud-load-balancing")
        r.notice(v, "served as 'internal': gcpsim's load balancers reach services as internal callers");
    } else if (k == "run.googleapis.com/launch-stage" || k == "run.googleapis.com/description" ||
               k == "run.googleapis.com/client-name" || k == "run.googleapis.com/client-version" ||
               k == "run.googleapis.com/binary-authorization" || k == "run.googleapis.com/custom-audiences" ||
               k == "run.googleapis.com/invoker-iam-disabled" || k == "run.googleapis.com/default-url-disabled") {
      r.notice(v, "no effect in gcpsim");
    } else if (k == "run.googleapis.com/ingress-status" || k == "run.googleapis.com/operation-id" ||
               k == "serving.knative.dev/creator" || k == "serving.knative.dev/lastModifier" ||
               k == "run.googleapis.com/urls" || k == "run.googleapis.com/satisfiesPzs") {
      r.notice(v, "output only: Cloud Run sets it");
    } else if (system_key(k)) {
      fail_under(v, "unknown or unsupported service annotation '" + k + "'");
    }
  }
}

void metadata(const Field& f, KnativeReader& r) {
  Map m(f, {"name", "namespace", "labels", "annotations", "generation", "uid", "resourceVersion",
            "creationTimestamp", "selfLink"});
  Field name = m.require("name");
  if (text(name) != r.service)
    fail(name, "the service is named '" + text(name) + "' but the stack file declares it as run." + r.service);
  if (auto ns = m.get("namespace")) {
    std::string p = text(*ns);
    bool number = !p.empty() && p.find_first_not_of("0123456789") == std::string::npos;
    if (!number && p != r.ctx.stack().project)
      fail(*ns, "the namespace is the project, '" + r.ctx.stack().project + "' or its number, got '" + p + "'");
  }
  if (auto l = m.get("labels")) labels(*l, r, false);
  if (auto a = m.get("annotations")) service_annotations(*a, r);
  for (const char* k : {"generation", "uid", "resourceVersion", "creationTimestamp", "selfLink"})
    if (auto v = m.get(k)) r.notice(*v, "output only: Cloud Run sets it");
}

int scale(const Field& f, int lo) {
  // Knative annotations are strings; Cloud Run's export quotes them.
  return small_int(f, lo, 1000);
}

// run.googleapis.com/secrets: "ALIAS:projects/PROJECT/secrets/SECRET[,…]".
void secret_aliases(const Field& f, KnativeReader& r) {
  std::string all = text(f);
  size_t start = 0;
  while (start <= all.size()) {
    size_t comma = all.find(',', start);
    std::string item = all.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? all.size() + 1 : comma + 1;
    auto colon = item.find(':');
    std::string alias = item.substr(0, colon);
    std::string path = colon == std::string::npos ? "" : item.substr(colon + 1);
    const std::string pre = "projects/";
    auto secrets = path.find("/secrets/");
    if (alias.empty() || path.rfind(pre, 0) != 0 || secrets == std::string::npos || secrets + 9 >= path.size())
      fail(f, "expected 'ALIAS:projects/PROJECT/secrets/SECRET' (comma-separated), got '" + item + "'");
    std::string project = path.substr(pre.size(), secrets - pre.size());
    bool number = !project.empty() && project.find_first_not_of("0123456789") == std::string::npos;
    if (!number && project != r.ctx.stack().project)
      fail(f, "secret '" + path + "' is in another project; gcpsim serves only '" + r.ctx.stack().project + "'");
    r.secret_aliases[alias] = path.substr(secrets + 9);
  }
}

void template_annotations(const Field& f, KnativeReader& r) {
  for (auto& [k, v] : entries(f)) {
    if (k == "autoscaling.knative.dev/minScale") {
      r.config.min_instances = scale(v, 0);
      r.min_scale = v;
    } else if (k == "autoscaling.knative.dev/maxScale") {
      r.config.max_instances = scale(v, 1);
      r.max_scale = v;
    } else if (k == "run.googleapis.com/secrets") {
      secret_aliases(v, r);
    } else if (k == "run.googleapis.com/cpu-throttling" || k == "run.googleapis.com/startup-cpu-boost" ||
               k == "run.googleapis.com/execution-environment" || k == "run.googleapis.com/vpc-access-connector" ||
               k == "run.googleapis.com/vpc-access-egress" || k == "run.googleapis.com/network-interfaces" ||
               k == "run.googleapis.com/cloudsql-instances" || k == "run.googleapis.com/sessionAffinity" ||
               k == "run.googleapis.com/client-name" || k == "run.googleapis.com/client-version" ||
               k == "run.googleapis.com/container-dependencies" || k == "run.googleapis.com/gpu-zonal-redundancy-disabled") {
      r.notice(v, "no effect in gcpsim (backing servers are reached through their environment variables)");
    } else if (system_key(k)) {
      fail_under(v, "unknown or unsupported revision annotation '" + k + "'");
    }
  }
  if (r.config.max_instances < r.config.min_instances)
    fail(*r.max_scale, "maxScale (" + std::to_string(r.config.max_instances) + ") is below minScale (" +
                           std::to_string(r.config.min_instances) + ")");
}

// serviceAccountName: an email, or an account ID in the stack's project.
std::string service_account(const Field& f, const KnativeReader& r) {
  std::string sa = text(f);
  if (sa.find('@') == std::string::npos) {
    bool ok = sa.size() >= 6 && sa.size() <= 30 && sa[0] >= 'a' && sa[0] <= 'z' && sa.back() != '-' &&
              sa.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
    if (!ok) fail(f, "expected a service account email or an account ID (6-30 lowercase letters, digits, hyphens), got '" + sa + "'");
    return sa + "@" + r.ctx.stack().project + ".iam.gserviceaccount.com";
  }
  auto at = sa.find('@');
  if (at == 0 || sa.find('.', at) == std::string::npos) fail(f, "expected a service account email, got '" + sa + "'");
  return sa;
}

void revision_spec(const Field& f, KnativeReader& r) {
  Map m(f, {"containerConcurrency", "timeoutSeconds", "serviceAccountName", "containers", "volumes",
            "enableServiceLinks", "runtimeClassName", "nodeSelector"});
  if (auto c = m.get("containerConcurrency")) r.config.concurrency = small_int(*c, 1, 1000);
  if (auto t = m.get("timeoutSeconds")) r.config.timeout = std::chrono::seconds(integer(*t, 1, 3600));
  if (auto s = m.get("serviceAccountName")) r.config.service_account = service_account(*s, r);
  if (auto v = m.get("volumes")) fail_under(*v, "volumes are not supported by gcpsim: pass secrets as env (secretKeyRef)");
  for (const char* k : {"enableServiceLinks", "runtimeClassName", "nodeSelector"})
    if (auto v = m.get(k)) r.notice(*v, "no effect in gcpsim");
  auto containers = items(m.require("containers"));
  if (containers.empty()) fail(*m.get("containers"), "a revision needs one container");
  if (containers.size() > 1)
    fail(containers[1], "sidecar containers are not supported by gcpsim: declare each process as its own run service");
  read_container(containers[0], r);
}

void revision_template(const Field& f, KnativeReader& r) {
  Map m(f, {"metadata", "spec"});
  if (auto md = m.get("metadata")) {
    Map mm(*md, {"name", "labels", "annotations"});
    if (auto n = mm.get("name")) r.notice(*n, "gcpsim names its one revision itself");
    if (auto l = mm.get("labels")) labels(*l, r, true);
    if (auto a = mm.get("annotations")) template_annotations(*a, r);
  }
  revision_spec(m.require("spec"), r);
}

void traffic(const Field& f) {
  auto routes = items(f);
  for (auto& t : routes) {
    Map m(t, {"percent", "latestRevision", "revisionName", "tag"});
    bool all_latest = m.has("percent") && integer(*m.get("percent"), 0, 100) == 100 && m.has("latestRevision") &&
                      boolean(*m.get("latestRevision")) && !m.has("revisionName") && !m.has("tag");
    if (!all_latest || routes.size() != 1)
      fail(t, "traffic splits and tags are not supported by gcpsim: use [{percent: 100, latestRevision: true}]");
  }
}

void document(const Field& doc, KnativeReader& r) {
  Map m(doc, {"apiVersion", "kind", "metadata", "spec", "status"});
  Field api = m.require("apiVersion");
  if (text(api) != "serving.knative.dev/v1")
    fail(api, "expected 'serving.knative.dev/v1' (a Cloud Run service), got '" + text(api) + "'");
  Field kind = m.require("kind");
  if (text(kind) != "Service") fail(kind, "expected 'Service', got '" + text(kind) + "'");
  metadata(m.require("metadata"), r);
  Map spec(m.require("spec"), {"template", "traffic"});
  revision_template(spec.require("template"), r);
  if (auto t = spec.get("traffic")) traffic(*t);
  if (auto s = m.get("status")) r.notice(*s, "output only: Cloud Run sets it");
}

// The stack entry's keys that service.yaml owns: set them there, once.
void check_entry(const Field& entry) {
  static const std::pair<const char*, const char*> kOwned[] = {
      {"concurrency", "spec.template.spec.containerConcurrency"},
      {"timeout", "spec.template.spec.timeoutSeconds"},
      {"min_instances", "the autoscaling.knative.dev/minScale annotation"},
      {"max_instances", "the autoscaling.knative.dev/maxScale annotation"},
      {"startup_probe", "spec.template.spec.containers[0].startupProbe"},
      {"ingress", "the run.googleapis.com/ingress annotation"}};
  for (auto it = entry.node.begin(); it != entry.node.end(); ++it) {
    for (auto& [key, where] : kOwned) {
      if (it->first.Scalar() == key)
        fail(it->first.Mark().line + 1, entry.path + "." + key + ": the service.yaml sets it: use " + where);
    }
  }
}

// The entry may set a variable the YAML sets too (the YAML's SERVICE_URL is production's):
// the entry's value wins, and a notice says so.
void entry_env(KnativeReader& r) {
  for (const char* section : {"env", "secret_env"}) {
    YAML::Node vars = r.entry.node[section];
    if (!vars.IsDefined() || !vars.IsMap()) continue;  // a missing key's node throws on IsMap
    for (auto it = vars.begin(); it != vars.end(); ++it) {
      const std::string& name = it->first.Scalar();
      auto at = r.env_at.find(name);
      if (at == r.env_at.end()) continue;
      r.notice(at->second, "'" + name + "' is replaced by " + r.entry.path + "." + section + "." + name);
      r.config.env.erase(name);
      r.config.secret_env.erase(name);
    }
  }
}

}  // namespace

void KnativeReader::notice(const Field& f, const std::string& why) {
  config.notices.push_back(file + ":" + std::to_string(f.key_line) + ": " + f.path + ": " + why);
}

void KnativeReader::fail_later(const Field& f, const std::string& message) const {
  fail(key, file + ":" + std::to_string(f.line) + ": " + f.path + ": " + message);
}

RunServiceConfig read_knative(std::string_view yaml_text, const std::string& file, const std::string& service,
                                    const Field& entry, const Field& key, core::SectionContext& ctx) {
  KnativeReader r{file, service, entry, key, ctx, {}, {}, {}, {}, {}};
  YAML::Node root;
  if (auto fault = core::yaml_text_fault(yaml_text); fault.line) fail(static_cast<int>(fault.line), fault.why);
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    fail(e.mark.line + 1, "invalid YAML: " + e.msg);
  }
  if (!root.IsMap()) fail(1, "expected a Knative Service document (apiVersion: serving.knative.dev/v1), got " + core::stackfile::describe(root));
  document(Field{root, "", 1, 1}, r);
  entry_env(r);
  return std::move(r.config);
}

RunServiceConfig read_service_yaml(const Field& entry, core::SectionContext& ctx) {
  check_entry(entry);
  Field at{entry.node["service_yaml"], entry.path + ".service_yaml", entry.line, entry.line};
  for (auto it = entry.node.begin(); it != entry.node.end(); ++it)
    if (it->first.Scalar() == "service_yaml") at.line = at.key_line = it->first.Mark().line + 1;
  std::string written = text(at);
  std::string path = ctx.resolve(written);
  // Messages name the file as a path from where the stack file was named.
  std::string shown = (fs::path(ctx.stack().file).parent_path() / written).lexically_normal().string();
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!fs::is_regular_file(path, ec) || !in) fail(at, "cannot read '" + path + "'");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return read_knative(yaml, shown, entry.path.substr(4), entry, at, ctx);
  } catch (const StackError& e) {
    fail(at, shown + ":" + std::to_string(e.line) + ": " + e.message);
  }
}

}  // namespace gcpsim::services::run
