// The fuzz targets' common ground: each target registers one entry point by name; libFuzzer
// builds (fuzz preset) call one of them, the replay build runs corpora through all of them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gcpsim::core { struct Env; }
namespace gcpsim::control { class Emulator; }

namespace gcpsim::fuzz {

using Entry = void (*)(std::string_view input);

struct Registrar {
  Registrar(const char* name, Entry entry);
};
Entry find_target(std::string_view name);

// An in-memory emulator of the default stack on a virtual clock, built once per process and
// rebuilt every `kRebuildEvery` inputs so state stays small. Handlers run on the caller.
struct World {
  static World& get();
  core::Env& env();
  control::Emulator& emulator();
  // Runs due virtual timers (leases, deadlines) a little later each call.
  void tick();
  void maybe_rebuild();

  struct Impl;
  std::unique_ptr<Impl> impl;
};

}  // namespace gcpsim::fuzz

// One target per file: GCPSIM_FUZZ_TARGET(name) { ... input ... }
#define GCPSIM_FUZZ_TARGET(name)                                                         \
  static void fuzz_##name(std::string_view input);                                     \
  static const ::gcpsim::fuzz::Registrar fuzz_registrar_##name(#name, &fuzz_##name); \
  static void fuzz_##name(std::string_view input)
