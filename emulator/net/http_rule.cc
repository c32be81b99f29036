// Compiles google.api.http path templates and reads a method's bindings from its proto
// options, so REST routing comes from the same annotations Google's front ends use.
#include "net/http_rule.h"

#include <algorithm>
#include <cstdint>

#include <google/api/annotations.pb.h>
#include <google/protobuf/descriptor.h>

#include "net/http.h"
#include "net/rpc.h"

namespace gcpsim::net {

namespace {

bool valid_field_path(std::string_view f) {
  if (f.empty() || f.front() == '.' || f.back() == '.') return false;
  for (char c : f) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

}  // namespace

std::optional<PathTemplate> PathTemplate::parse(std::string_view text) {
  if (text.empty() || text.front() != '/') return std::nullopt;
  PathTemplate t;
  t.text_ = std::string(text);
  std::string_view path = text.substr(1);
  // The custom verb follows the last ':' that is outside every variable and segment.
  if (auto colon = path.rfind(':'); colon != std::string_view::npos &&
                                    path.find_first_of("/}", colon) == std::string_view::npos) {
    t.verb_ = std::string(path.substr(colon + 1));
    path = path.substr(0, colon);
    if (t.verb_.empty()) return std::nullopt;
  }
  auto add_segment = [&t](std::string_view piece, int variable) {
    if (piece.empty() || piece.find_first_of("{}=") != std::string_view::npos) return false;
    Segment s;
    s.variable = variable;
    if (piece == "*") {
      s.kind = Segment::Kind::kStar;
    } else if (piece == "**") {
      s.kind = Segment::Kind::kDoubleStar;
    } else {
      s.literal = std::string(piece);
    }
    t.segments_.push_back(std::move(s));
    return true;
  };
  size_t i = 0;
  while (true) {
    if (i < path.size() && path[i] == '{') {
      size_t close = path.find('}', i);
      if (close == std::string_view::npos) return std::nullopt;
      std::string_view inner = path.substr(i + 1, close - i - 1);
      size_t eq = inner.find('=');
      std::string_view field = inner.substr(0, eq);
      if (!valid_field_path(field)) return std::nullopt;
      int var = static_cast<int>(t.variables_.size());
      t.variables_.emplace_back(field);
      std::string_view sub = eq == std::string_view::npos ? "*" : inner.substr(eq + 1);
      for (auto piece : split(sub, '/')) {
        if (!add_segment(piece, var)) return std::nullopt;
      }
      i = close + 1;
    } else {
      size_t end = std::min(path.find('/', i), path.size());
      if (!add_segment(path.substr(i, end - i), -1)) return std::nullopt;
      i = end;
    }
    if (i == path.size()) break;
    if (path[i] != '/') return std::nullopt;
    ++i;
  }
  return t;
}

bool PathTemplate::match_from(size_t seg, size_t part, const std::vector<std::string>& parts,
                              std::vector<std::pair<size_t, size_t>>& spans) const {
  if (seg == segments_.size()) return part == parts.size();
  const Segment& s = segments_[seg];
  if (s.kind == Segment::Kind::kDoubleStar) {
    // Greedy, then backtrack: `**` takes as many segments as still lets the rest match.
    for (size_t end = parts.size() + 1; end-- > part;) {
      spans[seg] = {part, end};
      if (match_from(seg + 1, end, parts, spans)) return true;
    }
    return false;
  }
  if (part >= parts.size() || parts[part].empty()) return false;
  if (s.kind == Segment::Kind::kLiteral && parts[part] != s.literal) return false;
  spans[seg] = {part, part + 1};
  return match_from(seg + 1, part + 1, parts, spans);
}

std::optional<std::vector<std::string>> PathTemplate::match(std::string_view raw_path) const {
  if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
  raw_path.remove_prefix(1);
  if (!verb_.empty()) {
    size_t colon = raw_path.rfind(':');
    size_t slash = raw_path.rfind('/');
    if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) {
      return std::nullopt;
    }
    if (percent_decode(raw_path.substr(colon + 1)) != verb_) return std::nullopt;
    raw_path = raw_path.substr(0, colon);
  }
  std::vector<std::string> parts;
  for (auto piece : split(raw_path, '/')) parts.push_back(percent_decode(piece));
  std::vector<std::pair<size_t, size_t>> spans(segments_.size());
  if (!match_from(0, 0, parts, spans)) return std::nullopt;

  std::vector<std::string> values(variables_.size());
  std::vector<std::pair<size_t, size_t>> ranges(variables_.size(), {SIZE_MAX, 0});
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].variable < 0) continue;
    auto& r = ranges[static_cast<size_t>(segments_[i].variable)];
    r.first = std::min(r.first, spans[i].first);
    r.second = std::max(r.second, spans[i].second);
  }
  for (size_t v = 0; v < values.size(); ++v) {
    for (size_t p = ranges[v].first; p < ranges[v].second; ++p) {
      if (p > ranges[v].first) values[v] += '/';
      values[v] += parts[p];
    }
  }
  return values;
}

int PathTemplate::literal_count() const {
  int n = verb_.empty() ? 0 : 1;
  for (const auto& s : segments_) n += s.kind == Segment::Kind::kLiteral ? 1 : 0;
  return n;
}

bool PathTemplate::has_double_wildcard() const {
  for (const auto& s : segments_) {
    if (s.kind == Segment::Kind::kDoubleStar) return true;
  }
  return false;
}

namespace {

const google::protobuf::MethodDescriptor* method_descriptor(const UnaryMethod& m) {
  if (m.request_prototype == nullptr || m.grpc_path.size() < 2) return nullptr;
  // "/google.pubsub.v1.Publisher/Publish" → "google.pubsub.v1.Publisher.Publish"
  std::string name = m.grpc_path.substr(1);
  size_t slash = name.rfind('/');
  if (slash == std::string::npos) return nullptr;
  name[slash] = '.';
  return m.request_prototype->GetDescriptor()->file()->pool()->FindMethodByName(name);
}

std::optional<HttpBinding> to_binding(const google::api::HttpRule& rule) {
  HttpBinding b;
  std::string path;
  using R = google::api::HttpRule;
  switch (rule.pattern_case()) {
    case R::kGet:
      b.http_method = "GET";
      path = rule.get();
      break;
    case R::kPut:
      b.http_method = "PUT";
      path = rule.put();
      break;
    case R::kPost:
      b.http_method = "POST";
      path = rule.post();
      break;
    case R::kDelete:
      b.http_method = "DELETE";
      path = rule.delete_();
      break;
    case R::kPatch:
      b.http_method = "PATCH";
      path = rule.patch();
      break;
    case R::kCustom:
      b.http_method = rule.custom().kind();
      path = rule.custom().path();
      break;
    case R::PATTERN_NOT_SET:
      return std::nullopt;
  }
  auto t = PathTemplate::parse(path);
  if (!t) return std::nullopt;
  b.path = std::move(*t);
  b.body = rule.body();
  b.response_body = rule.response_body();
  return b;
}

}  // namespace

std::vector<HttpBinding> http_bindings(const UnaryMethod& m) {
  std::vector<HttpBinding> out;
  const auto* md = method_descriptor(m);
  if (md == nullptr || !md->options().HasExtension(google::api::http)) return out;
  const auto& rule = md->options().GetExtension(google::api::http);
  if (auto b = to_binding(rule)) out.push_back(std::move(*b));
  for (const auto& extra : rule.additional_bindings()) {
    if (auto b = to_binding(extra)) out.push_back(std::move(*b));
  }
  return out;
}

}  // namespace gcpsim::net
