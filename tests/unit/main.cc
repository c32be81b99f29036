// Catch2 v2 entry point for every unit test (CATCH_CONFIG_MAIN is set in tests/CMakeLists.txt,
// which also keeps this file out of the unity batches: it must include Catch first).
#include <catch2/catch.hpp>
