// Stack-file entries that refer to nothing else in the stack: lifecycle rules, fault rules
// and container limits. Limits are the real services' own.
#include <charconv>
#include <cmath>
#include <sstream>

#include "core/stack_yaml.h"

namespace gcpsim::core::stackfile {
namespace {

FaultAction read_fault_action(const Field& f) {
  Map m(f, {"kind", "error", "http_status", "message", "delay", "retry_delay", "bandwidth"});
  FaultAction a;
  if (auto k = m.get("kind")) {
    auto kind = action_kind_from_name(text(*k));
    if (!kind) fail(*k, "expected one of error, delay, drop, timeout, crash, outage, got '" + text(*k) + "'");
    a.kind = *kind;
  } else if (!m.has("error") && (m.has("delay") || m.has("bandwidth"))) {
    a.kind = FaultAction::Kind::kDelay;
  } else if (!m.has("error")) {
    fail_under(f, "set 'error', 'delay', 'bandwidth' or 'kind'");
  }
  if (auto e = m.get("error")) a.code = error_code(*e);
  if (auto h = m.get("http_status")) a.http_status = small_int(*h, 100, 599);
  if (auto msg = m.get("message")) a.message = text(*msg);
  if (auto d = m.get("delay")) a.delay = duration(*d, 0s, 24h);
  if (auto d = m.get("retry_delay")) a.retry_delay = duration(*d, 0s, 24h);
  if (auto b = m.get("bandwidth")) a.bandwidth_kbps = small_int(*b, 1, 10000000);
  return a;
}

}  // namespace

LifecycleRule read_lifecycle_rule(const Field& f) {
  Map m(f, {"action", "storage_class", "age_days", "num_newer_versions", "is_live"});
  LifecycleRule r;
  std::string action =
      one_of(m.require("action"), {"Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"});
  r.action = action == "Delete"            ? LifecycleRule::Action::kDelete
             : action == "SetStorageClass" ? LifecycleRule::Action::kSetStorageClass
                                           : LifecycleRule::Action::kAbortIncompleteMultipartUpload;
  if (r.action == LifecycleRule::Action::kSetStorageClass) {
    r.storage_class = one_of(m.require("storage_class"), {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"});
  } else if (auto c = m.get("storage_class")) {
    fail(*c, "applies only to the SetStorageClass action");
  }
  if (auto a = m.get("age_days")) r.age_days = small_int(*a, 0, 1000000);
  if (auto n = m.get("num_newer_versions")) r.num_newer_versions = small_int(*n, 0, 1000000);
  if (auto l = m.get("is_live")) r.is_live = boolean(*l);
  if (!r.age_days && !r.num_newer_versions && !r.is_live) {
    fail_under(f, "a lifecycle rule needs a condition: age_days, num_newer_versions or is_live");
  }
  return r;
}

FaultRule read_fault(const Field& f) {
  Map m(f, {"id", "match", "action", "probability", "count", "after", "from", "until"});
  FaultRule rule;
  if (auto id = m.get("id")) rule.id = text(*id);
  if (auto mf = m.get("match")) {
    Map mm(*mf, {"service", "method", "target", "boundary"});
    if (auto s = mm.get("service")) rule.match.service = text(*s);
    if (auto s = mm.get("method")) rule.match.method = text(*s);
    if (auto s = mm.get("target")) rule.match.target = text(*s);
    if (auto b = mm.get("boundary")) {
      rule.match.boundary = boundary_from_name(text(*b));
      if (!rule.match.boundary) {
        fail(*b, "expected one of api, push, router, process, proxy, lb, stub, got '" + text(*b) + "'");
      }
    }
  }
  rule.action = read_fault_action(m.require("action"));
  if (auto p = m.get("probability")) rule.probability = number(*p, 0, 1);
  if (auto c = m.get("count")) rule.count = integer(*c, 1, INT64_MAX);
  if (auto a = m.get("after")) rule.after = integer(*a, 0, INT64_MAX);
  if (auto t = m.get("from")) rule.from = timestamp(*t);
  if (auto t = m.get("until")) {
    rule.until = timestamp(*t);
    if (rule.from && *rule.until <= *rule.from) fail(*t, "must be after from");
  }
  return rule;
}

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

}  // namespace gcpsim::core::stackfile
