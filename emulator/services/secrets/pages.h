// Filtering and pagination shared by ListSecrets and ListSecretVersions. Items arrive newest
// first, each with a key that falls as they get older; a page token is the key of the last
// item handed out.
#pragma once
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "services/secrets/domain.h"
#include "services/secrets/errors.h"
#include "services/secrets/filter.h"
#include "services/secrets/limits.h"

namespace gcpsim::services::secrets {

template <class T, class FieldsFn, class KeyFn>
core::StatusOr<Page<T>> paginate(std::vector<T> all, const ListQuery& q, const Filter& filter,
                                 FieldsFn fields, KeyFn key) {
  if (q.page_size < 0) return errors::bad_page_size();
  size_t size = q.page_size == 0 || q.page_size > limits::kMaxPageSize
                    ? static_cast<size_t>(limits::kMaxPageSize)
                    : static_cast<size_t>(q.page_size);
  int64_t after = std::numeric_limits<int64_t>::max();
  if (!q.page_token.empty()) {
    const char* end = q.page_token.data() + q.page_token.size();
    auto [ptr, ec] = std::from_chars(q.page_token.data(), end, after);
    if (ec != std::errc() || ptr != end || after <= 0) return errors::bad_page_token();
  }
  Page<T> page;
  if (filter.empty()) page.total_size = static_cast<int32_t>(all.size());
  for (auto& item : all) {
    if (key(item) >= after) continue;
    if (!filter.matches([&](const std::string& f) { return fields(item, f); })) continue;
    if (page.items.size() == size) {
      page.next_page_token = std::to_string(key(page.items.back()));
      break;
    }
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace gcpsim::services::secrets
