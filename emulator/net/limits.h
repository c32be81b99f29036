// The edge's limits, shared by the listener and the HTTP session (README: Robustness).
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace gcpsim::net {

// A connection silent this long is closed: before its first bytes, inside its headers, or
// between requests on a kept-alive connection.
constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr uint64_t kMaxBodyBytes = 64ull * 1024 * 1024;

}  // namespace gcpsim::net
