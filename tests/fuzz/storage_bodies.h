// Helpers shared by the Storage targets: a request read from "METHOD target\nName: value\n…\n\nbody".
#pragma once
#include <string_view>

#include "net/http.h"
#include "net/target.h"

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
  net::set_target(req, sp == std::string_view::npos ? "/" : std::string(first.substr(sp + 1)));
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
