// Catch2 v2 entry point for every unit test.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
