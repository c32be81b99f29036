// The Gemini stub as the emulator hosts it: the domain (rules from the stack file) and
// its REST routes on the Generative Language and Vertex AI paths.
#pragma once
#include <memory>

#include "services/gemini/config.h"
#include "services/gemini/domain.h"
#include "services/gemini/text.h"  // the generator the OpenAI stub shares (services/stubs)
#include "services/service.h"

namespace gcpsim::core { struct Env; }
namespace gcpsim::net { class Router; }

namespace gcpsim::services::gemini {

class GeminiService : public Service {
 public:
  GeminiService(core::Env& env, const core::StackConfig& stack, net::Router& router);
  Gemini& gemini() { return gemini_; }

 private:
  Gemini gemini_;
};

// Registers every route (routes.cc).
void add_routes(net::Router& router, core::Env& env, Gemini& gemini);

std::unique_ptr<Service> create(Context& ctx);

}  // namespace gcpsim::services::gemini
