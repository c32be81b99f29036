// Splits a request target into path and query (see target.h).
#include "net/target.h"

#include <string_view>
#include <utility>

namespace gcpsim::net {

void set_target(HttpRequest& req, std::string target) {
  req.target = std::move(target);
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.query.clear();
  if (q == std::string::npos) return;
  std::string_view qs(req.target);
  qs.remove_prefix(q + 1);
  while (!qs.empty()) {
    auto amp = qs.find('&');
    auto part = qs.substr(0, amp);
    auto eq = part.find('=');
    if (!part.empty())
      req.query.emplace_back(percent_decode(part.substr(0, eq), true),
                             eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1), true));
    if (amp == std::string_view::npos) break;
    qs.remove_prefix(amp + 1);
  }
}

}  // namespace gcpsim::net
