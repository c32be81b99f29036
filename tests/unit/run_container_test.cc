// Image-based Run instances: the stack file's memory, cpu and build keys, the docker run
// command line an instance gets (tmpfs /tmp, limits, stop signal and grace, owner labels), and
// which containers count as left over by a gcpsim that is gone.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/stack.h"
#include "services/functions/config.h"
#include "services/run/config.h"
#include "services/run/container.h"
#include "services/service.h"

namespace run_container_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;
using namespace gcpsim::services::run;
using gcpsim::services::functions::stack_functions;
namespace fs = std::filesystem;

namespace {

StatusOr<StackConfig> parse(const std::string& yaml, const std::string& base_dir = "/srv/app") {
  return parse_stack(yaml, "gcpsim.yaml", base_dir, gcpsim::services::stack_sections());
}

std::string error_of(const std::string& yaml, const std::string& base_dir = "/srv/app") {
  auto r = parse(yaml, base_dir);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

// The value after `flag` in argv, or "" when the flag is absent.
std::string after(const std::vector<std::string>& argv, const std::string& flag) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

std::vector<std::string> all_after(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag) out.push_back(argv[i + 1]);
  return out;
}

}  // namespace

TEST_CASE("memory and cpu take Cloud Run's formats, ranges and pairings") {
  auto s = parse("run:\n  a: {image: api}\n  b: {image: api, memory: 2Gi, cpu: 2}\n  c: {image: api, memory: 256Mi, cpu: 500m}\n"
                 "  d: {image: api, memory: 1G, cpu: \"0.5\"}\n");
  REQUIRE(s.ok());
  CHECK(stack_run(*s).at("a").memory_bytes == 512ull << 20);  // Cloud Run's defaults
  CHECK(stack_run(*s).at("a").cpu == 1);
  CHECK(stack_run(*s).at("b").memory_bytes == 2ull << 30);
  CHECK(stack_run(*s).at("b").cpu == 2);
  CHECK(stack_run(*s).at("c").memory_bytes == 256ull << 20);
  CHECK(stack_run(*s).at("c").cpu == 0.5);
  CHECK(stack_run(*s).at("d").memory_bytes == 1000000000);
  CHECK(error_of("run:\n  a: {image: api, memory: 512MB}\n") ==
        "gcpsim.yaml:2: run.a.memory: expected a memory size such as 512Mi or 2Gi, got '512MB'");
  CHECK(error_of("run:\n  a: {image: api, memory: 64Mi}\n") ==
        "gcpsim.yaml:2: run.a.memory: must be between 128Mi and 32Gi, got '64Mi'");
  CHECK(error_of("run:\n  a: {image: api, cpu: 3}\n") ==
        "gcpsim.yaml:2: run.a.cpu: must be 1, 2, 4, 6 or 8, or a fraction from 0.08 to 1, got '3'");
  CHECK(error_of("run:\n  a: {image: api, memory: 8Gi}\n") ==
        "gcpsim.yaml:2: run.a.memory: 1 CPU takes up to 4Gi of memory, got 8Gi (cpu is not set: it is 1)");
  CHECK(error_of("run:\n  a: {image: api, cpu: 4}\n") ==
        "gcpsim.yaml:2: run.a.cpu: 4 CPU takes from 2Gi up to 16Gi of memory, got 512Mi (the default)");
  CHECK(error_of("run:\n  a: {command: [app], memory: 1Gi}\n") ==
        "gcpsim.yaml:2: run.a.memory: applies to an image or a build only: a command's process runs without limits");
}

TEST_CASE("a function's CPU follows its memory, from Cloud Functions' 256Mi default") {
  auto s = parse("functions:\n  f: {image: fn}\n  g: {image: fn, memory: 1Gi}\n  h: {image: fn, memory: 1Gi, cpu: 1}\n");
  REQUIRE(s.ok());
  CHECK(stack_functions(*s).at("f").service.memory_bytes == 256ull << 20);
  CHECK(stack_functions(*s).at("f").service.cpu == Approx(0.167));
  CHECK(stack_functions(*s).at("g").service.cpu == Approx(0.583));
  CHECK(stack_functions(*s).at("h").service.cpu == 1);
}

