// Storage: objects.list — prefix, delimiter and prefixes, start/end offsets, matchGlob,
// versions, includeTrailingDelimiter and page tokens.
#include "core/env.h"
#include "services/storage/domain.h"
#include "services/storage/errors.h"
#include "services/storage/glob.h"
#include "services/storage/limits.h"
#include "services/storage/rows.h"

namespace gcpsim::services::storage {
namespace {

// A page token resumes after an item ("i" name \0 generation) or after a whole prefix ("p").
struct Resume {
  bool prefix = false;
  std::string name;
  int64_t generation = 0;
};

std::string encode_token(const Resume& r) {
  std::string raw = (r.prefix ? "p" : "i") + r.name;
  if (!r.prefix) raw += '\0' + std::to_string(r.generation);
  return base64_encode(raw);
}

std::optional<Resume> decode_token(const std::string& token) {
  auto raw = base64_decode(token);
  if (!raw || raw->empty() || ((*raw)[0] != 'p' && (*raw)[0] != 'i')) return std::nullopt;
  Resume r;
  r.prefix = (*raw)[0] == 'p';
  r.name = raw->substr(1);
  if (!r.prefix) {
    auto nul = r.name.find('\0');
    if (nul == std::string::npos) return std::nullopt;
    r.generation = std::strtoll(r.name.c_str() + nul + 1, nullptr, 10);
    r.name.resize(nul);
  }
  return r;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool already_listed(const Resume& r, const Object& o) {
  if (r.prefix) return starts_with(o.name, r.name) || o.name < r.name;
  return o.name < r.name || (o.name == r.name && o.generation <= r.generation);
}

// Fills a page while walking objects in (name, generation) order.
struct PageBuilder {
  const ListQuery& q;
  size_t max;
  ObjectPage page;
  std::optional<Resume> last;
  bool full() const { return page.items.size() + page.prefixes.size() >= max; }

  // False once the page is full and another result exists (the token is then set).
  bool add_item(Object o) {
    if (full()) return stop();
    last = Resume{false, o.name, o.generation};
    page.items.push_back(std::move(o));
    return true;
  }
  bool add_prefix(const std::string& p) {
    if (!page.prefixes.empty() && page.prefixes.back() == p) return true;
    if (full()) return stop();
    last = Resume{true, p, 0};
    page.prefixes.push_back(p);
    return true;
  }
  bool stop() {
    if (last) page.next_page_token = encode_token(*last);
    return false;
  }

  bool visit(Object o) {
    if (!starts_with(o.name, q.prefix)) return o.name < q.prefix;
    if (!q.end_offset.empty() && o.name >= q.end_offset) return false;
    if (!q.match_glob.empty() && !glob_match(q.match_glob, o.name)) return true;
    if (!q.delimiter.empty()) {
      auto pos = o.name.find(q.delimiter, q.prefix.size());
      if (pos != std::string::npos) {
        std::string p = o.name.substr(0, pos + q.delimiter.size());
        if (q.include_trailing_delimiter && p == o.name && !add_item(o)) return false;
        return add_prefix(p);
      }
    }
    return add_item(std::move(o));
  }
};

}  // namespace

core::StatusOr<ObjectPage> Storage::list_objects(const std::string& bucket, const ListQuery& q) const {
  RETURN_IF_ERROR(require_bucket(bucket).status());
  if (!q.match_glob.empty() && !glob_valid(q.match_glob)) return errors::invalid("Invalid matchGlob: " + q.match_glob);
  std::optional<Resume> resume;
  if (!q.page_token.empty()) {
    resume = decode_token(q.page_token);
    if (!resume) return errors::invalid("Invalid page token.");
  }
  size_t max = q.max_results == 0 || q.max_results > limits::kMaxListResults ? limits::kMaxListResults : q.max_results;
  PageBuilder b{q, max, {}, std::nullopt};
  std::string from = std::max(q.prefix, q.start_offset);
  if (resume) from = std::max(from, resume->name);
  rows::scan_objects(env_.store, bucket, from, q.versions, [&](Object o) {
    if (resume && already_listed(*resume, o)) return true;
    return b.visit(std::move(o));
  });
  return std::move(b.page);
}

}  // namespace gcpsim::services::storage
