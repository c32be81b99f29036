// See regex.h.
#include "core/regex.h"

namespace gcpsim::core {

StatusOr<std::regex> compile_regex(const std::string& source, const std::string& what) {
  bool icase = source.rfind("(?i)", 0) == 0;
  auto flags = std::regex::ECMAScript;
  if (icase) flags |= std::regex::icase;
  try {
    return std::regex(icase ? source.substr(4) : source, flags);
  } catch (const std::regex_error& e) {
    return Status::invalid_argument(what + " '" + source + "': " + e.what());
  }
}

}  // namespace gcpsim::core
