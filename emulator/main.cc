// gcpsim's command line: up, env, gcloud, test, version.
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/client_env.h"
#include "core/memory.h"
#include "core/env.h"
#include "core/events.h"
#include "core/stack.h"
#include "services/backing/config.h"
#include "services/service.h"
#include "core/time.h"
#include "harness/cli.h"
#include "harness/faketime.h"
#include "harness/socket_client.h"
#include "app/server.h"

namespace {

using namespace gcpsim;

constexpr const char* kUsage = R"USAGE(gcpsim — a Google Cloud project on one port, offline.

usage:
  gcpsim up [--stack FILE] [--port P] [--host H] [--data-dir DIR] [--seed N]
            [--clock real|virtual] [--start-time RFC3339] [--project ID]
            [--faketime SERVICE,...]
      Serve every emulated API on one port (gRPC and HTTP), start the stack's
      processes and print one ready line. Stops cleanly on SIGINT/SIGTERM.
      --faketime (virtual clock): those Run services (or GROUP/PROCESS Compute Engine
      processes) read the virtual clock (libfaketime).
  gcpsim env [--port P] [--host H] [--stack FILE] [--format sh|dotenv|json]
      Print the variables that point the official Google clients and gcloud at gcpsim:
        eval "$(gcpsim env)"
  gcpsim health [--port P] [--host H]
      Exit 0 when the gcpsim there answers SERVING, 1 otherwise (a container's
      HEALTHCHECK: the image needs no curl).
  gcpsim gcloud ARGS...
      Run gcloud ARGS against the gcpsim at $GCPSIM_ENDPOINT (else 127.0.0.1:8085) with
      the settings `gcpsim env` prints, e.g. gcpsim gcloud pubsub topics list
%TEST%  gcpsim version
  gcpsim help

defaults: port 8085, host 127.0.0.1, in-memory state, real clock, seed from the
stack file (42), project demo-project. Each flag of `up` (and --port/--host of `env` and
`health`) may come from the environment instead: GCPSIM_PORT, GCPSIM_HOST, GCPSIM_STACK,
GCPSIM_DATA_DIR, GCPSIM_SEED, GCPSIM_CLOCK, GCPSIM_START_TIME, GCPSIM_PROJECT; a flag wins.
)USAGE";

std::string usage() {
  std::string u = kUsage;
  return u.replace(u.find("%TEST%"), 6, harness::kTestUsage);
}

struct Args {
  std::string command;
  std::map<std::string, std::string> flags;
};

// --flag value / --flag=value; every flag takes a value.
bool parse_args(int argc, char** argv, Args& out, std::string& error) {
  if (argc < 2) {
    out.command = "help";
    return true;
  }
  out.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      out.command = "help";
      return true;
    }
    if (a.rfind("--", 0) != 0) {
      error = "unexpected argument '" + a + "'";
      return false;
    }
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      out.flags[a.substr(2, eq - 2)] = a.substr(eq + 1);
    } else if (i + 1 < argc) {
      out.flags[a.substr(2)] = argv[++i];
    } else {
      error = "flag " + a + " needs a value";
      return false;
    }
  }
  return true;
}

// Flags a container sets by environment (GCPSIM_DATA_DIR for --data-dir); a flag given wins.
void flags_from_environment(Args& args, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (args.flags.count(name)) continue;
    std::string var = "GCPSIM_";
    for (const char* c = name; *c; ++c) var.push_back(*c == '-' ? '_' : static_cast<char>(std::toupper(*c)));
    if (const char* v = std::getenv(var.c_str()); v != nullptr && *v != '\0') args.flags[name] = v;
  }
}

bool check_flags(const Args& args, std::initializer_list<const char*> allowed, std::string& error) {
  for (const auto& [k, v] : args.flags) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) {
      error = "unknown flag --" + k + " for 'gcpsim " + args.command + "'";
      return false;
    }
  }
  return true;
}

