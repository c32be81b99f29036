// Request templating for stub replies.
#include "services/stubs/template.h"

namespace gcpsim::services::stubs {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// The JSON value a name stands for, when it is one.
std::optional<Json> json_value(const std::string& name, const TemplateContext& ctx) {
  if (name == "body") return ctx.in.json ? *ctx.in.json : Json(ctx.in.body);
  if (name.rfind("body.", 0) == 0 || name.rfind("body[", 0) == 0) {
    if (!ctx.in.json) return std::nullopt;
    const Json* v = json_at(*ctx.in.json, std::string_view(name).substr(name[4] == '.' ? 5 : 4));
    if (!v) return std::nullopt;
    return *v;
  }
  return std::nullopt;
}

std::optional<std::string> text_value(const std::string& name, const TemplateContext& ctx) {
  auto after = [&](std::string_view prefix) -> std::optional<std::string> {
    if (name.rfind(prefix, 0) != 0) return std::nullopt;
    return name.substr(prefix.size());
  };
  if (name == "method") return ctx.in.method;
  if (name == "path") return ctx.in.path;
  if (name == "count") return std::to_string(ctx.count);
  if (name == "now") return core::format_rfc3339(ctx.now);
  if (name == "now_ms") return std::to_string(core::to_millis(ctx.now));
  if (name == "now_s") return std::to_string(core::to_millis(ctx.now) / 1000);
  if (auto p = after("path.")) {
    auto it = ctx.params.find(*p);
    return it == ctx.params.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  if (auto q = after("query.")) return ctx.in.query_param(*q);
  if (auto h = after("headers.")) return ctx.in.header(*h);
  if (auto v = json_value(name, ctx)) return v->is_string() ? v->get<std::string>() : v->dump();
  return std::nullopt;
}

}  // namespace

std::string render(std::string_view text, const TemplateContext& ctx) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    auto value = text_value(trim(text.substr(open + 2, close - open - 2)), ctx);
    out += value ? *value : std::string(text.substr(open, close + 2 - open));
    i = close + 2;
  }
  out.append(text.substr(i));
  return out;
}

Json render_json(const Json& value, const TemplateContext& ctx) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() > 4 && s.rfind("{{", 0) == 0 && s.find("{{", 2) == std::string::npos &&
        s.compare(s.size() - 2, 2, "}}") == 0) {
      if (auto v = json_value(trim(std::string_view(s).substr(2, s.size() - 4)), ctx)) return *v;
      if (trim(std::string_view(s).substr(2, s.size() - 4)) == "count") return ctx.count;
    }
    return render(s, ctx);
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[render(it.key(), ctx)] = render_json(it.value(), ctx);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& v : value) out.push_back(render_json(v, ctx));
    return out;
  }
  return value;
}

}  // namespace gcpsim::services::stubs
