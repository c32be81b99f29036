// Small text helpers the services share.
#pragma once
#include <cctype>
#include <string>
#include <string_view>

namespace gcpsim::core {

// ASCII lower case (std::tolower in the "C" locale gcpsim runs in): header names, keywords.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace gcpsim::core
