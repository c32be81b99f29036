// Reads gcpsim.yaml into core::StackConfig: the sections, the names the real services
// accept, and the cross-references between sections. Errors name the file, line and key.
#include "core/stack.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "core/stack_section.h"
#include "core/stack_yaml.h"

namespace gcpsim::core {
namespace {

namespace fs = std::filesystem;
using namespace stackfile;

// ---- names, as the real services accept them ----

// ASCII only: the services' rules are about ASCII, whatever the locale says.
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool one_of_chars(std::string_view set, char c) { return set.find(c) != std::string_view::npos; }
bool lower_digit_hyphen(char c) { return is_lower(c) || is_digit(c) || c == '-'; }
template <class Pred>
bool every(std::string_view s, Pred ok) { return std::all_of(s.begin(), s.end(), ok); }

// Cloud Run services; 2nd-gen functions follow the same rule with room for 63 characters.
void check_service_name(const Field& f, const std::string& name, size_t max_len) {
  bool ok = !name.empty() && name.size() <= max_len && is_lower(name[0]) && name.back() != '-' &&
            every(name, lower_digit_hyphen);
  if (!ok) {
    fail_under(f, "invalid name '" + name + "': use lowercase letters, digits and hyphens, start with a "
                  "letter, do not end with a hyphen, at most " + std::to_string(max_len) + " characters");
  }
}

void check_pubsub_name(const Field& f, const std::string& name) {
  auto allowed = [](char c) { return is_alnum(c) || one_of_chars("-_.~+%", c); };
  bool ok = name.size() >= 3 && name.size() <= 255 && is_alpha(name[0]) && name.rfind("goog", 0) != 0 &&
            every(name, allowed);
  if (!ok) {
    fail_under(f, "invalid name '" + name + "': start with a letter, 3 to 255 characters of letters, "
                  "digits and - _ . ~ + %, not starting with 'goog'");
  }
}

void check_bucket_name(const Field& f, const std::string& name) {
  auto allowed = [](char c) { return is_lower(c) || is_digit(c) || one_of_chars("-_.", c); };
  bool ok = name.size() >= 3 && name.size() <= 63 && is_alnum(name.front()) && is_alnum(name.back()) &&
            name.rfind("goog", 0) != 0 && every(name, allowed);
  if (!ok) {
    fail_under(f, "invalid bucket name '" + name + "': 3 to 63 characters of lowercase letters, digits, "
                  "- _ and ., starting and ending with a letter or digit, not starting with 'goog'");
  }
}

void check_env_name(const Field& f, const std::string& name) {
  bool ok = !name.empty() && (is_alpha(name[0]) || name[0] == '_') &&
            every(name, [](char c) { return is_alnum(c) || c == '_'; });
  if (!ok) fail_under(f, "invalid environment variable name '" + name + "'");
  // Cloud Run sets these itself and rejects services that try to.
  static const std::set<std::string> kReserved = {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"};
  if (kReserved.count(name)) {
    fail_under(f, "'" + name + "' is reserved: Cloud Run sets it for every instance");
  }
}

// ---- the stack ----

const std::vector<std::string_view> kRunKeys = {
    "command", "image", "args", "cwd", "env", "secret_env", "port", "concurrency", "min_instances",
    "max_instances", "timeout", "startup_probe", "allow_unauthenticated", "ingress", "build", "memory", "cpu"};

class Parser final : public SectionContext {
 public:
  Parser(std::string file_name, std::string base_dir, const std::vector<StackSection>& sections)
      : file_name_(std::move(file_name)), sections_(sections) {
    base_dir_ = fs::absolute(base_dir.empty() ? "." : base_dir).lexically_normal();
    if (!base_dir_.has_filename()) base_dir_ = base_dir_.parent_path();
  }

  StackConfig parse(const YAML::Node& root) {
    cfg_.file = file_name_;
    cfg_.base_dir = base_dir_.string();
    Field doc{root, "", 1, 1};
    std::vector<std::string_view> keys = {"project", "region", "seed", "run", "functions", "pubsub",
                                          "storage", "secrets", "faults"};
    for (auto& s : sections_) if (s.key.rfind("run.", 0) != 0) keys.push_back(s.key);
    Map top(doc, keys);
    if (auto f = top.get("project")) project(*f);
    if (auto f = top.get("region")) region(*f);
    if (auto f = top.get("seed")) cfg_.seed = seed(*f);
    if (auto f = top.get("secrets")) secrets(*f);
    if (auto f = top.get("run")) run(*f);
    if (auto f = top.get("functions")) functions(*f);
    if (auto f = top.get("storage")) storage(*f);
    if (auto f = top.get("pubsub")) pubsub(*f);
    if (auto f = top.get("faults")) faults(*f);
    for (auto& s : sections_) {
      if (s.key.rfind("run.", 0) == 0) continue;  // read with each run entry
      if (auto f = top.get(s.key)) cfg_.sections[s.key] = s.parse(*f, *this);
    }
    // References are checked once everything is declared, so sections may come in any order.
    for (auto& check : checks_) check();
    return std::move(cfg_);
  }

 private:
  void project(const Field& f) {
    std::string p = text(f);
    bool ok = p.size() >= 6 && p.size() <= 30 && is_lower(p[0]) && p.back() != '-' &&
              every(p, lower_digit_hyphen);
    if (!ok) {
      fail(f, "invalid project ID '" + p + "': 6 to 30 lowercase letters, digits or hyphens, starting "
              "with a letter and not ending with a hyphen");
    }
    cfg_.project = p;
  }

  void region(const Field& f) {
    std::string r = text(f);
    if (r.empty() || !every(r, lower_digit_hyphen)) fail(f, "invalid region '" + r + "'");
    cfg_.region = r;
  }

  static uint64_t seed(const Field& f) {
    std::string s = f.node.IsScalar() ? f.node.Scalar() : "";
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      fail(f, "expected a non-negative integer, got " + describe(f.node));
    }
    return v;
  }

  const StackConfig& stack() const override { return cfg_; }

  std::string resolve(const std::string& p) const override {
    fs::path out = (base_dir_ / p).lexically_normal();  // an absolute p replaces base_dir_
    return (out.has_filename() ? out : out.parent_path()).string();
  }

  void later(std::function<void()> check) override { checks_.push_back(std::move(check)); }

  int port(const Field& f) override {
    int p = small_int(f, 1, 65535);
    auto [it, fresh] = ports_.emplace(p, f.path.substr(0, f.path.rfind('.')));
    if (!fresh) fail(f, "port " + std::to_string(p) + " is already used by " + it->second);
    return p;
  }

  // ---- Run and functions ----

  // `function`: Cloud Functions' CPU follows the memory when only the memory is set.
  RunServiceConfig service(const Map& m, RunServiceConfig s, bool function = false) {
    if (auto f = m.get("image")) {
      s.image = text(*f);
      if (s.image.empty() || s.image.find_first_of(" \t\n") != std::string::npos || s.image[0] == '-')
        fail(*f, "expected a container image reference (NAME[:TAG] or NAME@DIGEST), got '" + s.image + "'");
      if (auto c = m.get("cwd")) fail(*c, "does not apply to an image: its WORKDIR is the working directory");
    }
    if (auto f = m.get("build")) build(m, *f, s);
    bool container = !s.image.empty() || !s.build.empty();
    if (auto f = m.get("args")) {
      if (!container) fail(*f, "applies to an image only; without one, put the arguments in command");
      s.args = strings(*f);
    }
    limits(m, s, container, function);
    // A service.yaml may name the command itself; an image brings its own entrypoint.
    if (m.has("command") || (s.command.empty() && !container)) {
      Field cmd = m.require("command");
      s.command = strings(cmd);
      if (s.command.empty()) fail(cmd, "must name a program to run");
    }
    s.cwd = resolve(m.has("cwd") ? text(*m.get("cwd")) : ".");
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
        s.secret_env[name] = secret_ref(v);
      }
    }
    if (auto f = m.get("port")) s.port = port(*f);
    if (auto f = m.get("concurrency")) s.concurrency = small_int(*f, 1, 1000);
    if (auto f = m.get("min_instances")) s.min_instances = small_int(*f, 0, 1000);
    if (auto f = m.get("max_instances")) s.max_instances = small_int(*f, 1, 1000);
    if (s.max_instances < s.min_instances) {
      if (auto f = m.get("max_instances")) {
        fail(*f, "must be at least min_instances (" + std::to_string(s.min_instances) + "), got " +
                     std::to_string(s.max_instances));
      }
      fail(*m.get("min_instances"),
           "must not exceed max_instances (" + std::to_string(s.max_instances) + ")");
    }
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

