// CRC32C (Castagnoli), the checksum Google's APIs use for payloads and objects
// (Secret Manager data_crc32c, Cloud Storage crc32c).
#pragma once
#include <cstdint>
#include <string_view>

namespace gcpsim::core {

// The CRC32C of `data`; pass a previous result as `crc` to checksum in pieces.
uint32_t crc32c(std::string_view data, uint32_t crc = 0);
// The same, always by table (what crc32c falls back to without SSE4.2); for tests.
uint32_t crc32c_portable(std::string_view data, uint32_t crc = 0);

}  // namespace gcpsim::core
