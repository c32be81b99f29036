// Route matching with the reasons a request missed, the small JSONPath the matchers and
// templates share, and the route's JSON form.
#include "services/stubs/route.h"

#include <algorithm>
#include <cctype>

#include "core/regex.h"
#include "core/text.h"
#include "net/http.h"

namespace gcpsim::services::stubs {
namespace {

using core::Status;

using core::lower;

// "abc", 3, true → equals; {regex: …} | {present: true} | {absent: true}.
core::StatusOr<TextMatcher> text_matcher(const Json& j, const std::string& key) {
  TextMatcher m;
  if (j.is_string()) {
    m.value = j.get<std::string>();
    return m;
  }
  if (j.is_number() || j.is_boolean()) {
    m.value = j.dump();
    return m;
  }
  if (j.is_object() && j.size() == 1) {
    if (j.contains("regex") && j["regex"].is_string()) {
      m.kind = TextMatcher::Kind::kRegex;
      m.value = j["regex"].get<std::string>();
      ASSIGN_OR_RETURN(m.re, core::compile_regex(m.value, key + ": invalid regular expression"));
      return m;
    }
    if (j.contains("present") && j["present"].is_boolean()) {
      m.kind = j["present"].get<bool>() ? TextMatcher::Kind::kPresent : TextMatcher::Kind::kAbsent;
      return m;
    }
    if (j.contains("absent") && j["absent"].is_boolean()) {
      m.kind = j["absent"].get<bool>() ? TextMatcher::Kind::kAbsent : TextMatcher::Kind::kPresent;
      return m;
    }
  }
  return Status::invalid_argument(key + ": expected a string, {regex: …}, {present: true} or {absent: true}");
}

core::StatusOr<std::vector<std::pair<std::string, TextMatcher>>> matcher_map(const Json& j, const std::string& key,
                                                                            bool fold_case) {
  if (!j.is_object()) return Status::invalid_argument(key + ": expected a mapping of names to matchers");
  std::vector<std::pair<std::string, TextMatcher>> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    ASSIGN_OR_RETURN(auto m, text_matcher(it.value(), key + "." + it.key()));
    out.emplace_back(fold_case ? lower(it.key()) : it.key(), std::move(m));
  }
  return out;
}

core::StatusOr<BodyMatcher> body_matcher(const Json& j) {
  BodyMatcher b;
  if (!j.is_object()) return Status::invalid_argument("match.body: expected a mapping of json, jsonpath, regex, graphql");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "json") {
      b.json = it.value();
    } else if (k == "jsonpath") {
      if (!it.value().is_object()) return Status::invalid_argument("match.body.jsonpath: expected a mapping of paths to values");
      for (auto p = it.value().begin(); p != it.value().end(); ++p) b.jsonpath.emplace_back(p.key(), p.value());
    } else if (k == "regex") {
      if (!it.value().is_string()) return Status::invalid_argument("match.body.regex: expected a regular expression");
      ASSIGN_OR_RETURN(b.regex, text_matcher(Json{{"regex", it.value()}}, "match.body.regex"));
    } else if (k == "graphql") {
      const Json& g = it.value().is_object() && it.value().contains("operationName") ? it.value()["operationName"] : it.value();
      ASSIGN_OR_RETURN(b.graphql, text_matcher(g, "match.body.graphql"));
    } else {
      return Status::invalid_argument("match.body." + k + ": unknown key (expected json, jsonpath, regex, graphql)");
    }
  }
  return b;
}