  // `build: DIR`, the `gcloud run deploy --source` analogue: DIR's Dockerfile is built into
  // the image the instances run (services/run/images.h) before the first one starts. It
  // replaces a service.yaml's image, which names production's registry.
  void build(const Map& m, const Field& f, RunServiceConfig& s) {
    if (m.has("image")) fail(f, "set either image or build, not both");
    if (auto c = m.get("cwd")) fail(*c, "does not apply to a build: the image's WORKDIR is the working directory");
    s.build = resolve(text(f));
    s.image.clear();
    s.build_at = file_name_ + ":" + std::to_string(f.line) + ": " + f.path;
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(s.build) / "Dockerfile", ec)) fail(f, "no Dockerfile in " + s.build);
  }

  // A container's memory and CPU, checked against each other as Cloud Run does.
  void limits(const Map& m, RunServiceConfig& s, bool container, bool function) {
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

  SecretRef secret_ref(const Field& f) {
    std::string v = text(f);
    auto colon = v.rfind(':');
    SecretRef ref{v.substr(0, colon), colon == std::string::npos ? "latest" : v.substr(colon + 1)};
    bool number = !ref.version.empty() && ref.version[0] != '0' && every(ref.version, is_digit);
    if (ref.secret.empty() || (ref.version != "latest" && !number)) {
      fail(f, "expected 'SECRET:VERSION' (VERSION is 'latest' or a number), got '" + v + "'");
    }
    declared_secret(f, ref.secret);
    return ref;
  }

  void declared_secret(const Field& f, const std::string& name) {
    later([this, f, name] {
      if (!cfg_.secrets.count(name)) fail(f, "secret '" + name + "' is not declared under secrets");
    });
  }

  // A section registered as "run.KEY" (the Knative reader's "run.service_yaml") reads an
  // entry holding KEY into the config the entry's own keys then complete.
  void run(const Field& section) {
    auto keys = kRunKeys;
    for (auto& s : sections_) if (s.key.rfind("run.", 0) == 0) keys.push_back(std::string_view(s.key).substr(4));
    for (auto& [name, f] : entries(section)) {
      check_service_name(f, name, 49);
      Map m(f, keys);
      RunServiceConfig base;
      for (auto& s : sections_)
        if (s.key.rfind("run.", 0) == 0 && m.has(s.key.substr(4))) base = std::any_cast<RunServiceConfig>(s.parse(f, *this));
      cfg_.run[name] = service(m, std::move(base));
    }
  }

  void functions(const Field& section) {
    auto keys = kRunKeys;
    keys.push_back("trigger");
    for (auto& [name, f] : entries(section)) {
      check_service_name(f, name, 63);
      if (cfg_.run.count(name)) {
        fail_under(f, "name '" + name + "' is already used by run." + name +
                          " (a function is a Run service)");
      }
      Map m(f, keys);
      RunServiceConfig defaults;  // Cloud Functions' own defaults, not Cloud Run's
      defaults.concurrency = 1;
      defaults.timeout = 60s;
      defaults.memory_bytes = uint64_t{256} << 20;
      defaults.cpu = function_cpu(defaults.memory_bytes);
      FunctionConfig fn{service(m, defaults, true), {}};
      if (auto t = m.get("trigger")) fn.trigger = trigger(*t);
      cfg_.functions[name] = std::move(fn);
    }
  }

  FunctionTrigger trigger(const Field& f) {
    Map m(f, {"pubsub", "storage", "event", "http", "retry", "dead_letter", "max_attempts"});
    FunctionTrigger t;
    int kinds = m.has("pubsub") + m.has("storage") + m.has("http");
    if (kinds != 1) fail_under(f, "set exactly one of 'pubsub', 'storage' or 'http'");
    if (auto p = m.get("pubsub")) {
      t.kind = FunctionTrigger::Kind::kPubsub;
      t.topic = text(*p);
      check_pubsub_name(*p, t.topic);
      cfg_.pubsub.topics.try_emplace(t.topic);  // gcloud creates a trigger's topic when missing
    }
    if (auto s = m.get("storage")) storage_trigger(m, *s, t);
    else if (auto e = m.get("event")) fail(*e, "applies only with 'storage'");
    if (auto h = m.get("http")) {
      bool empty_map = h->node.IsNull() || (h->node.IsMap() && h->node.size() == 0);
      if (!empty_map && !(h->node.IsScalar() && h->node.Scalar() == "true")) {
        fail(*h, "expected true or {}, got " + describe(h->node));
      }
    }
    for (const char* key : {"retry", "dead_letter", "max_attempts"}) {
      if (t.kind == FunctionTrigger::Kind::kHttp && m.has(key)) {
        fail(*m.get(key), "applies only to event triggers");
      }
    }
    if (auto r = m.get("retry")) t.retry = boolean(*r);
    if (auto d = m.get("dead_letter")) t.dead_letter = declared_topic(*d);
    if (auto a = m.get("max_attempts")) t.max_attempts = small_int(*a, 5, 100);
    return t;
  }

  // `storage: BUCKET` with a sibling `event`, or `storage: {bucket, event}`.
  void storage_trigger(const Map& trigger, const Field& s, FunctionTrigger& t) {
    t.kind = FunctionTrigger::Kind::kStorage;
    std::optional<Map> sm;
    std::optional<Field> bucket, event = trigger.get("event");
    if (s.node.IsMap()) {
      if (event) fail(*event, "set 'event' inside 'storage' when 'storage' is a mapping");
      sm.emplace(s, std::vector<std::string_view>{"bucket", "event"});
      bucket = sm->require("bucket");
      event = sm->get("event");
    } else {
      bucket = s;
    }
    t.bucket = text(*bucket);
    later([this, b = *bucket, name = t.bucket] {
      if (!cfg_.storage.buckets.count(name)) fail(b, "bucket '" + name + "' is not declared under storage.buckets");
    });
    std::string kind = event ? one_of(*event, {"finalized", "deleted", "archived", "metadataUpdated"}) : "finalized";
    t.event = "google.cloud.storage.object.v1." + kind;
  }

  // ---- Pub/Sub ----

  std::string declared_topic(const Field& f) {
    std::string name = text(f);
    later([this, f, name] {
      if (!cfg_.pubsub.topics.count(name)) {
        fail(f, "topic '" + name + "' is not declared under pubsub.topics");
      }
    });
    return name;
  }

  void pubsub(const Field& section) {
    Map m(section, {"topics", "subscriptions"});
    if (auto f = m.get("topics")) {
      for (auto& [name, tf] : entries(*f)) {
        check_pubsub_name(tf, name);
        Map t(tf, {"labels", "message_retention"});
        TopicConfig topic;
        if (auto l = t.get("labels")) topic.labels = string_map(*l);
        if (auto r = t.get("message_retention")) topic.message_retention = duration(*r, 10min, 31 * 24h);
        cfg_.pubsub.topics[name] = std::move(topic);
      }
    }
    if (auto f = m.get("subscriptions")) {
      for (auto& [name, sf] : entries(*f)) {
        check_pubsub_name(sf, name);
        cfg_.pubsub.subscriptions[name] = subscription(sf);
      }
    }
  }

  SubscriptionConfig subscription(const Field& f) {
    Map m(f, {"topic", "ack_deadline", "push", "filter", "dead_letter", "retry", "ordering", "exactly_once"});
    SubscriptionConfig s;
    s.topic = declared_topic(m.require("topic"));
    if (auto a = m.get("ack_deadline")) s.ack_deadline = duration(*a, 10s, 600s);
    if (auto p = m.get("push")) s.push = push(*p);
    if (auto x = m.get("filter")) s.filter = text(*x);
    if (auto d = m.get("dead_letter")) {
      Map dm(*d, {"topic", "max_attempts"});
      s.dead_letter = DeadLetterPolicy{declared_topic(dm.require("topic"))};
      if (auto a = dm.get("max_attempts")) s.dead_letter->max_attempts = small_int(*a, 5, 100);
    }
    if (auto r = m.get("retry")) {
      Map rm(*r, {"min_backoff", "max_backoff"});
      s.retry = RetryPolicy{};
      if (auto b = rm.get("min_backoff")) s.retry->min_backoff = duration(*b, 0s, 600s);
      if (auto b = rm.get("max_backoff")) s.retry->max_backoff = duration(*b, 0s, 600s);
      if (s.retry->min_backoff > s.retry->max_backoff) {
        fail_under(*r, "min_backoff must not exceed max_backoff");
      }
    }
    if (auto o = m.get("ordering")) s.ordering = boolean(*o);
    if (auto e = m.get("exactly_once")) {
      s.exactly_once = boolean(*e);
      if (s.exactly_once && s.push) fail(*e, "exactly-once delivery works only with pull subscriptions");
    }
    return s;
  }

  PushConfig push(const Field& f) {
    Map m(f, {"service", "path", "url", "oidc"});
    PushConfig p;
    if (m.has("service") == m.has("url")) fail_under(f, "set either 'service' or 'url'");
    if (auto s = m.get("service")) {
      p.service = text(*s);
      later([this, s = *s, name = p.service] {
        if (!cfg_.run.count(name) && !cfg_.functions.count(name)) {
          fail(s, "'" + name + "' is not a declared run service or function");
        }
      });
    }
    if (auto path = m.get("path")) {
      if (p.service.empty()) fail(*path, "applies only with 'service'");
      p.path = text(*path);
      if (p.path.empty() || p.path[0] != '/') fail(*path, "must start with '/'");
    }
    if (auto u = m.get("url")) {
      p.url = text(*u);
      if (p.url.rfind("http://", 0) != 0 && p.url.rfind("https://", 0) != 0) {
        fail(*u, "expected an http:// or https:// URL");
      }
    }
    if (auto o = m.get("oidc")) p.oidc = boolean(*o);
    return p;
  }

  // ---- Cloud Storage ----

  void storage(const Field& section) {
    Map m(section, {"buckets"});
    if (auto f = m.get("buckets")) {
      for (auto& [name, bf] : entries(*f)) {
        check_bucket_name(bf, name);
        cfg_.storage.buckets[name] = bucket(bf);
      }
    }
  }

  BucketConfig bucket(const Field& f) {
    Map m(f, {"versioning", "location", "notifications", "lifecycle", "cors", "public_access_prevention"});
    BucketConfig b;
    if (auto v = m.get("versioning")) b.versioning = boolean(*v);
    if (auto l = m.get("location")) {
      b.location = text(*l);
      // Cloud Storage reports locations in upper case whatever case they were created with.
      for (char& c : b.location) c = is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c;
    }
    if (auto n = m.get("notifications")) {
      for (auto& nf : items(*n)) {
        Map nm(nf, {"topic", "events", "prefix"});
        BucketNotification note;
        Field topic = nm.require("topic");
        note.topic = text(topic);
        check_pubsub_name(topic, note.topic);
        cfg_.pubsub.topics.try_emplace(note.topic);  // as gcloud does when creating a notification
        if (auto e = nm.get("events")) {
          for (auto& ef : items(*e)) {
            note.events.push_back(
                one_of(ef, {"OBJECT_FINALIZE", "OBJECT_METADATA_UPDATE", "OBJECT_DELETE", "OBJECT_ARCHIVE"}));
          }
        }
        if (auto p = nm.get("prefix")) note.prefix = text(*p);
        b.notifications.push_back(std::move(note));
      }
    }
    if (auto l = m.get("lifecycle")) {
      for (auto& rf : items(*l)) b.lifecycle.push_back(read_lifecycle_rule(rf));
    }
    if (auto c = m.get("cors")) {
      for (auto& cf : items(*c)) {
        Map cm(cf, {"origin", "method", "response_header", "max_age_seconds"});
        BucketCors e;
        e.origins = strings(cm.require("origin"));
        if (auto v = cm.get("method")) e.methods = strings(*v);
        if (auto v = cm.get("response_header")) e.response_headers = strings(*v);
        if (auto v = cm.get("max_age_seconds")) e.max_age_seconds = integer(*v, 0, 86400 * 365);
        b.cors.push_back(std::move(e));
      }
    }
    if (auto p = m.get("public_access_prevention")) b.public_access_prevention = one_of(*p, {"inherited", "enforced"});
    return b;
  }

  // ---- Secret Manager ----

  void secrets(const Field& section) {
    for (auto& [name, f] : entries(section)) {
      check_plain_name(f, name, "_-", 255);
      Map m(f, {"value", "file"});
      if (m.has("value") == m.has("file")) fail_under(f, "set either 'value' or 'file'");
      SecretConfig s;
      if (auto v = m.get("value")) s.value = text(*v);
      if (auto file = m.get("file")) {
        s.file = resolve(text(*file));
        std::error_code ec;
        std::ifstream in(s.file, std::ios::binary);
        if (!fs::is_regular_file(s.file, ec) || !in) fail(*file, "cannot read secret file '" + s.file + "'");
        s.value.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      constexpr size_t kMaxPayload = 64 * 1024;  // Secret Manager's limit per version
      if (s.value.size() > kMaxPayload) {
        fail_under(f, "the payload is " + std::to_string(s.value.size()) +
                          " bytes; Secret Manager allows at most " + std::to_string(kMaxPayload));
      }
      cfg_.secrets[name] = std::move(s);
    }
  }

  // ---- faults ----

  void faults(const Field& section) {
    for (auto& f : items(section)) cfg_.faults.push_back(read_fault(f));
  }

  std::string file_name_;
  fs::path base_dir_;
  StackConfig cfg_;
  std::map<int, std::string> ports_;  // port → the key that claimed it
  std::vector<std::function<void()>> checks_;
  const std::vector<StackSection>& sections_;
};

}  // namespace

StackConfig default_stack() { return StackConfig{}; }

StatusOr<StackConfig> parse_stack(std::string_view yaml_text, const std::string& file_name,
                                  const std::string& base_dir,
                                  const std::vector<StackSection>& sections) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    return Parser(file_name, base_dir, sections).parse(root);
  } catch (const StackError& e) {
    return Status::invalid_argument(file_name + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return Status::invalid_argument(file_name + ":" + std::to_string(e.mark.line + 1) +
                                    ": invalid YAML: " + e.msg);
  }
}

StatusOr<StackConfig> load_stack(const std::string& path, const std::vector<StackSection>& sections) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!fs::is_regular_file(path, ec) || !in) {
    return Status::not_found("cannot read stack file '" + path + "'");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_stack(text, path, fs::absolute(path).parent_path().string(), sections);
}

}  // namespace gcpsim::core
