// The REST⇄gRPC transcoder alone: "METHOD /path?query\n" then a JSON body, matched against
// every google.api.http binding and built into the request message with protobuf's JSON
// mapping (path and query fields included); a built message is turned back into JSON.
#include <memory>

#include "control/emulator.h"
#include "fuzz.h"
#include "net/http.h"
#include "net/target.h"
#include "net/transcoder.h"

using namespace gcpsim;

GCPSIM_FUZZ_TARGET(transcoder) {
  auto& world = fuzz::World::get();
  // Rebuilt with the world's emulator, whose method table it reads.
  static const control::Emulator* built_for = nullptr;
  static std::unique_ptr<net::Transcoder> owned;
  if (built_for != &world.emulator()) {
    owned = std::make_unique<net::Transcoder>(world.emulator().methods());
    built_for = &world.emulator();
  }
  const net::Transcoder& transcoder = *owned;
  auto nl = input.find('\n');
  std::string_view line = input.substr(0, nl);
  net::HttpRequest req;
  auto sp = line.find(' ');
  req.method = std::string(line.substr(0, sp));
  net::set_target(req, sp == std::string_view::npos ? "/" : std::string(line.substr(sp + 1)));
  if (nl != std::string_view::npos) req.body = std::string(input.substr(nl + 1));
  req.body_size = req.body.size();
  req.headers.emplace_back("Content-Type", "application/json");
  auto m = transcoder.match(req);
  if (!m || !m->status.is_ok() || !m->request) return;
  (void)net::Transcoder::to_json(*m->request, m->format);
}