core::StatusOr<Match> read_match(const Json& j) {
  Match m;
  if (!j.is_object()) return Status::invalid_argument("match: expected a mapping");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "method") {
      if (!v.is_string()) return Status::invalid_argument("match.method: expected a string such as POST");
      m.method = v.get<std::string>();
      std::transform(m.method.begin(), m.method.end(), m.method.begin(), [](unsigned char c) { return std::toupper(c); });
      if (m.method == "*" || m.method == "ANY") m.method.clear();
    } else if (k == "path") {
      if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>()[0] != '/')
        return Status::invalid_argument("match.path: expected a path starting with '/', such as /users/{id}");
      m.path = v.get<std::string>();
      m.segments = net::split_path(m.path);
    } else if (k == "path_regex" || k == "pathRegex") {
      if (!v.is_string()) return Status::invalid_argument("match.path_regex: expected a regular expression");
      ASSIGN_OR_RETURN(m.path_regex, text_matcher(Json{{"regex", v}}, "match.path_regex"));
    } else if (k == "query") {
      ASSIGN_OR_RETURN(m.query, matcher_map(v, "match.query", false));
    } else if (k == "headers") {
      ASSIGN_OR_RETURN(m.headers, matcher_map(v, "match.headers", true));
    } else if (k == "body") {
      ASSIGN_OR_RETURN(m.body, body_matcher(v));
    } else {
      return Status::invalid_argument("match." + k + ": unknown key (expected method, path, path_regex, query, headers, body)");
    }
  }
  return m;
}

core::StatusOr<Stream> read_stream(const Json& j) {
  Stream s;
  if (!j.is_object()) return Status::invalid_argument("reply.stream: expected a mapping with chunks");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "chunks" && it.value().is_array()) {
      for (const auto& c : it.value()) s.chunks.push_back(c);
    } else if (k == "every" && it.value().is_string()) {
      auto d = core::parse_duration(it.value().get<std::string>());
      if (!d) return Status::invalid_argument("reply.stream.every: expected a duration like 100ms");
      s.every = *d;
    } else if (k == "sse" && it.value().is_boolean()) {
      s.sse = it.value().get<bool>();
    } else {
      return Status::invalid_argument("reply.stream." + k + ": unknown key or wrong type (chunks: list, every: duration, sse: bool)");
    }
  }
  return s;
}

core::StatusOr<Reply> read_reply(const Json& j, const std::string& key,
                                 const std::function<std::string(const std::string&)>& resolve) {
  Reply r;
  if (!j.is_object()) return Status::invalid_argument(key + ": expected a mapping");
  int bodies = 0;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "status") {
      if (!v.is_number_integer() || v.get<int>() < 100 || v.get<int>() > 599)
        return Status::invalid_argument(key + ".status: expected an HTTP status between 100 and 599");
      r.status = v.get<int>();
    } else if (k == "headers") {
      if (!v.is_object()) return Status::invalid_argument(key + ".headers: expected a mapping");
      for (auto h = v.begin(); h != v.end(); ++h)
        r.headers.emplace_back(h.key(), h.value().is_string() ? h.value().get<std::string>() : h.value().dump());
    } else if (k == "json") {
      r.body = Reply::Body::kJson;
      r.json = v;
      ++bodies;
    } else if (k == "text" || k == "body") {
      if (!v.is_string()) return Status::invalid_argument(key + "." + k + ": expected a string");
      r.body = Reply::Body::kText;
      r.text = v.get<std::string>();
      ++bodies;
    } else if (k == "file") {
      if (!v.is_string()) return Status::invalid_argument(key + ".file: expected a path");
      r.body = Reply::Body::kFile;
      r.text = resolve(v.get<std::string>());
      ++bodies;
    } else if (k == "delay") {
      auto d = v.is_string() ? core::parse_duration(v.get<std::string>()) : std::nullopt;
      if (!d) return Status::invalid_argument(key + ".delay: expected a duration like 2s");
      r.delay = *d;
    } else if (k == "stream") {
      ASSIGN_OR_RETURN(r.stream, read_stream(v));
      ++bodies;
    } else if (k == "times") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1) return Status::invalid_argument(key + ".times: expected a count >= 1");
      r.times = v.get<int64_t>();
    } else {
      return Status::invalid_argument(key + "." + k + ": unknown key (expected status, headers, json, text, file, stream, delay, times)");
    }
  }
  if (bodies > 1) return Status::invalid_argument(key + ": set at most one of json, text, file, stream");
  return r;
}

