// Base64 encoding of sync and page tokens.
#include "services/calendar/tokens.h"

#include <string_view>

namespace gcpsim::services::calendar {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode_base64(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buf >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(buf << (6 - bits)) & 63];
  while (out.size() % 4) out += '=';
  return out;
}

std::optional<std::string> decode(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    std::string_view alphabet(kAlphabet, 64);
    size_t v = alphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

std::optional<int64_t> to_int(const std::string& s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(s);
}

}  // namespace

std::string base64(std::string_view bytes) { return encode_base64(bytes); }

std::string sync_token(const std::string& calendar_id, int64_t seq) {
  return encode_base64("gcpsim-sync\n" + calendar_id + "\n" + std::to_string(seq));
}

std::optional<int64_t> read_sync_token(const std::string& token, const std::string& calendar_id) {
  auto raw = decode(token);
  std::string prefix = "gcpsim-sync\n" + calendar_id + "\n";
  if (!raw || raw->rfind(prefix, 0) != 0) return std::nullopt;
  return to_int(raw->substr(prefix.size()));
}

std::string page_token(int64_t offset, int64_t seq) {
  return encode_base64("gcpsim-page\n" + std::to_string(offset) + "\n" + std::to_string(seq));
}

std::optional<PagePosition> read_page_token(const std::string& token) {
  auto raw = decode(token);
  std::string prefix = "gcpsim-page\n";
  if (!raw || raw->rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = raw->substr(prefix.size());
  size_t nl = rest.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  auto offset = to_int(rest.substr(0, nl)), seq = to_int(rest.substr(nl + 1));
  if (!offset || !seq) return std::nullopt;
  return PagePosition{*offset, *seq};
}

}  // namespace gcpsim::services::calendar