std::optional<uint16_t> parse_port(const std::string& s) {
  try {
    size_t used = 0;
    int p = std::stoi(s, &used);
    if (used == s.size() && p >= 0 && p <= 65535) return static_cast<uint16_t>(p);
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

int fail(const std::string& message) {
  std::cerr << "gcpsim: " << message << "\n";
  return 2;
}

core::StatusOr<core::StackConfig> load(const Args& args) {
  auto it = args.flags.find("stack");
  if (it == args.flags.end()) return core::default_stack();
  return core::load_stack(it->second, services::stack_sections());
}

// GET a control route of the instance at host_port; a JSON object, or null when none answers.
nlohmann::json control_get(const std::string& host_port, const std::string& target) {
  harness::SocketClient client;
  harness::Request req;
  req.url = "http://" + host_port;
  req.target = target;
  auto id = client.start(std::move(req), std::chrono::milliseconds(3000));
  std::optional<harness::Response> res;
  while (!(res = client.take(id))) client.poll(std::chrono::milliseconds(100));
  if (res->status != 200) return nullptr;
  auto body = nlohmann::json::parse(res->body, nullptr, false);
  return body.is_object() ? body : nlohmann::json(nullptr);
}

// Backing servers listen on ports the running instance picked: ask it (GET /_gcpsim/backing).
bool backing_env(const std::string& host_port, std::vector<std::pair<std::string, std::string>>& vars) {
  auto body = control_get(host_port, "/_gcpsim/backing");
  if (!body.is_object() || !body.contains("env") || !body["env"].is_object()) return false;
  for (auto& [k, v] : body["env"].items()) vars.emplace_back(k, v.get<std::string>());
  return true;
}

int cmd_env(Args args) {
  std::string error;
  if (!check_flags(args, {"port", "host", "stack", "format"}, error)) return fail(error);
  flags_from_environment(args, {"port", "stack"});
  auto stack = load(args);
  if (!stack.ok()) return fail(stack.status().message());
  auto port = parse_port(args.flags.count("port") ? args.flags.at("port") : "8085");
  if (!port || *port == 0) return fail("--port must be 1-65535");
  std::string host = args.flags.count("host") ? args.flags.at("host") : "127.0.0.1";
  std::string hp = host + ":" + std::to_string(*port);
  const std::string& project = stack->project;
  auto token = control::write_gcloud_token();
  if (!token.ok()) return fail(token.status().message());
  auto vars = control::library_env(hp, project);
  for (auto& v : control::gcloud_env(hp, project, *token)) vars.push_back(std::move(v));
  if (services::backing::config_of(*stack) && !backing_env(hp, vars))
    std::cerr << "gcpsim env: no gcpsim answers on " << hp << ": backing server endpoints left out" << std::endl;
  std::string format = args.flags.count("format") ? args.flags.at("format") : "sh";
  if (format == "json") {
    std::cout << "{";
    for (size_t i = 0; i < vars.size(); ++i)
      std::cout << (i ? "," : "") << "\n  \"" << vars[i].first << "\": \"" << vars[i].second << "\"";
    std::cout << "\n}\n";
  } else if (format == "sh" || format == "dotenv") {
    for (const auto& [k, v] : vars) std::cout << (format == "sh" ? "export " : "") << k << "=" << v << "\n";
  } else {
    return fail("--format must be sh, dotenv or json");
  }
  return 0;
}

int cmd_health(Args args) {
  std::string error;
  if (!check_flags(args, {"port", "host"}, error)) return fail(error);
  flags_from_environment(args, {"port", "host"});
  auto port = parse_port(args.flags.count("port") ? args.flags.at("port") : "8085");
  if (!port || *port == 0) return fail("--port must be 1-65535");
  std::string host = args.flags.count("host") ? args.flags.at("host") : "127.0.0.1";
  if (host == "0.0.0.0") host = "127.0.0.1";  // where a container's own gcpsim listens
  std::string hp = host + ":" + std::to_string(*port);
  auto health = control_get(hp, "/_gcpsim/health");
  std::string status = health.is_object() ? health.value("status", std::string("UNKNOWN")) : "NOT_SERVING";
  std::cout << hp << " " << status << std::endl;
  return status == "SERVING" ? 0 : 1;
}

// Like LocalStack's awslocal: the user's own gcloud, its arguments untouched, with only the
// variables that point it at the running gcpsim added to its environment.
int cmd_gcloud(int argc, char** argv) {
  std::string hp = "127.0.0.1:8085";
  if (const char* e = std::getenv("GCPSIM_ENDPOINT"); e != nullptr && *e != '\0') {
    hp = e;
    if (hp.rfind("http://", 0) == 0) hp = hp.substr(7);
    while (!hp.empty() && hp.back() == '/') hp.pop_back();
  }
  auto health = control_get(hp, "/_gcpsim/health");
  if (!health.is_object() || !health.value("project", nlohmann::json()).is_string())
    return fail("gcloud: no gcpsim answers on " + hp + " (start one with `gcpsim up`, or set GCPSIM_ENDPOINT)");
  auto token = control::write_gcloud_token();
  if (!token.ok()) return fail(token.status().message());
  for (const auto& [k, v] : control::gcloud_env(hp, health["project"].get<std::string>(), *token))
    ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args = {const_cast<char*>("gcloud")};
  for (int i = 0; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  ::execvp("gcloud", args.data());
  std::cerr << "gcpsim gcloud: cannot run gcloud (" << std::strerror(errno)
            << "): install the Google Cloud CLI or put it on PATH\n";
  return 127;
}

// `up --faketime A,B`, as a scenario's `faketime:`: those services' processes read the
// virtual clock from a file written now and, once serving, on every clock.move event.
core::StatusOr<std::string> setup_faketime(const std::string& list, app::ServerOptions& opts) {
  if (opts.clock_mode != core::Clock::Mode::kVirtual) return core::Status::invalid_argument("--faketime needs --clock virtual");
  std::vector<std::string> names;
  for (size_t i = 0, j; i <= list.size(); i = j + 1) {
    j = list.find(',', i);
    if (j == std::string::npos) j = list.size();
    if (j > i) names.push_back(list.substr(i, j - i));
  }
  std::string dir = (std::filesystem::temp_directory_path() / "gcpsim-faketime-XXXXXX").string();
  if (!mkdtemp(dir.data())) return core::Status::internal(std::string("--faketime: cannot create a directory: ") + std::strerror(errno));
  std::string file = dir + "/now";
  if (auto err = harness::enable_faketime(opts.stack, names, file)) return core::Status::invalid_argument(*err);
  harness::write_faketime_file(file, opts.start_time);
  return file;
}

// Rewrites the faketime file whenever the control API moves the clock.
void follow_clock(app::Server& server, const std::string& file) {
  server.run_on_engine([&server, file] {
    server.env().events.subscribe([&server, file](const core::Event& e) {
      if (e.kind == "clock.move") harness::write_faketime_file(file, server.env().clock.now());
    });
  });
}

int cmd_up(Args args) {
  std::string error;
  if (!check_flags(args, {"stack", "port", "host", "data-dir", "seed", "clock", "start-time", "project", "faketime"}, error))
    return fail(error);
  flags_from_environment(args, {"stack", "port", "host", "data-dir", "seed", "clock", "start-time", "project", "faketime"});
  auto stack = load(args);
  if (!stack.ok()) return fail(stack.status().message());
  app::ServerOptions opts;
  opts.stack = std::move(stack).value();
  if (args.flags.count("project")) opts.stack.project = args.flags.at("project");
  if (args.flags.count("port")) {
    auto p = parse_port(args.flags.at("port"));
    if (!p) return fail("--port must be 0-65535");
    opts.port = *p;
  }
  if (args.flags.count("host")) opts.host = args.flags.at("host");
  if (args.flags.count("data-dir")) opts.data_dir = args.flags.at("data-dir");
  if (args.flags.count("seed")) {
    try {
      opts.stack.seed = std::stoull(args.flags.at("seed"));
    } catch (const std::exception&) {
      return fail("--seed must be a non-negative integer");
    }
  }
  std::string clock = args.flags.count("clock") ? args.flags.at("clock") : "real";
  if (clock == "virtual") {
    opts.clock_mode = core::Clock::Mode::kVirtual;
    opts.start_time = *core::parse_rfc3339("2026-01-01T00:00:00Z");
  } else if (clock != "real") {
    return fail("--clock must be real or virtual");
  }
  if (args.flags.count("start-time")) {
    auto t = core::parse_rfc3339(args.flags.at("start-time"));
    if (!t) return fail("--start-time must be an RFC 3339 time like 2026-01-01T00:00:00Z");
    opts.start_time = *t;
  }
  std::string faketime_file;
  if (args.flags.count("faketime")) {
    auto file = setup_faketime(args.flags.at("faketime"), opts);
    if (!file.ok()) return fail(file.status().message());
    faketime_file = *file;
  }

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::string project = opts.stack.project;
  std::string host = opts.host;
  app::Server server(std::move(opts));
  auto st = server.start();
  if (!st.is_ok()) return fail(st.message());
  if (!faketime_file.empty()) follow_clock(server, faketime_file);
  std::cout << "gcpsim ready on " << host << ":" << server.port() << " project=" << project
            << " clock=" << clock << std::endl;
  int sig = 0;
  sigwait(&sigs, &sig);
  server.stop();
  if (!faketime_file.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(faketime_file).parent_path(), ec);
  }
  std::cout << "gcpsim stopped (" << strsignal(sig) << ")" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gcpsim::core::tune_allocator();
  if (argc >= 2 && std::string(argv[1]) == "test") {
    for (int i = 2; i < argc; ++i) {
      if (std::string(argv[i]) == "-h" || std::string(argv[i]) == "--help") return (std::cout << usage(), 0);
    }
    return harness::run_test_command(argc - 2, argv + 2);
  }
  if (argc >= 2 && std::string(argv[1]) == "gcloud") return cmd_gcloud(argc - 2, argv + 2);
  Args args;
  std::string error;
  if (!parse_args(argc, argv, args, error)) return fail(error + "\n" + usage());
  if (args.command == "help" || args.command == "--help" || args.command == "-h") {
    std::cout << usage();
    return 0;
  }
  if (args.command == "version" || args.command == "--version") {
    std::cout << "gcpsim " << GCPSIM_VERSION << " (C++" << __cplusplus / 100 % 100 << ", " << __VERSION__ << ")\n";
    return 0;
  }
  if (args.command == "up") return cmd_up(args);
  if (args.command == "env") return cmd_env(args);
  if (args.command == "health") return cmd_health(args);
  return fail("unknown command '" + args.command + "'\n" + usage());
}
