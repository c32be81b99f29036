// Reads the `stubs:` stack-file section. Routes are read by the same JSON reader the control
// API uses; its errors name a key path that is walked back to the YAML line to blame.
#include "services/stubs/config.h"

#include <any>

#include "core/stack.h"
#include "core/stack_yaml.h"

namespace gcpsim::services::stubs {
namespace {

namespace sf = core::stackfile;

// The field a dotted key path ("match.headers.x[0]") names under `f`, as deep as it exists.
sf::Field field_at(const sf::Field& f, const std::string& path) {
  sf::Field cur = f;
  size_t i = 0;
  while (i < path.size()) {
    size_t end = path.find_first_of(".[", i);
    if (end == std::string::npos) end = path.size();
    std::string key = path.substr(i, end - i);
    if (!key.empty()) {
      if (!cur.node.IsMap() || !cur.node[key]) break;
      YAML::Node next = cur.node[key];
      cur = sf::Field{next, cur.path + "." + key, next.Mark().line + 1, cur.line};
    }
    i = end;
    if (i < path.size() && path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) break;
      size_t idx = std::stoul(path.substr(i + 1, close - i - 1));
      if (!cur.node.IsSequence() || idx >= cur.node.size()) break;
      YAML::Node next = cur.node[idx];
      cur = sf::Field{next, cur.path + "[" + std::to_string(idx) + "]", next.Mark().line + 1, cur.line};
      i = close + 1;
    }
    if (i < path.size() && path[i] == '.') ++i;
  }
  return cur;
}

Route read_route(const sf::Field& f, const std::function<std::string(const std::string&)>& resolve) {
  auto route = route_from_json(Json::parse(sf::json_text(f.node)), resolve);
  if (route.ok()) return std::move(route).value();
  const std::string& msg = route.status().message();
  auto colon = msg.find(": ");
  if (colon == std::string::npos || msg.find(' ') < colon) sf::fail(f, msg);
  sf::Field at = field_at(f, msg.substr(0, colon));
  sf::fail(at.line, f.path + "." + msg);
}

StubDecl read_stub(const std::string& name, const sf::Field& f, core::SectionContext& ctx) {
  if (!valid_name(name)) sf::fail_under(f, "a stub name is lowercase letters, digits and hyphens (it becomes NAME.stub.localhost)");
  sf::Map m(f, {"port", "kind", "routes", "rules", "api_key"});
  StubDecl d;
  d.name = name;
  if (auto k = m.get("kind")) d.kind = sf::one_of(*k, {"http", "openai"});
  if (auto p = m.get("port")) d.port = ctx.port(*p);
  auto resolve = [&ctx](const std::string& path) { return ctx.resolve(path); };
  if (auto r = m.get("routes")) {
    for (const auto& item : sf::items(*r)) d.routes.push_back(read_route(item, resolve));
  }
  if (auto r = m.get("rules")) {
    if (d.kind != "openai") sf::fail(*r, "applies only to a stub of kind openai");
    for (const auto& item : sf::items(*r)) d.rules.push_back(gemini::rule_from_stack(gemini::read_rule(item, /*paced=*/true)));
  }
  if (auto k = m.get("api_key")) {
    if (d.kind != "openai") sf::fail(*k, "applies only to a stub of kind openai");
    d.api_key = sf::text(*k);
  }
  return d;
}

}  // namespace

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

core::StackSection stack_section() {
  return {"stubs", [](const sf::Field& f, core::SectionContext& ctx) -> std::any {
            StubsConfig config;
            for (const auto& [name, field] : sf::entries(f)) config.stubs.push_back(read_stub(name, field, ctx));
            return config;
          }};
}

core::StatusOr<StubDecl> stub_from_json(const Json& j) {
  if (!j.is_object()) return core::Status::invalid_argument("a stub must be a JSON object");
  StubDecl d;
  d.name = j.value("name", "");
  if (!valid_name(d.name))
    return core::Status::invalid_argument("name: a stub name is lowercase letters, digits and hyphens, got '" + d.name + "'");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "name") continue;
    if (k == "kind") {
      d.kind = v.is_string() ? v.get<std::string>() : "";
      if (d.kind != "http" && d.kind != "openai") return core::Status::invalid_argument("kind: expected http or openai");
    } else if (k == "port") {
      if (!v.is_number_integer() || v.get<int>() < 1 || v.get<int>() > 65535)
        return core::Status::invalid_argument("port: expected a port number");
      d.port = v.get<int>();
    } else if (k == "api_key" || k == "apiKey") {
      if (!v.is_string()) return core::Status::invalid_argument("api_key: expected a string");
      d.api_key = v.get<std::string>();
    } else if (k == "routes") {
      if (!v.is_array()) return core::Status::invalid_argument("routes: expected a list");
      for (size_t i = 0; i < v.size(); ++i) {
        auto r = route_from_json(v[i], [](const std::string& p) { return p; });
        if (!r.ok()) return core::Status::invalid_argument("routes[" + std::to_string(i) + "]." + r.status().message());
        d.routes.push_back(std::move(r).value());
      }
    } else if (k == "rules") {
      if (!v.is_array()) return core::Status::invalid_argument("rules: expected a list");
      for (const auto& rj : v) {
        ASSIGN_OR_RETURN(auto rule, gemini::rule_from_json(nlohmann::json::parse(rj.dump())));
        d.rules.push_back(std::move(rule));
      }
    } else {
      return core::Status::invalid_argument(k + ": unknown key (expected name, kind, port, api_key, routes, rules)");
    }
  }
  return d;
}

}  // namespace gcpsim::services::stubs
