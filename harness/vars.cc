// ${var} substitution and response paths for captures.
#include "harness/vars.h"

#include <charconv>

namespace gcpsim::harness {
namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }

// Calls fn(name) for each ${name} in text; "$${" is skipped. False on an unclosed "${".
template <class Fn>
bool scan(std::string_view text, Fn fn) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$') continue;
    if (text[i + 1] == '$' && i + 2 < text.size() && text[i + 2] == '{') {
      i += 2;
      continue;
    }
    if (text[i + 1] != '{') continue;
    size_t end = text.find('}', i + 2);
    if (end == std::string_view::npos) return false;
    fn(std::string(text.substr(i + 2, end - i - 2)));
    i = end;
  }
  return true;
}

void collect(const Json& j, std::vector<std::string>& out) {
  auto add = [&](const std::string& text) { scan(text, [&](std::string name) { out.push_back(std::move(name)); }); };
  if (j.is_string()) add(j.get<std::string>());
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      add(it.key());
      collect(it.value(), out);
    }
  }
  if (j.is_array()) {
    for (const auto& v : j) collect(v, out);
  }
}

}  // namespace

std::vector<std::string> references(const Json& j) {
  std::vector<std::string> out;
  collect(j, out);
  return out;
}

const Json* Vars::get(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

std::string as_text(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

core::StatusOr<std::string> Vars::substitute_text(std::string_view text) const {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool escaped = text[i] == '$' && i + 2 < text.size() && text[i + 1] == '$' && text[i + 2] == '{';
    if (escaped) {
      out += "${";
      i += 2;
      continue;
    }
    if (text[i] != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out.push_back(text[i]);
      continue;
    }
    size_t end = text.find('}', i + 2);
    if (end == std::string_view::npos) return core::Status::invalid_argument("unclosed ${ in '" + std::string(text) + "'");
    std::string name(text.substr(i + 2, end - i - 2));
    const Json* v = get(name);
    if (!v) return core::Status::invalid_argument("${" + name + "} is not defined");
    out += as_text(*v);
    i = end;
  }
  return out;
}

core::StatusOr<Json> Vars::substitute(const Json& j) const {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}' && s.find('}') == s.size() - 1) {
      std::string name = s.substr(2, s.size() - 3);
      if (std::all_of(name.begin(), name.end(), name_char)) {
        if (const Json* v = get(name)) return *v;
        return core::Status::invalid_argument("${" + name + "} is not defined");
      }
    }
    auto text = substitute_text(s);
    if (!text.ok()) return text.status();
    return Json(*text);
  }
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& v : j) {
      auto s = substitute(v);
      if (!s.ok()) return s.status();
      out.push_back(std::move(*s));
    }
    return out;
  }
  if (j.is_object()) {
    Json out = Json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
      auto key = substitute_text(it.key());
      if (!key.ok()) return key.status();
      auto value = substitute(it.value());
      if (!value.ok()) return value.status();
      out[*key] = std::move(*value);
    }
    return out;
  }
  return j;
}

core::StatusOr<Json> lookup_path(const Json& root, std::string_view path) {
  const Json* cur = &root;
  std::string done;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') ++i;
    if (i < path.size() && path[i] == '[') {
      size_t close = path.find(']', i);
      size_t index = 0;
      auto [p, ec] = std::from_chars(path.data() + i + 1, path.data() + (close == std::string_view::npos ? i + 1 : close), index);
      if (close == std::string_view::npos || ec != std::errc() || p != path.data() + close) {
        return core::Status::invalid_argument("bad index in path '" + std::string(path) + "'");
      }
      if (!cur->is_array() || index >= cur->size()) {
        return core::Status::not_found("'" + std::string(path) + "': " + (done.empty() ? "the response" : done) + " has no element " + std::to_string(index));
      }
      cur = &(*cur)[index];
      done += "[" + std::to_string(index) + "]";
      i = close + 1;
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    std::string key(path.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    if (!cur->is_object() || !cur->contains(key)) {
      return core::Status::not_found("'" + std::string(path) + "': " + (done.empty() ? "the response" : done) + " has no '" + key + "'");
    }
    cur = &(*cur)[key];
    done += (done.empty() ? "" : ".") + key;
    i = end == std::string_view::npos ? path.size() : end;
  }
  return *cur;
}

}  // namespace gcpsim::harness
