// The one container of a Knative revision: what it runs (command and args, or the stack
// entry's command in place of the image), its environment with Secret Manager references,
// its port and its startup probe.
#include <set>

#include "core/stack_yaml.h"
#include "services/secrets/service.h"
#include "services/run/knative_internal.h"

namespace gcpsim::services::run {
namespace {

using namespace core::stackfile;

bool has_key(const Field& entry, const std::string& key) { return entry.node.IsMap() && entry.node[key].IsDefined(); }

void check_env_name(const Field& f, const std::string& name) {
  bool ok = !name.empty() && name.find_first_of("=") == std::string::npos &&
            !(name[0] >= '0' && name[0] <= '9');
  if (!ok) fail(f, "invalid environment variable name '" + name + "'");
  // Cloud Run rejects a revision that sets these: it sets them itself.
  static const std::set<std::string> kReserved = {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"};
  if (kReserved.count(name))
    fail(f, "'" + name + "' is reserved: Cloud Run sets it for every instance (containerPort sets PORT)");
}

// A secret the stack must declare; checked once the whole stack file is read.
void declared_secret(const Field& f, const std::string& secret, KnativeReader& r) {
  auto& ctx = r.ctx;
  r.ctx.later([&ctx, key = r.key, file = r.file, f, secret] {
    if (!secrets::declares_secret(ctx.stack(), secret))
      fail(key, file + ":" + std::to_string(f.line) + ": " + f.path + ": secret '" + secret +
                    "' is not declared under secrets in the stack file");
  });
}

// valueFrom.secretKeyRef: {name: SECRET or an alias from run.googleapis.com/secrets, key: VERSION}.
SecretRef secret_key_ref(const Field& f, KnativeReader& r) {
  Map vf(f, {"secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"});
  for (const char* k : {"configMapKeyRef", "fieldRef", "resourceFieldRef"})
    if (auto v = vf.get(k)) fail_under(*v, std::string(k) + " is not supported by Cloud Run: use secretKeyRef");
  Field ref = vf.require("secretKeyRef");
  Map m(ref, {"name", "key", "optional"});
  Field name = m.require("name");
  SecretRef out;
  out.secret = text(name);
  if (auto alias = r.secret_aliases.find(out.secret); alias != r.secret_aliases.end()) out.secret = alias->second;
  check_plain_name(name, out.secret, "_-", 255);
  Field key = m.require("key");
  out.version = text(key);
  bool number = !out.version.empty() && out.version[0] != '0' &&
                out.version.find_first_not_of("0123456789") == std::string::npos;
  if (out.version != "latest" && !number) fail(key, "expected a version number or 'latest', got '" + out.version + "'");
  if (auto o = m.get("optional")) r.notice(*o, "no effect in gcpsim: a missing secret fails the instance's start");
  declared_secret(name, out.secret, r);
  return out;
}

void env(const Field& f, KnativeReader& r) {
  std::set<std::string> seen;
  for (auto& item : items(f)) {
    Map m(item, {"name", "value", "valueFrom"});
    Field name_f = m.require("name");
    std::string name = text(name_f);
    check_env_name(name_f, name);
    if (!seen.insert(name).second) fail(name_f, "environment variable '" + name + "' is set twice");
    r.env_at.emplace(name, item);
    if (m.has("value") == m.has("valueFrom")) fail_under(item, "set either 'value' or 'valueFrom'");
    if (auto v = m.get("value")) r.config.env[name] = v->node.IsNull() ? "" : text(*v);
    if (auto v = m.get("valueFrom")) r.config.secret_env[name] = secret_key_ref(*v, r);
  }
}

void ports(const Field& f, KnativeReader& r) {
  auto list = items(f);
  if (list.size() > 1) fail(list[1], "a Cloud Run container exposes one port");
  if (list.empty()) return;
  Map m(list[0], {"name", "containerPort", "protocol"});
  if (auto n = m.get("name")) {
    if (one_of(*n, {"http1", "h2c"}) == "h2c")
      fail(*n, "h2c (end-to-end HTTP/2) is not supported by gcpsim's router: use http1");
  }
  if (auto p = m.get("protocol")) one_of(*p, {"TCP"});
  auto cp = m.get("containerPort");
  if (!cp) return;
  int port = small_int(*cp, 1, 65535);
  // The stack entry's own `port` wins: several services' exports all say 8080.
  if (has_key(r.entry, "port")) {
    r.notice(*cp, "the service listens on run." + r.service + ".port; every instance gets its own PORT");
    return;
  }
  try {
    r.ctx.port(Field{cp->node, r.entry.path + ".port", cp->line, cp->key_line});
  } catch (const StackError& e) {
    fail(*cp, "port " + std::to_string(port) + " is taken (" + e.message + "): give run." + r.service +
                  " a port of its own with `port:` in the stack file");
  }
  r.config.port = port;
}

// startupProbe: httpGet → the startup probe; tcpSocket is gcpsim's default (ready on accept).
void startup_probe(const Field& f, KnativeReader& r) {
  Map m(f, {"httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds", "periodSeconds",
            "failureThreshold"});
  if (auto g = m.get("grpc")) fail_under(*g, "gRPC probes are not supported by gcpsim: use httpGet or tcpSocket");
  if (m.has("httpGet") == m.has("tcpSocket")) fail_under(f, "set either 'httpGet' or 'tcpSocket'");
  int64_t initial = 0, period = 10, failures = 3;
  if (auto v = m.get("initialDelaySeconds")) initial = integer(*v, 0, 240);
  if (auto v = m.get("periodSeconds")) period = integer(*v, 1, 240);
  if (auto v = m.get("failureThreshold")) failures = integer(*v, 1, 1000);
  if (auto v = m.get("timeoutSeconds")) integer(*v, 1, 240);
  if (auto t = m.get("tcpSocket")) {
    Map tm(*t, {"port"});
    if (auto p = tm.get("port")) r.notice(*p, "gcpsim probes the instance's own PORT");
    return;
  }
  Field get = *m.get("httpGet");
  Map gm(get, {"path", "port", "httpHeaders"});
  StartupProbe probe;
  probe.path = gm.has("path") ? text(*gm.get("path")) : "/";
  if (probe.path.empty() || probe.path[0] != '/') fail(*gm.get("path"), "must start with '/'");
  if (auto p = gm.get("port")) r.notice(*p, "gcpsim probes the instance's own PORT");
  if (auto h = gm.get("httpHeaders")) r.notice(*h, "gcpsim's probe sends no extra headers");
  // Cloud Run gives up after initialDelaySeconds + failureThreshold × periodSeconds.
  probe.timeout = std::chrono::seconds(initial + failures * period);
  r.config.startup_probe = probe;
}

void command(const Map& m, KnativeReader& r) {
  std::vector<std::string> argv;
  if (auto c = m.get("command")) argv = strings(*c);
  auto args = m.get("args");
  bool stack_command = has_key(r.entry, "command");
  if (stack_command) {
    if (auto c = m.get("command")) r.notice(*c, "run." + r.service + ".command runs instead");
    if (args) r.notice(*args, "run." + r.service + ".command runs instead");
    return;
  }
  if (argv.empty()) {  // nothing names a process: the image itself runs (Docker, see container.h)
    if (!m.has("image")) fail(r.entry, "give the container an image or a command, or run." + r.service + " a `command`");
    r.config.image = text(*m.get("image"));
    if (args) r.config.args = strings(*args);
    return;
  }
  if (args) {
    auto more = strings(*args);
    argv.insert(argv.end(), more.begin(), more.end());
  }
  r.config.command = std::move(argv);
}

}  // namespace

void read_container(const Field& f, KnativeReader& r) {
  Map m(f, {"name", "image", "command", "args", "env", "ports", "resources", "startupProbe", "livenessProbe",
            "workingDir", "volumeMounts", "readinessProbe", "imagePullPolicy"});
  command(m, r);
  if (auto i = m.get("image")) {
    if (has_key(r.entry, "command") || m.has("command"))
      r.notice(*i, "gcpsim runs the command instead of the image");
  }
  if (auto n = m.get("name")) r.notice(*n, "no effect in gcpsim");
  if (auto e = m.get("env")) env(*e, r);
  if (auto p = m.get("ports")) ports(*p, r);
  if (auto s = m.get("startupProbe")) startup_probe(*s, r);
  if (auto res = m.get("resources")) r.notice(*res, "not read by gcpsim: a container's limits are the run entry's memory and cpu (default 512Mi, 1)");
  if (auto l = m.get("livenessProbe")) r.notice(*l, "not checked by gcpsim: instances are restarted only when they exit");
  if (auto w = m.get("workingDir")) r.notice(*w, "a path in the image: gcpsim uses run." + r.service + ".cwd");
  if (auto p = m.get("imagePullPolicy")) r.notice(*p, "no effect in gcpsim");
  if (auto rp = m.get("readinessProbe")) fail_under(*rp, "Cloud Run does not support readinessProbe: use startupProbe");
  if (auto v = m.get("volumeMounts")) fail_under(*v, "volume mounts are not supported by gcpsim: pass secrets as env (secretKeyRef)");
}

}  // namespace gcpsim::services::run
