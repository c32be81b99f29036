// Helpers shared by the Storage targets: a request read from "METHOD target\nName: value\n…\n\nbody".
#pragma once
#include <string_view>

#include "net/http.h"

namespace gcpsim::fuzz {

inline net::HttpRequest request_from(std::string_view input) {
  net::HttpRequest req;
  auto take_line = [&input]() {
    auto nl = input.find('\n');
    auto line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  auto first = take_line();
  auto sp = first.find(' ');
  req.method = std::string(first.substr(0, sp));
  req.target = sp == std::string_view::npos ? "/" : std::string(first.substr(sp + 1));
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view qs(req.target);
    qs.remove_prefix(q + 1);
    while (!qs.empty()) {
      auto amp = qs.find('&');
      auto part = qs.substr(0, amp);
      auto eq = part.find('=');
      if (!part.empty())
        req.query.emplace_back(net::percent_decode(part.substr(0, eq), true),
                               eq == std::string_view::npos ? "" : net::percent_decode(part.substr(eq + 1), true));
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  while (!input.empty()) {
    auto line = take_line();
    if (line.empty()) break;
    auto colon = line.find(':');
    auto value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  req.body = std::string(input);
  req.body_size = req.body.size();
  return req;
}

}  // namespace gcpsim::fuzz
