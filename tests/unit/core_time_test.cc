// Specification of RFC 3339 timestamps and duration strings as Google's APIs print them.
#include <catch2/catch.hpp>

#include "core/time.h"

namespace core_time_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim::core;

TEST_CASE("RFC 3339 timestamps parse with Z, offsets and 0-9 fractional digits") {
  REQUIRE(parse_rfc3339("1970-01-01T00:00:00Z") == from_seconds(0));
  REQUIRE(parse_rfc3339("2026-01-01T00:00:00Z") == from_seconds(1767225600));
  REQUIRE(parse_rfc3339("2026-01-01T00:00:00.5Z") == from_seconds(1767225600, 500000000));
  REQUIRE(parse_rfc3339("2026-01-01T00:00:00.123456789Z") == from_seconds(1767225600, 123456789));
  REQUIRE(parse_rfc3339("2026-01-01T02:00:00+02:00") == from_seconds(1767225600));
  REQUIRE(parse_rfc3339("2025-12-31T19:30:00-04:30") == from_seconds(1767225600));
  REQUIRE(parse_rfc3339("2024-02-29T12:00:00z") == from_seconds(1709208000));
  REQUIRE(parse_rfc3339("1969-12-31T23:59:59Z") == from_seconds(-1));
}

TEST_CASE("malformed timestamps are rejected") {
  for (const char* bad : {"", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z",
                          "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-01-01T24:00:00Z",
                          "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00.Z",
                          "2026-01-01T00:00:00.1234567891Z", "2026-01-01T00:00:00+0200",
                          "2026-01-01T00:00:00Zjunk", "26-01-01T00:00:00Z", "2026-1-01T00:00:00Z"}) {
    INFO(bad);
    REQUIRE_FALSE(parse_rfc3339(bad));
  }
}

TEST_CASE("timestamps format in UTC with 0, 3, 6 or 9 fractional digits like protobuf JSON") {
  REQUIRE(format_rfc3339(from_seconds(1767225600)) == "2026-01-01T00:00:00Z");
  REQUIRE(format_rfc3339(from_seconds(1767225600, 500000000)) == "2026-01-01T00:00:00.500Z");
  REQUIRE(format_rfc3339(from_seconds(1767225600, 120000)) == "2026-01-01T00:00:00.000120Z");
  REQUIRE(format_rfc3339(from_seconds(1767225600, 1)) == "2026-01-01T00:00:00.000000001Z");
  REQUIRE(format_rfc3339(from_seconds(-1)) == "1969-12-31T23:59:59Z");
  REQUIRE(format_rfc3339(*parse_rfc3339("2026-03-04T05:06:07.891+01:00")) == "2026-03-04T04:06:07.891Z");
}

TEST_CASE("durations parse in every unit the stack and scenario files use") {
  REQUIRE(parse_duration("0s") == Duration::zero());
  REQUIRE(parse_duration("10s") == 10s);
  REQUIRE(parse_duration("1.5s") == 1500ms);
  REQUIRE(parse_duration("0.250s") == 250ms);
  REQUIRE(parse_duration("250ms") == 250ms);
  REQUIRE(parse_duration("100us") == 100us);
  REQUIRE(parse_duration("7ns") == 7ns);
  REQUIRE(parse_duration("5m") == 5min);
  REQUIRE(parse_duration("2h") == 2h);
  REQUIRE(parse_duration("1d") == 24h);
  REQUIRE(parse_duration("3600s") == 1h);
  REQUIRE(parse_duration("1h30m") == 90min);
  REQUIRE(parse_duration("0.000000001s") == 1ns);
}

TEST_CASE("negative or malformed durations are rejected") {
  for (const char* bad : {"", "-1s", "+1s", "10", "s", "1.s", ".5s", "1x", "1 s", "1.5.2s",
                          "1.0000000001s", "99999999999999999999s", "1e3s"}) {
    INFO(bad);
    REQUIRE_FALSE(parse_duration(bad));
  }
}

TEST_CASE("durations format as protobuf JSON Duration strings") {
  REQUIRE(format_duration(0s) == "0s");
  REQUIRE(format_duration(10s) == "10s");
  REQUIRE(format_duration(250ms) == "0.250s");
  REQUIRE(format_duration(1500ms) == "1.500s");
  REQUIRE(format_duration(1s + 5us) == "1.000005s");
  REQUIRE(format_duration(1ns) == "0.000000001s");
  REQUIRE(format_duration(-1500ms) == "-1.500s");
  REQUIRE(parse_duration(format_duration(36h + 1ms)) == 36h + 1ms);
}

TEST_CASE("timestamps outside 64-bit nanoseconds are held to 1700 and 2200, not overflowed") {
  // Found by the scenario_yaml fuzzer: a start_time in 1013 overflowed the conversion (UBSan).
  CHECK(format_rfc3339(*parse_rfc3339("1013-01-01T00:00:00Z")) == "1700-01-01T00:00:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("0001-01-01T00:00:00Z")) == "1700-01-01T00:00:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("9999-12-31T23:59:59.999999999Z")) == "2200-01-01T00:00:00Z");
  CHECK(format_rfc3339(*parse_rfc3339("1700-01-01T00:00:00.5Z")) == "1700-01-01T00:00:00.500Z");
  CHECK(*parse_rfc3339("0001-01-01T00:00:00Z") < *parse_rfc3339("1970-01-01T00:00:00Z"));
}

}  // namespace core_time_test
