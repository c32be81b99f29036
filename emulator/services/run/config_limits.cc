// Cloud Run's container limits as the `run` and `functions` sections take them (`memory`,
// `cpu`): Kubernetes quantities, Cloud Run's CPU/memory pairings, Cloud Functions' CPU for a
// memory size. Limits are the real services' own.
#include <charconv>
#include <cmath>
#include <optional>
#include <sstream>

#include "core/stack_yaml.h"
#include "services/run/config.h"

namespace gcpsim::services::run {

using namespace core::stackfile;

namespace {

constexpr uint64_t kMi = uint64_t{1} << 20;
constexpr uint64_t kGi = uint64_t{1} << 30;

// "12", "1.5": a non-negative decimal; nullopt for anything else (signs, exponents, spaces).
std::optional<double> decimal(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

uint64_t memory_limit(const Field& f) {
  std::string s = f.node.IsScalar() ? f.node.Scalar() : "";
  static const std::pair<std::string_view, double> kUnits[] = {
      {"Ki", 1024.0}, {"Mi", double(kMi)}, {"Gi", double(kGi)}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}};
  double unit = 1;
  std::string_view digits = s;
  for (auto [suffix, scale] : kUnits) {
    if (digits.size() > suffix.size() && digits.substr(digits.size() - suffix.size()) == suffix) {
      digits.remove_suffix(suffix.size());
      unit = scale;
      break;
    }
  }
  auto v = decimal(digits);
  if (!v) fail(f, "expected a memory size such as 512Mi or 2Gi, got " + describe(f.node));
  auto bytes = static_cast<uint64_t>(std::llround(*v * unit));
  if (bytes < 128 * kMi || bytes > 32 * kGi) fail(f, "must be between 128Mi and 32Gi, got '" + s + "'");
  return bytes;
}

double cpu_limit(const Field& f) {
  std::string s = f.node.IsScalar() ? f.node.Scalar() : "";
  bool milli = !s.empty() && s.back() == 'm';
  auto v = decimal(milli ? std::string_view(s).substr(0, s.size() - 1) : std::string_view(s));
  if (!v) fail(f, "expected a CPU count such as 1, 2 or 0.5 (or millicores: 500m), got " + describe(f.node));
  double cpu = milli ? *v / 1000 : *v;
  bool whole = cpu == 1 || cpu == 2 || cpu == 4 || cpu == 6 || cpu == 8;
  if (!whole && !(cpu >= 0.08 && cpu < 1))
    fail(f, "must be 1, 2, 4, 6 or 8, or a fraction from 0.08 to 1, got '" + s + "'");
  return cpu;
}

// Cloud Run's table: below 0.5 CPU up to 512Mi, below 1 up to 1Gi, 1 up to 4Gi, 2 up to 8Gi,
// 4 from 2Gi to 16Gi, 6 from 4Gi to 24Gi, 8 from 4Gi to 32Gi.
std::string cpu_memory_mismatch(double cpu, uint64_t memory) {
  uint64_t lo = 0, hi = 32 * kGi;
  if (cpu < 0.5) hi = 512 * kMi;
  else if (cpu < 1) hi = kGi;
  else if (cpu == 1) hi = 4 * kGi;
  else if (cpu == 2) hi = 8 * kGi;
  else if (cpu == 4) lo = 2 * kGi, hi = 16 * kGi;
  else if (cpu == 6) lo = 4 * kGi, hi = 24 * kGi;
  else lo = 4 * kGi;
  if (memory >= lo && memory <= hi) return "";
  auto size = [](uint64_t b) { return b % kGi == 0 ? std::to_string(b / kGi) + "Gi" : std::to_string(b / kMi) + "Mi"; };
  std::ostringstream m;
  m << cpu << " CPU takes " << (lo ? "from " + size(lo) + " " : "") << "up to " << size(hi) << " of memory";
  return m.str();
}

double function_cpu(uint64_t memory) {
  static const std::pair<uint64_t, double> kTable[] = {
      {128 * kMi, 0.083}, {256 * kMi, 0.167}, {512 * kMi, 0.333}, {kGi, 0.583}, {2 * kGi, 1}, {8 * kGi, 2}, {16 * kGi, 4}};
  for (auto [up_to, cpu] : kTable)
    if (memory <= up_to) return cpu;
  return 8;
}

}  // namespace gcpsim::services::run
