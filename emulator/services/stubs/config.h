// The `stubs:` section of the stack file (and the control API's stub form): named stub
// APIs with an optional own port, routes, and for kind `openai` the built-in API's rules.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/stack_section.h"
#include "services/gemini/service.h"
#include "services/stubs/route.h"

namespace gcpsim::services::stubs {

struct StubDecl {
  std::string name;
  int port = 0;                     // 0: only NAME.stub.localhost on the edge
  std::string kind = "http";        // "http" or "openai"
  std::vector<Route> routes;
  std::vector<gemini::Rule> rules;  // kind openai: scripted answers in Gemini's rule form
  std::string api_key;              // kind openai: the only accepted key; empty: any
};

struct StubsConfig {
  std::vector<StubDecl> stubs;  // in file order
};

core::StackSection stack_section();

// A stub name is a DNS label: it is the first part of NAME.stub.localhost.
bool valid_name(const std::string& name);

// The control API's form: {name, port, kind, api_key, routes: [...], rules: [...]}.
core::StatusOr<StubDecl> stub_from_json(const Json& j);

}  // namespace gcpsim::services::stubs