TEST_CASE("build names a directory with a Dockerfile, relative to the stack file") {
  auto dir = fs::temp_directory_path() / ("gcpsim-build-test-" + std::to_string(::getpid()));
  fs::create_directories(dir / "api");
  std::ofstream(dir / "api/Dockerfile") << "FROM debian:bookworm-slim\n";
  auto s = parse("run:\n  api:\n    build: api\n    args: [serve]\n    memory: 1Gi\n", dir.string());
  REQUIRE(s.ok());
  CHECK(stack_run(*s).at("api").build == (dir / "api").string());
  CHECK(stack_run(*s).at("api").build_at == "gcpsim.yaml:3: run.api.build");
  CHECK(stack_run(*s).at("api").image.empty());  // named once built
  CHECK(stack_run(*s).at("api").args == std::vector<std::string>{"serve"});
  CHECK(error_of("run:\n  api: {build: nowhere}\n", dir.string()) ==
        "gcpsim.yaml:2: run.api.build: no Dockerfile in " + (dir / "nowhere").string());
  CHECK(error_of("run:\n  api: {build: api, image: x}\n", dir.string()) ==
        "gcpsim.yaml:2: run.api.build: set either image or build, not both");
  CHECK(error_of("run:\n  api: {build: api, cwd: /srv}\n", dir.string()) ==
        "gcpsim.yaml:2: run.api.cwd: does not apply to a build: the image's WORKDIR is the working directory");
  fs::remove_all(dir);
}

TEST_CASE("an instance's docker run: tmpfs /tmp, the limits, SIGTERM with 10 s grace, owner labels, values off argv") {
  RunServiceConfig config;
  config.image = "api:dev";
  config.memory_bytes = 256ull << 20;
  config.cpu = 0.167;
  config.command = {"python3", "app.py", "--port", "${PORT}"};
  config.args = {"--verbose"};
  ContainerSpec spec{"gcpsim-8085-api-1-9000", "api", "boot/4026531836/42/1234", {"PORT", "DB_PASSWORD"}, 9000};
  auto argv = container_argv(config, spec);
  CHECK(std::vector<std::string>(argv.begin(), argv.begin() + 8) ==
        std::vector<std::string>{kDockerCli, "run", "--rm", "--init", "--pull", "never", "--network", "host"});
  CHECK(after(argv, "--name") == "gcpsim-8085-api-1-9000");
  CHECK(after(argv, "--tmpfs") == "/tmp:rw,exec,mode=1777");
  CHECK(after(argv, "--memory") == "268435456");
  CHECK(after(argv, "--memory-swap") == "268435456");  // no swap beyond the limit
  CHECK(after(argv, "--cpus") == "0.167");
  CHECK(after(argv, "--stop-signal") == "SIGTERM");
  CHECK(after(argv, "--stop-timeout") == "10");
  CHECK(all_after(argv, "--label") ==
        std::vector<std::string>{"gcpsim.owner=boot/4026531836/42/1234", "gcpsim.service=api"});
  CHECK(all_after(argv, "--env") == std::vector<std::string>{"PORT", "DB_PASSWORD"});
  CHECK(after(argv, "--entrypoint") == "python3");
  auto image = std::find(argv.begin(), argv.end(), "api:dev");
  REQUIRE(image != argv.end());
  CHECK(std::vector<std::string>(image + 1, argv.end()) == std::vector<std::string>{"app.py", "--port", "9000", "--verbose"});
  config.cpu = 2;
  CHECK(after(container_argv(config, spec), "--cpus") == "2");
}

TEST_CASE("a container is left over only when its gcpsim, of this boot and pid namespace, is gone") {
  const std::string& self = owner_label();
  auto parts = [](const std::string& s) {
    std::vector<std::string> out;
    size_t at = 0;
    for (size_t slash; (slash = s.find('/', at)) != std::string::npos; at = slash + 1) out.push_back(s.substr(at, slash - at));
    out.push_back(s.substr(at));
    return out;
  };
  auto me = parts(self);
  REQUIRE(me.size() == 4);
  CHECK(me[2] == std::to_string(::getpid()));
  CHECK_FALSE(owner_gone(self));  // this process is running
  // The same pid started at another time: the pid was reused, its gcpsim is gone.
  CHECK(owner_gone(me[0] + "/" + me[1] + "/" + me[2] + "/1"));
  CHECK(owner_gone(me[0] + "/" + me[1] + "/999999999/" + me[3]));  // no such process
  CHECK_FALSE(owner_gone("other-boot/" + me[1] + "/999999999/1"));  // another boot: not judged
  CHECK_FALSE(owner_gone(me[0] + "/1/999999999/1"));                // another pid namespace
  CHECK_FALSE(owner_gone("garbage"));
  CHECK_FALSE(owner_gone(me[0] + "/" + me[1] + "/x/1"));
}

}  // namespace run_container_test
