// What image-based services need before their first instance starts: the containers of a
// gcpsim that died with its keepers are removed, and each `build: DIR` is built with the
// Docker CLI into gcpsim-build/SERVICE:HASH, HASH naming the build context's content.
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "core/stack.h"
#include "proc/command.h"
#include "services/functions/service.h"
#include "services/run/container.h"
#include "services/run/service.h"

namespace gcpsim::services::run {
namespace {

namespace fs = std::filesystem;

// SHA-256 of the context's files (relative path, executable bit, content; symlinks' targets),
// in path order: the same source gives the same tag, wherever it is checked out.
std::string context_hash(const std::string& dir) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (!it->is_directory(ec)) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  std::vector<char> buf(1 << 16);
  for (const auto& file : files) {
    std::string head = fs::relative(file, dir, ec).generic_string();
    if (fs::is_symlink(file, ec)) {
      head += "\n->" + fs::read_symlink(file, ec).string();
    } else {
      auto perms = fs::status(file, ec).permissions();
      head += (perms & fs::perms::owner_exec) != fs::perms::none ? "\nx" : "\n-";
    }
    head.push_back('\0');
    EVP_DigestUpdate(ctx.get(), head.data(), head.size());
    if (fs::is_symlink(file, ec)) continue;
    std::ifstream in(file, std::ios::binary);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
      EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < 6; ++i) hex += {kHex[digest[i] >> 4], kHex[digest[i] & 15]};
  return hex;
}

// The last lines of a failed build: where Docker says what went wrong.
std::string tail_lines(std::string output, size_t lines) {
  while (!output.empty() && output.back() == '\n') output.pop_back();
  size_t at = output.size();
  for (size_t n = 0; n < lines && at != std::string::npos && at > 0; ++n) at = output.rfind('\n', at - 1);
  return at == std::string::npos || at == 0 ? output : output.substr(at + 1);
}

core::Status build(const std::string& service, RunServiceConfig& config) {
  std::string where = config.build_at;  // "gcpsim.yaml:7: run.api.build"
  if (::access(kDockerCli, X_OK) != 0)
    return core::Status::failed_precondition(where + ": needs Docker: " + kDockerCli + " (Debian's docker.io) is not installed");
  std::string tag = "gcpsim-build/" + service + ":" + context_hash(config.build);
  std::string key = where.substr(where.rfind(": ") + 2);  // "run.api.build"
  std::string prefix = "gcpsim: " + key.substr(0, key.rfind('.')) + ": ";
  std::cerr << prefix << "docker build --network host --force-rm -t " << tag << " " << config.build << std::endl;
  proc::CommandOptions options;
  options.line = [&prefix](std::string_view line) {  // the steps only (the legacy builder's and BuildKit's)
    if (line.rfind("Step ", 0) == 0 || (line.rfind("#", 0) == 0 && line.find(" [") != std::string_view::npos))
      std::cerr << prefix << line << std::endl;
  };
  // --force-rm: the legacy builder otherwise keeps the container of a failed step.
  auto built = proc::run_command({kDockerCli, "build", "--network", "host", "--force-rm", "-t", tag, config.build}, options);
  if (!built.ok()) return core::Status(built.status().code(), where + ": docker build: " + built.status().message());
  if (built->exit_code != 0) {
    return core::Status::failed_precondition(where + ": docker build of " + config.build + " failed (exit " +
                                             std::to_string(built->exit_code) + "):\n" + tail_lines(built->output, 15));
  }
  config.image = tag;
  return core::Status::ok();
}

}  // namespace

core::Status prepare_images(core::StackConfig& stack) {
  std::vector<std::pair<std::string, RunServiceConfig*>> services;
  if (auto* run = stack.section<RunServices>("run"))
    for (auto& [name, config] : *run) services.emplace_back(name, &config);
  if (auto* fns = stack.section<functions::StackFunctions>("functions"))
    for (auto& [name, function] : *fns) services.emplace_back(name, &function.service);
  bool containers = std::any_of(services.begin(), services.end(),
                                [](auto& s) { return !s.second->image.empty() || !s.second->build.empty(); });
  if (!containers) return core::Status::ok();
  auto removed = remove_leftover_containers();
  if (!removed.empty()) {
    std::cerr << "gcpsim: removed " << removed.size() << " container(s) left by a gcpsim that is gone:";
    for (const auto& name : removed) std::cerr << " " << name;
    std::cerr << std::endl;
  }
  for (auto& [name, config] : services) {
    if (config->build.empty() || !config->image.empty()) continue;  // built already (a reset)
    auto st = build(name, *config);
    if (!st.is_ok()) return st;
  }
  return core::Status::ok();
}

}  // namespace gcpsim::services::run
