// Virtual-time types shared by every layer: a point in time and a span, both in nanoseconds.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gcpsim::core {

using Duration = std::chrono::nanoseconds;
// A UTC instant. Only core::Clock ever produces one from the wall clock.
using Time = std::chrono::sys_time<std::chrono::nanoseconds>;

using namespace std::chrono_literals;

// "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123456789+02:00". Time counts nanoseconds in
// 64 bits (1677 to 2262), so the years RFC 3339 and Google's Timestamp allow beyond that are
// held to 1700-01-01 and 2200-01-01: "0001-01-01T00:00:00Z", a common "since the beginning",
// still sorts before everything, and arithmetic on the result stays in range.
std::optional<Time> parse_rfc3339(std::string_view text);
// Always UTC with a 'Z'; fractional digits only when non-zero (as Google's APIs print them).
std::string format_rfc3339(Time t);
// "10s", "1.5s", "250ms", "5m", "2h", "1d", "100us", "3600s" (protobuf Duration JSON form too).
std::optional<Duration> parse_duration(std::string_view text);
// "10s", "0.250s": protobuf's JSON Duration form.
std::string format_duration(Duration d);

inline int64_t to_micros(Time t) { return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count(); }
inline int64_t to_millis(Time t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }
inline Time from_seconds(int64_t s, int32_t nanos = 0) { return Time{std::chrono::seconds{s} + std::chrono::nanoseconds{nanos}}; }

}  // namespace gcpsim::core
