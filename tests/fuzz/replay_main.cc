// Replays corpus files through a fuzz target without libFuzzer (the normal gcc build), so
// ctest guards every seed and every crash ever found: fuzz-replay TARGET FILE|DIR...
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TARGET FILE|DIR...\n", argv[0]);
    return 2;
  }
  auto entry = gcpsim::fuzz::find_target(argv[1]);
  if (!entry) {
    std::fprintf(stderr, "no fuzz target %s\n", argv[1]);
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (int i = 2; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    entry(data);
  }
  std::printf("%s: replayed %zu inputs\n", argv[1], files.size());
  return files.empty() ? 1 : 0;
}
