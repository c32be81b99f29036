// Reply bodies and headers templated from the request: {{path.id}}, {{query.q}},
// {{headers.x-trace}}, {{body.a.b[0]}}, {{body}}, {{method}}, {{path}}, {{count}}, {{now}}.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/time.h"
#include "services/stubs/route.h"

namespace gcpsim::services::stubs {

struct TemplateContext {
  const Incoming& in;
  const std::map<std::string, std::string>& params;  // path parameters, regex groups
  int64_t count = 0;                                  // the route's call number, from 1
  core::Time now{};
};

// Every {{…}} replaced by its value (JSON values serialized); unknown names are left as written.
std::string render(std::string_view text, const TemplateContext& ctx);
// Strings rendered throughout; a string that is exactly one {{body…}} placeholder takes the
// JSON value itself, so numbers and objects keep their type.
Json render_json(const Json& value, const TemplateContext& ctx);

}  // namespace gcpsim::services::stubs