bool header_name_is(const std::string& a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string shown(const std::optional<std::string>& v) { return v ? "'" + *v + "'" : "nothing"; }

// Path pattern: literal segments, {name} (one segment), {name**} (the rest).
bool path_fits(const std::vector<std::string>& pattern, const std::vector<std::string>& raw,
               std::map<std::string, std::string>& params) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    bool var = p.size() > 2 && p.front() == '{' && p.back() == '}';
    if (var && p.size() > 4 && p.compare(p.size() - 3, 3, "**}") == 0) {
      std::string rest;
      for (size_t j = i; j < raw.size(); ++j) rest += (j > i ? "/" : "") + raw[j];
      params[p.substr(1, p.size() - 4)] = rest;
      return true;
    }
    if (i >= raw.size()) return false;
    if (var) {
      if (raw[i].empty()) return false;
      params[p.substr(1, p.size() - 2)] = raw[i];
    } else if (p != raw[i]) {
      return false;
    }
  }
  return pattern.size() == raw.size();
}

void body_mismatches(const BodyMatcher& b, const Incoming& in, std::vector<std::string>& why) {
  if (b.json && (!in.json || !json_subset(*b.json, *in.json)))
    why.push_back(in.json ? "body: JSON does not contain " + b.json->dump() : "body: not JSON (expected to contain " + b.json->dump() + ")");
  for (const auto& [path, want] : b.jsonpath) {
    const Json* have = in.json ? json_at(*in.json, path) : nullptr;
    if (!have || !json_subset(want, *have))
      why.push_back("body " + path + ": expected " + want.dump() + ", got " + (have ? have->dump() : "nothing"));
  }
  if (b.regex && !b.regex->test(in.body)) why.push_back("body: does not match " + b.regex->describe());
  if (b.graphql) {
    std::optional<std::string> op;
    if (in.json && in.json->contains("operationName") && (*in.json)["operationName"].is_string())
      op = (*in.json)["operationName"].get<std::string>();
    if (!b.graphql->test(op)) why.push_back("body operationName: expected " + b.graphql->describe() + ", got " + shown(op));
  }
}

}  // namespace

bool TextMatcher::test(const std::optional<std::string>& v) const {
  switch (kind) {
    case Kind::kEquals: return v && *v == value;
    case Kind::kRegex: return v && std::regex_search(*v, *re);
    case Kind::kPresent: return v.has_value();
    case Kind::kAbsent: return !v.has_value();
  }
  return false;
}

std::string TextMatcher::describe() const {
  switch (kind) {
    case Kind::kEquals: return "'" + value + "'";
    case Kind::kRegex: return "/" + value + "/";
    case Kind::kPresent: return "present";
    case Kind::kAbsent: return "absent";
  }
  return "";
}

std::optional<std::string> Incoming::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (header_name_is(k, name)) return v;
  return std::nullopt;
}

std::optional<std::string> Incoming::query_param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

const Json* json_at(const Json& root, std::string_view path) {
  if (path.rfind("$", 0) == 0) path.remove_prefix(1);
  const Json* cur = &root;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) return nullptr;
      std::string_view inner = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (!inner.empty() && (inner[0] == '\'' || inner[0] == '"')) {
        std::string key(inner.substr(1, inner.size() >= 2 ? inner.size() - 2 : 0));
        if (!cur->is_object() || !cur->contains(key)) return nullptr;
        cur = &(*cur)[key];
        continue;
      }
      if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        return nullptr;
      size_t idx = std::stoul(std::string(inner));
      if (!cur->is_array() || idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos) end = path.size();
    std::string key(path.substr(i, end - i));
    i = end;
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
  }
  return cur;
}

