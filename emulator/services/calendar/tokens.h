// Opaque tokens Calendar hands out: sync tokens (a calendar's change sequence) and page
// tokens (an offset into a listing). Base64, as Google's look; checked when read back.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gcpsim::services::calendar {

// Standard base64 with padding.
std::string base64(std::string_view bytes);

std::string sync_token(const std::string& calendar_id, int64_t seq);
// The sequence a token was issued at, when it is well formed and for this calendar.
std::optional<int64_t> read_sync_token(const std::string& token, const std::string& calendar_id);

std::string page_token(int64_t offset, int64_t seq);
struct PagePosition {
  int64_t offset = 0;
  int64_t seq = 0;  // the listing's change sequence when the first page was served
};
std::optional<PagePosition> read_page_token(const std::string& token);

}  // namespace gcpsim::services::calendar
