// gRPC request bodies: "/package.Service/Method\n" then length-prefixed frames (compressed
// flag, 4-byte big-endian length) parsed into that method's request message and run through
// call_unary as the gRPC host does, so every handler sees arbitrary well-typed requests. An
// unknown path picks a method by its bytes.
#include <iterator>
#include <memory>
#include <string>

#include "control/emulator.h"
#include "core/env.h"
#include "fuzz.h"
#include "net/rpc.h"

using namespace gcpsim;

GCPSIM_FUZZ_TARGET(grpc_frames) {
  auto nl = input.find('\n');
  if (nl == std::string_view::npos) return;
  std::string path(input.substr(0, nl));
  input.remove_prefix(nl + 1);
  auto& world = fuzz::World::get();
  const auto& unaries = world.emulator().methods().unaries();
  if (unaries.empty()) return;
  auto found = unaries.find(path);
  if (found == unaries.end()) {
    size_t h = 0;
    for (char c : path) h = h * 31 + static_cast<unsigned char>(c);
    found = std::next(unaries.begin(), static_cast<long>(h % unaries.size()));
  }
  const net::UnaryMethod& m = found->second;
  while (input.size() >= 5) {
    bool compressed = input[0] != 0;
    uint32_t len = (uint32_t(uint8_t(input[1])) << 24) | (uint32_t(uint8_t(input[2])) << 16) |
                   (uint32_t(uint8_t(input[3])) << 8) | uint32_t(uint8_t(input[4]));
    input.remove_prefix(5);
    if (compressed || len > input.size()) break;  // grpc++ refuses these before a handler runs
    std::shared_ptr<net::Message> req(m.request_prototype->New());
    std::shared_ptr<net::Message> resp(m.response_prototype->New());
    bool parsed = req->ParseFromArray(input.data(), static_cast<int>(len));
    input.remove_prefix(len);
    if (!parsed) continue;
    net::call_unary(world.env(), m, *req, resp.get(), [req, resp](core::Status) {});
    world.tick();
  }
  world.maybe_rebuild();
}
