// The console's files (emulator/control/ui/), embedded by cmake/embed_assets.cmake.
#pragma once
#include <string_view>
#include <vector>

namespace gcpsim::control {

struct UiAsset {
  std::string_view path;  // relative to control/ui/: "index.html", "pages/pubsub.js"
  std::string_view body;
};

const std::vector<UiAsset>& ui_assets();

}  // namespace gcpsim::control
