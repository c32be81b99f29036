// The fuzz targets by name: each target file registers itself (GCPSIM_FUZZ_TARGET).
#include <map>
#include <string>

#include "fuzz.h"

namespace gcpsim::fuzz {
namespace {
std::map<std::string, Entry, std::less<>>& targets() {
  static std::map<std::string, Entry, std::less<>> t;
  return t;
}
}  // namespace

Registrar::Registrar(const char* name, Entry entry) { targets()[name] = entry; }

Entry find_target(std::string_view name) {
  auto it = targets().find(name);
  return it == targets().end() ? nullptr : it->second;
}

}  // namespace gcpsim::fuzz
