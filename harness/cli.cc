// The `gcpsim test` command: arguments, scenario discovery, --repeat determinism check,
// console report, JUnit XML and the JSONL transcript file.
#include "harness/cli.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "harness/runner.h"
#include "net/http.h"

namespace gcpsim::harness {

const char* const kTestUsage = R"USAGE(  gcpsim test SCENARIO|DIR... [--stack FILE] [--seed N] [--junit FILE]
              [--transcript FILE] [--repeat N] [--filter TEXT]
      Run scenario files, each against a fresh emulator on virtual time. --repeat N
      runs each N times and fails when any transcript differs byte for byte.
)USAGE";

namespace {

namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> paths;
  RunConfig run;
  std::string junit, transcript, filter;
  int repeat = 1;
};

struct Outcome {
  std::string file, name;
  RunResult result;
};

int usage(const std::string& message) {
  std::cerr << "gcpsim test: " << message << "\nusage:\n" << kTestUsage;
  return 2;
}

bool parse(int argc, char** argv, Options& o, std::string& error) {
  std::map<std::string, std::string> flags;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) {
      o.paths.push_back(a);
      continue;
    }
    auto eq = a.find('=');
    std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (eq != std::string::npos) flags[name] = a.substr(eq + 1);
    else if (i + 1 < argc) flags[name] = argv[++i];
    else return (error = "flag " + a + " needs a value"), false;
  }
  for (const auto& [k, v] : flags) {
    try {
      if (k == "stack") o.run.stack = v;
      else if (k == "seed") o.run.seed = std::stoull(v);
      else if (k == "junit") o.junit = v;
      else if (k == "transcript") o.transcript = v;
      else if (k == "filter") o.filter = v;
      else if (k == "repeat") o.repeat = std::stoi(v);
      else return (error = "unknown flag --" + k), false;
    } catch (const std::exception&) {
      return (error = "--" + k + " takes a number, got '" + v + "'"), false;
    }
  }
  if (o.repeat < 1) return (error = "--repeat must be at least 1"), false;
  if (o.paths.empty()) return (error = "name at least one scenario file or directory"), false;
  return true;
}

// Files as given; directories contribute their *.yaml / *.yml files, sorted.
std::vector<std::string> expand(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(p, ec)) {
      auto ext = e.path().extension();
      if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) found.push_back(e.path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

// First line where two transcripts differ, shown from both runs.
std::string first_difference(const std::string& a, const std::string& b, int run) {
  std::istringstream ia(a), ib(b);
  std::string la, lb;
  for (int n = 1;; ++n) {
    bool ga = static_cast<bool>(std::getline(ia, la)), gb = static_cast<bool>(std::getline(ib, lb));
    if (!ga && !gb) return "";
    if (!ga || !gb || la != lb) {
      return "the transcript of run " + std::to_string(run) + " differs from run 1 at line " + std::to_string(n) +
             "\n  run 1: " + (ga ? la : "(end)") + "\n  run " + std::to_string(run) + ": " + (gb ? lb : "(end)") + "\n";
    }
  }
}

RunResult run_repeated(const Scenario& sc, const Options& o, std::string& transcript) {
  RunResult first = judge(sc.expect_failure, run_scenario(sc, o.run));
  transcript += first.transcript;
  RunConfig quiet = o.run;
  quiet.progress = nullptr;
  for (int run = 2; run <= o.repeat && !first.load_error && !first.skipped; ++run) {
    RunResult again = run_scenario(sc, quiet);
    std::string diff = first_difference(first.transcript, again.transcript, run);
    if (!diff.empty()) {
      first.passed = false;
      first.headline = sc.file + ": not deterministic: " + diff.substr(0, diff.find('\n'));
      first.details = diff.substr(diff.find('\n') + 1);
      break;
    }
  }
  if (o.repeat > 1 && first.passed && o.run.progress) *o.run.progress << "  " << o.repeat << " runs, identical transcripts\n";
  return first;
}

// Markup-escaped, with control characters (not allowed in XML 1.0) shown as '?'.
std::string xml_escape(std::string s) {
  for (auto& c : s)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') c = '?';
  return net::xml_escape(s);
}

void write_junit(const std::string& path, const std::vector<Outcome>& outcomes) {
  size_t failures = std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return !o.result.passed; });
  std::ofstream out(path, std::ios::trunc);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"gcpsim\" tests=\"" << outcomes.size()
      << "\" failures=\"" << failures << "\">\n  <testsuite name=\"gcpsim test\" tests=\"" << outcomes.size()
      << "\" failures=\"" << failures << "\" errors=\"0\">\n";
  for (const auto& o : outcomes) {
    out << "    <testcase classname=\"" << xml_escape(o.file) << "\" name=\"" << xml_escape(o.name) << "\"";
    if (o.result.skipped) {
      out << ">\n      <skipped message=\"" << xml_escape(o.result.headline) << "\"/>\n    </testcase>\n";
      continue;
    }
    if (o.result.passed) {
      out << "/>\n";
      continue;
    }
    out << ">\n      <failure message=\"" << xml_escape(o.result.headline) << "\">" << xml_escape(o.result.headline + "\n" + o.result.details)
        << "</failure>\n    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

void report(const Outcome& o, bool color) {
  if (o.result.passed) return;
  std::cout << (color ? "\033[31mFAILED\033[0m " : "FAILED ") << o.result.headline << "\n" << o.result.details;
}

}  // namespace

int run_test_command(int argc, char** argv) {
  Options o;
  std::string error;
  if (!parse(argc, argv, o, error)) return usage(error);
  o.run.progress = &std::cout;
  o.run.color = isatty(STDOUT_FILENO);
  std::vector<Outcome> outcomes;
  std::string transcript;
  bool load_errors = false;
  for (const auto& path : expand(o.paths)) {
    auto sc = load_scenario(path);
    if (!sc.ok()) {
      RunResult r = judge(read_expect_failure(path), RunResult{false, true, sc.status().message(), "", ""});
      if (r.passed) std::cout << fs::path(path).filename().string() << ": failed to load, as expected\n";
      load_errors = load_errors || r.load_error;
      if (r.load_error) std::cerr << "gcpsim test: " << r.headline << "\n";
      else outcomes.push_back({fs::path(path).filename().string(), path, r});
      continue;
    }
    if (!o.filter.empty() && sc->name.find(o.filter) == std::string::npos && sc->file.find(o.filter) == std::string::npos) continue;
    Outcome out{sc->file, sc->name, run_repeated(*sc, o, transcript)};
    load_errors = load_errors || out.result.load_error;
    if (out.result.load_error) std::cerr << "gcpsim test: " << out.result.headline << "\n";
    else if (out.result.skipped) std::cout << "  " << out.result.headline << "\n";
    else if (out.result.passed && !sc->expect_failure.empty()) std::cout << "  failed as expected: " << out.result.headline << "\n";
    else report(out, o.run.color);
    outcomes.push_back(std::move(out));
  }
  if (!o.junit.empty()) write_junit(o.junit, outcomes);
  if (!o.transcript.empty()) std::ofstream(o.transcript, std::ios::trunc | std::ios::binary) << transcript;
  size_t failed = std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& x) { return !x.result.passed; });
  size_t skipped = std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& x) { return x.result.skipped; });
  std::cout << outcomes.size() << " scenario" << (outcomes.size() == 1 ? "" : "s") << ": "
            << outcomes.size() - failed - skipped << " passed, " << failed << " failed, " << skipped << " skipped\n";
  if (load_errors) return 2;
  if (failed) return 1;
  return skipped && skipped == outcomes.size() ? kSkippedExit : 0;
}

}  // namespace gcpsim::harness
