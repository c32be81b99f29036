// Reads the `run` section: service names and environment variables as Cloud Run accepts
// them, what runs (a command, an image or a build, with its limits), ports, scaling, probes and
// ingress; an entry with `service_yaml` starts from the Knative document (knative.cc) and its
// own keys complete it.
#include "services/run/config.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "core/stack_yaml.h"
#include "services/functions/service.h"
#include "services/run/knative.h"
#include "services/secrets/service.h"

namespace gcpsim::services::run {
namespace {

using namespace core::stackfile;
using namespace std::chrono_literals;

// ASCII only: Cloud Run's rules are about ASCII, whatever the locale says.
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }
template <class Pred>
bool every(std::string_view s, Pred ok) { return std::all_of(s.begin(), s.end(), ok); }

void check_env_name(const Field& f, const std::string& name) {
  bool ok = !name.empty() && (is_alpha(name[0]) || name[0] == '_') &&
            every(name, [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
  if (!ok) fail_under(f, "invalid environment variable name '" + name + "'");
  // Cloud Run sets these itself and rejects services that try to.
  static const std::set<std::string> kReserved = {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"};
  if (kReserved.count(name)) {
    fail_under(f, "'" + name + "' is reserved: Cloud Run sets it for every instance");
  }
}

SecretRef secret_ref(const Field& f, core::SectionContext& ctx) {
  std::string v = text(f);
  auto colon = v.rfind(':');
  SecretRef ref{v.substr(0, colon), colon == std::string::npos ? "latest" : v.substr(colon + 1)};
  bool number = !ref.version.empty() && ref.version[0] != '0' && every(ref.version, is_digit);
  if (ref.secret.empty() || (ref.version != "latest" && !number)) {
    fail(f, "expected 'SECRET:VERSION' (VERSION is 'latest' or a number), got '" + v + "'");
  }
  ctx.later([&ctx, f, name = ref.secret] {
    if (!secrets::declares_secret(ctx.stack(), name)) fail(f, "secret '" + name + "' is not declared under secrets");
  });
  return ref;
}

void read_env(const Map& m, RunServiceConfig& s, core::SectionContext& ctx) {
  if (auto f = m.get("env")) {
    for (auto& [name, v] : entries(*f)) {
      check_env_name(v, name);
      s.env[name] = text(v);
    }
  }
  if (auto f = m.get("secret_env")) {
    for (auto& [name, v] : entries(*f)) {
      check_env_name(v, name);
      if (s.env.count(name)) fail_under(v, "'" + name + "' is also set under env");
      s.secret_env[name] = secret_ref(v, ctx);
    }
  }
}

// `build: DIR`, the `gcloud run deploy --source` analogue: DIR's Dockerfile is built into
// the image the instances run (images.cc) before the first one starts. It replaces a
// service.yaml's image, which names production's registry.
void read_build(const Map& m, const Field& f, RunServiceConfig& s, core::SectionContext& ctx) {
  if (m.has("image")) fail(f, "set either image or build, not both");
  if (auto c = m.get("cwd")) fail(*c, "does not apply to a build: the image's WORKDIR is the working directory");
  s.build = ctx.resolve(text(f));
  s.image.clear();
  s.build_at = ctx.stack().file + ":" + std::to_string(f.line) + ": " + f.path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::filesystem::path(s.build) / "Dockerfile", ec)) {
    fail(f, "no Dockerfile in " + s.build);
  }
}

// A container's memory and CPU, checked against each other as Cloud Run does.
void read_limits(const Map& m, RunServiceConfig& s, bool container, bool function) {
  auto memory = m.get("memory"), cpu = m.get("cpu");
  for (const auto& f : {memory, cpu}) {
    if (f && !container) fail(*f, "applies to an image or a build only: a command's process runs without limits");
  }
  if (memory) s.memory_bytes = memory_limit(*memory);
  if (cpu) s.cpu = cpu_limit(*cpu);
  else if (memory && function) s.cpu = function_cpu(s.memory_bytes);
  if (!memory && !cpu) return;
  std::string why = cpu_memory_mismatch(s.cpu, s.memory_bytes);
  if (why.empty()) return;
  std::ostringstream msg;
  msg << why << ", got " << (memory ? text(*memory) : std::to_string(s.memory_bytes >> 20) + "Mi (the default)");
  if (!cpu) msg << " (cpu is not set: it is " << s.cpu << ")";
  fail(memory ? *memory : *cpu, msg.str());
}

// What runs: a command, or an image (given or built) with its arguments and limits.
void read_program(const Map& m, RunServiceConfig& s, core::SectionContext& ctx, bool function) {
  if (auto f = m.get("image")) {
    s.image = text(*f);
    if (s.image.empty() || s.image.find_first_of(" \t\n") != std::string::npos || s.image[0] == '-')
      fail(*f, "expected a container image reference (NAME[:TAG] or NAME@DIGEST), got '" + s.image + "'");
    if (auto c = m.get("cwd")) fail(*c, "does not apply to an image: its WORKDIR is the working directory");
  }
  if (auto f = m.get("build")) read_build(m, *f, s, ctx);
  bool container = !s.image.empty() || !s.build.empty();
  if (auto f = m.get("args")) {
    if (!container) fail(*f, "applies to an image only; without one, put the arguments in command");
    s.args = strings(*f);
  }
  read_limits(m, s, container, function);
  // A service.yaml may name the command itself; an image brings its own entrypoint.
  if (m.has("command") || (s.command.empty() && !container)) {
    Field cmd = m.require("command");
    s.command = strings(cmd);
    if (s.command.empty()) fail(cmd, "must name a program to run");
  }
  s.cwd = ctx.resolve(m.has("cwd") ? text(*m.get("cwd")) : ".");
}

void read_scaling(const Map& m, RunServiceConfig& s) {
  if (auto f = m.get("concurrency")) s.concurrency = small_int(*f, 1, 1000);
  if (auto f = m.get("min_instances")) s.min_instances = small_int(*f, 0, 1000);
  if (auto f = m.get("max_instances")) s.max_instances = small_int(*f, 1, 1000);
  if (s.max_instances < s.min_instances) {
    if (auto f = m.get("max_instances")) {
      fail(*f, "must be at least min_instances (" + std::to_string(s.min_instances) + "), got " +
                   std::to_string(s.max_instances));
    }
    fail(*m.get("min_instances"), "must not exceed max_instances (" + std::to_string(s.max_instances) + ")");
  }
}

}  // namespace

const std::vector<std::string_view>& service_keys() {
  static const std::vector<std::string_view> keys = {
      "command", "image", "args", "cwd", "env", "secret_env", "port", "concurrency", "min_instances",
      "max_instances", "timeout", "startup_probe", "allow_unauthenticated", "ingress", "build", "memory", "cpu"};
  return keys;
}

// Cloud Run services; 2nd-gen functions follow the same rule with room for 63 characters.
void check_service_name(const Field& f, const std::string& name, size_t max_len) {
  bool ok = !name.empty() && name.size() <= max_len && is_lower(name[0]) && name.back() != '-' &&
            every(name, [](char c) { return is_lower(c) || is_digit(c) || c == '-'; });
  if (!ok) {
    fail_under(f, "invalid name '" + name + "': use lowercase letters, digits and hyphens, start with a "
                  "letter, do not end with a hyphen, at most " + std::to_string(max_len) + " characters");
  }
}

RunServiceConfig read_service(const Map& m, RunServiceConfig s, core::SectionContext& ctx, bool function) {
  read_program(m, s, ctx, function);
  read_env(m, s, ctx);
  if (auto f = m.get("port")) s.port = ctx.port(*f);
  read_scaling(m, s);
  if (auto f = m.get("timeout")) s.timeout = duration(*f, 1s, 3600s);
  if (auto f = m.get("startup_probe")) {
    Map p(*f, {"path", "timeout"});
    Field path = p.require("path");
    s.startup_probe = StartupProbe{text(path)};
    if (s.startup_probe->path.rfind('/', 0) != 0) fail(path, "must start with '/'");
    if (auto t = p.get("timeout")) s.startup_probe->timeout = duration(*t, 1s, 3600s);
  }
  if (auto f = m.get("allow_unauthenticated")) s.allow_unauthenticated = boolean(*f);
  if (auto f = m.get("ingress")) {
    s.ingress = one_of(*f, {"all", "internal"}) == "all" ? Ingress::kAll : Ingress::kInternal;
  }
  return s;
}

// An entry with `service_yaml` starts from the Knative document; its own keys complete it.
core::StackSection stack_section() {
  return {"run", [](const Field& section, core::SectionContext& ctx) -> std::any {
            auto keys = service_keys();
            keys.push_back("service_yaml");
            RunServices out;
            for (auto& [name, f] : entries(section)) {
              check_service_name(f, name, 49);
              Map m(f, keys);
              RunServiceConfig base;
              if (m.has("service_yaml")) base = read_service_yaml(f, ctx);
              out[name] = read_service(m, std::move(base), ctx);
            }
            return out;
          }};
}

const RunServices& stack_run(const core::StackConfig& stack) {
  return stack.section_or_empty<RunServices>("run");
}

bool declares_service(const core::StackConfig& stack, const std::string& name) {
  return stack_run(stack).count(name) || functions::stack_functions(stack).count(name);
}

std::optional<int> service_port(const core::StackConfig& stack, const std::string& name) {
  if (auto r = stack_run(stack).find(name); r != stack_run(stack).end()) return r->second.port;
  const auto& fns = functions::stack_functions(stack);
  if (auto f = fns.find(name); f != fns.end()) return f->second.service.port;
  return std::nullopt;
}

}  // namespace gcpsim::services::run
