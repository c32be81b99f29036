// Bucket and object name validation.
#include "services/storage/names.h"

#include <cctype>
#include <string>

#include "core/utf8.h"
#include "services/storage/errors.h"
#include "services/storage/limits.h"

namespace gcpsim::services::storage {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool looks_like_ip(std::string_view name) {
  int parts = 0;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('.', i);
    if (j == std::string_view::npos) j = name.size();
    auto part = name.substr(i, j - i);
    if (part.empty() || part.size() > 3) return false;
    for (char c : part)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

}  // namespace

core::Status check_bucket_name(std::string_view name) {
  auto bad = [&] { return errors::invalid_bucket_name(name); };
  if (name.size() < 3 || name.size() > 222) return bad();
  if (name.find('.') == std::string_view::npos && name.size() > 63) return bad();
  if (!is_lower_alnum(name.front()) || !is_lower_alnum(name.back())) return bad();
  size_t part = 0;
  for (char c : name) {
    if (c == '.') {
      if (part == 0) return bad();
      part = 0;
      continue;
    }
    if (!is_lower_alnum(c) && c != '-' && c != '_') return bad();
    if (++part > 63) return bad();
  }
  if (name.substr(0, 4) == "goog" || name.find("google") != std::string_view::npos) return bad();
  if (looks_like_ip(name)) return bad();
  return core::Status::ok();
}

core::Status check_object_name(std::string_view name) {
  if (name.empty()) return errors::required();
  if (name.size() > limits::kMaxObjectNameBytes)
    return errors::invalid_object_name("longer than 1024 bytes");
  if (name == "." || name == "..") return errors::invalid_object_name("'.' and '..' are not allowed");
  if (name.substr(0, 27) == ".well-known/acme-challenge/")
    return errors::invalid_object_name("names under .well-known/acme-challenge/ are reserved");
  for (size_t i = 0; i < name.size();) {
    if (name[i] == '\r' || name[i] == '\n')
      return errors::invalid_object_name("carriage returns and line feeds are not allowed");
    size_t n = core::utf8_length(name, i);
    if (n == 0) return errors::invalid_object_name("not valid UTF-8");
    i += n;
  }
  return core::Status::ok();
}

}  // namespace gcpsim::services::storage
