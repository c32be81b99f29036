// Cloud Logging's structured-logging rules for container output, per its documented special
// JSON fields; everything else in the object stays in jsonPayload.
#include "proc/logs.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <nlohmann/json.hpp>

namespace gcpsim::proc {
namespace {

using nlohmann::json;

constexpr std::string_view kTrace = "logging.googleapis.com/trace";
constexpr std::string_view kSpan = "logging.googleapis.com/spanId";
constexpr std::string_view kSampled = "logging.googleapis.com/trace_sampled";
constexpr std::string_view kLabels = "logging.googleapis.com/labels";
// Fields Cloud Logging consumes into the entry itself (not kept in jsonPayload).
constexpr std::array<std::string_view, 11> kConsumed = {
    "severity", "message", "httpRequest", "time", "timestamp", "timestampSeconds", "timestampNanos",
    "logging.googleapis.com/insertId", "logging.googleapis.com/operation",
    "logging.googleapis.com/sourceLocation", kLabels};

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

core::AttrValue scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return v.get<double>();
  return v.dump();
}

std::string severity_from_number(int64_t n) {
  static const std::array<const char*, 9> kNames = {"DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING",
                                                    "ERROR", "CRITICAL", "ALERT", "EMERGENCY"};
  if (n < 0) return "DEFAULT";
  return kNames[static_cast<size_t>(std::min<int64_t>(n / 100, 8))];
}

bool consumed(const std::string& key) {
  return key == kTrace || key == kSpan || key == kSampled ||
         std::find(kConsumed.begin(), kConsumed.end(), key) != kConsumed.end();
}

void add_structured(const json& obj, core::Attrs& attrs) {
  if (auto it = obj.find("severity"); it != obj.end())
    attrs["severity"] = it->is_number() ? severity_from_number(it->get<int64_t>())
                                        : normalize_severity(it->is_string() ? it->get<std::string>() : it->dump());
  if (auto it = obj.find("message"); it != obj.end())
    attrs["message"] = it->is_string() ? it->get<std::string>() : it->dump();
  if (auto it = obj.find(kTrace); it != obj.end() && it->is_string()) attrs["trace"] = it->get<std::string>();
  if (auto it = obj.find(kSpan); it != obj.end() && it->is_string()) attrs["spanId"] = it->get<std::string>();
  if (auto it = obj.find(kSampled); it != obj.end() && it->is_boolean()) attrs["traceSampled"] = it->get<bool>();
  if (auto it = obj.find("httpRequest"); it != obj.end() && it->is_object())
    for (const auto& [k, v] : it->items()) attrs["httpRequest." + k] = scalar(v);
  if (auto it = obj.find(kLabels); it != obj.end() && it->is_object())
    for (const auto& [k, v] : it->items()) attrs["labels." + k] = v.is_string() ? v.get<std::string>() : v.dump();
  json rest = json::object();
  for (const auto& [k, v] : obj.items())
    if (!consumed(k)) rest[k] = v;
  if (!rest.empty()) attrs["jsonPayload"] = rest.dump();
}

}  // namespace

std::string normalize_severity(std::string_view text) {
  static const std::array<std::pair<std::string_view, std::string_view>, 17> kNames = {{
      {"DEFAULT", "DEFAULT"}, {"DEBUG", "DEBUG"}, {"TRACE", "DEBUG"}, {"INFO", "INFO"},
      {"NOTICE", "NOTICE"}, {"WARNING", "WARNING"}, {"WARN", "WARNING"}, {"ERROR", "ERROR"},
      {"ERR", "ERROR"}, {"CRITICAL", "CRITICAL"}, {"FATAL", "CRITICAL"}, {"ALERT", "ALERT"},
      {"EMERGENCY", "EMERGENCY"}, {"D", "DEBUG"}, {"I", "INFO"}, {"W", "WARNING"}, {"E", "ERROR"},
  }};
  std::string u = upper(text);
  for (const auto& [name, severity] : kNames)
    if (u == name) return std::string(severity);
  return "DEFAULT";
}

core::Attrs parse_log_line(std::string_view line, Stream stream) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  core::Attrs attrs{{"stream", stream == Stream::kStdout ? "stdout" : "stderr"}, {"severity", "DEFAULT"}};
  auto first = line.find_first_not_of(" \t");
  if (first != std::string_view::npos && line[first] == '{') {
    json obj = json::parse(line, nullptr, false);
    if (!obj.is_discarded() && obj.is_object()) {
      attrs["message"] = std::string();
      add_structured(obj, attrs);
      return attrs;
    }
  }
  attrs["message"] = std::string(line);
  return attrs;
}

}  // namespace gcpsim::proc
