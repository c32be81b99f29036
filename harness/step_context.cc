// StepContext's calls and the typed parameter reads shared by the step kinds.
#include "harness/step_context.h"

#include <algorithm>
#include <cctype>

namespace gcpsim::harness {

Json response_json(const Response& r) {
  Json headers = Json::object();
  for (const auto& [k, v] : r.headers) {
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!headers.contains(name)) headers[name] = v;
  }
  Json body = r.body;
  if (!r.body.empty()) {
    auto parsed = Json::parse(r.body, nullptr, false);
    if (!parsed.is_discarded()) body = std::move(parsed);
  }
  return Json{{"status", r.status}, {"headers", headers}, {"body", body}, {"text", r.body}};
}

Response StepContext::call(Request req, core::Duration timeout) {
  auto limit = session.now() + timeout;
  auto r = session.exchange(std::move(req), limit);
  if (!r.ok()) throw StepError{r.status().message()};
  if (r->status == 0) throw StepError{"no HTTP answer: " + r->error};
  response = response_json(*r);
  return *r;
}

Json StepContext::call_ok(Request req, const std::string& what) {
  std::string target = req.method + " " + req.target;
  auto r = call(std::move(req), duration_param(step.params, "timeout", std::chrono::minutes(5)));
  if (r.status / 100 != 2) {
    throw StepError{what + " answered " + std::to_string(r.status) + " (" + target + ")",
                    "  body: " + show(response["body"], 400) + "\n"};
  }
  return response["body"];
}

std::string text_param(const Json& params, const char* key, const std::string& fallback) {
  if (!params.is_object() || !params.contains(key)) return fallback;
  const Json& v = params[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  throw StepError{std::string(key) + ": expected a string, got " + show(v)};
}

core::Duration duration_param(const Json& params, const char* key, core::Duration fallback) {
  if (!params.is_object() || !params.contains(key)) return fallback;
  auto d = core::parse_duration(as_text(params[key]));
  if (!d || *d < core::Duration::zero()) throw StepError{std::string(key) + ": expected a duration like '30s', got " + show(params[key])};
  return *d;
}

int64_t int_param(const Json& params, const char* key, int64_t fallback) {
  if (!params.is_object() || !params.contains(key)) return fallback;
  const Json& v = params[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  throw StepError{std::string(key) + ": expected an integer, got " + show(v)};
}

bool bool_param(const Json& params, const char* key, bool fallback) {
  if (!params.is_object() || !params.contains(key)) return fallback;
  if (params[key].is_boolean()) return params[key].get<bool>();
  throw StepError{std::string(key) + ": expected true or false, got " + show(params[key])};
}

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) out.push_back(kAlphabet[(buf >> (bits -= 6)) & 63]);
  }
  if (bits) out.push_back(kAlphabet[(buf << (6 - bits)) & 63]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
    const char* p = std::find(kAlphabet, kAlphabet + 64, c);
    if (p == kAlphabet + 64) continue;  // padding, whitespace
    buf = (buf << 6) | static_cast<uint32_t>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) out.push_back(static_cast<char>((buf >> (bits -= 8)) & 0xff));
  }
  return out;
}

}  // namespace gcpsim::harness
