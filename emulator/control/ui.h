// The web console at /_gcpsim/ui/ and the event stream it tails (/_gcpsim/events/stream),
// behind the control guard like the rest of /_gcpsim.
#pragma once

namespace gcpsim::core { struct Env; }
namespace gcpsim::net { class Router; }

namespace gcpsim::control {

void add_ui_routes(net::Router& router, core::Env& env);

}  // namespace gcpsim::control
