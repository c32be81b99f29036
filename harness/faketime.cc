// libfaketime's environment and timestamp file (see faketime.h).
#include "harness/faketime.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "services/compute/config.h"
#include "services/functions/config.h"
#include "services/run/config.h"

namespace gcpsim::harness {
namespace {

constexpr const char* kLibfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

// "GROUP/PROCESS": a process of a Compute Engine instance group's template.
std::map<std::string, std::string>* compute_process_env(core::StackConfig& stack, const std::string& name) {
  auto slash = name.find('/');
  auto it = stack.sections.find("compute");
  if (slash == std::string::npos || it == stack.sections.end()) return nullptr;
  auto* compute = std::any_cast<services::compute::ComputeConfig>(&it->second);
  if (!compute) return nullptr;
  auto g = compute->groups.find(name.substr(0, slash));
  if (g == compute->groups.end()) return nullptr;
  auto p = g->second.processes.find(name.substr(slash + 1));
  return p == g->second.processes.end() ? nullptr : &p->second.env;
}

// A Run service's or function's environment, by name.
std::map<std::string, std::string>* run_env(core::StackConfig& stack, const std::string& name) {
  auto* run = stack.section<services::run::RunServices>("run");
  if (run && run->count(name)) return &(*run)[name].env;
  auto* fns = stack.section<services::functions::StackFunctions>("functions");
  if (fns && fns->count(name)) return &(*fns)[name].service.env;
  return nullptr;
}

}  // namespace

std::optional<std::string> enable_faketime(core::StackConfig& stack, const std::vector<std::string>& names,
                                           const std::string& file) {
  if (names.empty()) return std::nullopt;
  if (!std::filesystem::exists(kLibfaketime)) return std::string("faketime: ") + kLibfaketime + " is missing (apt-get install faketime)";
  for (const auto& n : names) {
    auto* process_env = compute_process_env(stack, n);
    if (n.find('/') != std::string::npos && !process_env)
      return "faketime: no Compute Engine instance group process '" + n + "' (GROUP/PROCESS) in the stack";
    if (!process_env) process_env = run_env(stack, n);
    if (!process_env) return "faketime: no Cloud Run service or function '" + n + "' in the stack";
    auto& env = *process_env;
    env["LD_PRELOAD"] = kLibfaketime;
    env["FAKETIME_TIMESTAMP_FILE"] = file;
    env["FAKETIME_NO_CACHE"] = "1";
    // Event loops keep working: only the wall clock is virtual.
    env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1";
    env["TZ"] = "UTC";
  }
  return std::nullopt;
}

// "2026-01-01 00:00:00": libfaketime's absolute form (the clock stands still there).
void write_faketime_file(const std::string& file, core::Time t) {
  std::string s = core::format_rfc3339(std::chrono::floor<std::chrono::seconds>(t));
  std::string tmp = file + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << s.substr(0, 10) << " " << s.substr(11, 8) << "\n";
  std::rename(tmp.c_str(), file.c_str());
}

}  // namespace gcpsim::harness