bool json_subset(const Json& want, const Json& have) {
  if (want.is_object() && want.size() == 1 && want.contains("regex") && want["regex"].is_string()) {
    std::string text = have.is_string() ? have.get<std::string>() : have.dump();
    try {
      return std::regex_search(text, std::regex(want["regex"].get<std::string>()));
    } catch (const std::regex_error&) {
      return false;
    }
  }
  if (want.is_object()) {
    if (!have.is_object()) return false;
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!have.contains(it.key()) || !json_subset(it.value(), have[it.key()])) return false;
    }
    return true;
  }
  if (want.is_array()) {
    if (!have.is_array()) return false;
    size_t h = 0;  // each wanted element matches a later element of `have`, in order
    for (const auto& w : want) {
      while (h < have.size() && !json_subset(w, have[h])) ++h;
      if (h == have.size()) return false;
      ++h;
    }
    return true;
  }
  if (want.is_number() && have.is_number()) return want.get<double>() == have.get<double>();
  return want == have;
}

core::StatusOr<Route> route_from_json(const Json& j, const std::function<std::string(const std::string&)>& resolve) {
  if (!j.is_object()) return Status::invalid_argument("a route must be a mapping with match and reply");
  Route r;
  r.source = j;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "id") {
      if (!it.value().is_string()) return Status::invalid_argument("id: expected a string");
      r.id = it.value().get<std::string>();
    } else if (k == "match") {
      ASSIGN_OR_RETURN(r.match, read_match(it.value()));
    } else if (k == "reply") {
      ASSIGN_OR_RETURN(auto reply, read_reply(it.value(), "reply", resolve));
      r.replies.push_back(std::move(reply));
    } else if (k == "replies") {
      if (!it.value().is_array() || it.value().empty()) return Status::invalid_argument("replies: expected a non-empty list");
      for (size_t i = 0; i < it.value().size(); ++i) {
        ASSIGN_OR_RETURN(auto reply, read_reply(it.value()[i], "replies[" + std::to_string(i) + "]", resolve));
        r.replies.push_back(std::move(reply));
      }
    } else {
      return Status::invalid_argument(k + ": unknown key (expected id, match, reply, replies)");
    }
  }
  if (r.replies.empty()) return Status::invalid_argument("a route needs a reply (or replies)");
  if (j.contains("reply") && j.contains("replies")) return Status::invalid_argument("set reply or replies, not both");
  return r;
}

std::vector<std::string> mismatches(const Match& m, const Incoming& in, std::map<std::string, std::string>& params) {
  std::vector<std::string> why;
  if (!m.method.empty() && m.method != in.method) why.push_back("method: expected " + m.method + ", got " + in.method);
  if (!m.path.empty()) {
    std::vector<std::string> raw;
    for (const auto& seg : net::split_path(in.path)) raw.push_back(seg);
    if (!path_fits(m.segments, raw, params)) why.push_back("path: expected " + m.path + ", got " + in.path);
  }
  if (m.path_regex) {
    std::smatch groups;
    if (!std::regex_search(in.path, groups, *m.path_regex->re)) {
      why.push_back("path: does not match " + m.path_regex->describe());
    } else {
      for (size_t i = 1; i < groups.size(); ++i) params[std::to_string(i)] = groups[i].str();
    }
  }
  for (const auto& [name, t] : m.query) {
    auto v = in.query_param(name);
    if (!t.test(v)) why.push_back("query " + name + ": expected " + t.describe() + ", got " + shown(v));
  }
  for (const auto& [name, t] : m.headers) {
    auto v = in.header(name);
    if (!t.test(v)) why.push_back("header " + name + ": expected " + t.describe() + ", got " + shown(v));
  }
  body_mismatches(m.body, in, why);
  return why;
}

const Reply& reply_for(const Route& r, int64_t call) {
  int64_t left = call;
  for (size_t i = 0; i + 1 < r.replies.size(); ++i) {
    int64_t times = r.replies[i].times > 0 ? r.replies[i].times : 1;
    if (left <= times) return r.replies[i];
    left -= times;
  }
  return r.replies.back();
}

}  // namespace gcpsim::services::stubs
