// What every domain and handler is given: the engine-owned clock, ids, events, faults,
// store and project identity. One per emulator instance.
#pragma once
#include <cstdint>
#include <string>

namespace gcpsim::core {

class Clock;
class Ids;
class Events;
class Faults;
class Store;

struct Env {
  Clock& clock;
  Ids& ids;
  Events& events;
  Faults& faults;
  Store& store;
  std::string project = "demo-project";
  std::string project_number = "123456789012";
  std::string region = "us-central1";
  // A directory for files beside the store: the data dir, or a private temp dir removed
  // on exit. Object bodies and spooled uploads live under it (same filesystem: renames).
  std::string work_dir{};
  uint16_t edge_port = 0;  // the bound edge port (set by net/server.cc once listening)
};

}  // namespace gcpsim::core
