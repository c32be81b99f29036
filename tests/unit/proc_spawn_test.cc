// Specification of the keeper's cleanup command (proc/spawn.h): it runs once the command's
// process group is gone, whether gcpsim asked for the kill or gcpsim itself went away.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "proc/spawn.h"

namespace proc_spawn_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::proc;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TempFile {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("gcpsim-cleanup-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
  ~TempFile() { std::filesystem::remove(path); }
  static int& counter() { static int n = 0; return n; }
};

Spawned start(const TempFile& marker) {
  SpawnSpec spec{{"sleep", "60"}, "", {"PATH=/usr/bin:/bin"}};
  auto s = spawn_process(spec, {"sh", "-c", "echo cleaned > " + marker.path.string()});
  REQUIRE(s.ok());
  return *s;
}

void close_all(const Spawned& s) {
  for (int fd : {s.stdout_fd, s.stderr_fd, s.control_fd, s.pidfd})
    if (fd >= 0) ::close(fd);
}

}  // namespace

TEST_CASE("the cleanup command runs after gcpsim kills the command") {
  TempFile marker;
  Spawned s = start(marker);
  REQUIRE(signal_group(s.control_fd, true));
  auto st = reap(s.pid, true);
  REQUIRE(st);
  REQUIRE(st->signal == 9);
  REQUIRE(read_file(marker.path) == "cleaned\n");
  close_all(s);
}

TEST_CASE("the cleanup command runs when gcpsim goes away without a word") {
  TempFile marker;
  Spawned s = start(marker);
  ::close(s.control_fd);  // what the kernel does when gcpsim is killed
  s.control_fd = -1;
  REQUIRE(reap(s.pid, true));
  REQUIRE(read_file(marker.path) == "cleaned\n");
  close_all(s);
}

TEST_CASE("a cleanup command that cannot be found is refused before anything starts") {
  SpawnSpec spec{{"sleep", "60"}, "", {"PATH=/usr/bin:/bin"}};
  auto s = spawn_process(spec, {"no-such-cleanup-program"});
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.status().message() == "cleanup: command not found on PATH: no-such-cleanup-program");
}

}  // namespace proc_spawn_test
