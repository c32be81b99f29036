// Regular expressions users write in stack files and rules: ECMAScript, with a leading "(?i)"
// (how users of other engines ask for case-insensitive matching) turned into std::regex's flag.
#pragma once
#include <regex>
#include <string>

#include "core/status.h"

namespace gcpsim::core {

// INVALID_ARGUMENT "<what> '<source>': <why>" when the expression does not compile.
StatusOr<std::regex> compile_regex(const std::string& source, const std::string& what);

}  // namespace gcpsim::core
