// Route table and small HTTP helpers shared by every hand-written REST surface.
#include "net/http.h"

#include <algorithm>
#include <cctype>

namespace gcpsim::net {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  if (!path.empty() && path[0] == '/') i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::optional<std::string> find_header(const Headers& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode(std::string_view s, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::optional<std::string> HttpRequest::query_param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

std::string HttpRequest::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
  return r;
}

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

HttpResponse HttpResponse::error(const core::Status& s) {
  return json(core::http_status(s.code()), s.json_error_body());
}

HttpResponse HttpResponse::error(const core::Status& s, int http_status) {
  return json(http_status, s.json_error_body(http_status));
}

void Router::add(std::string method, std::string pattern, HttpHandler h) {
  routes_.push_back(Route{std::move(method), split_path(pattern), std::move(h)});
}

void Router::add_fallback(std::function<bool(HttpRequest&, Reply&)> fb) {
  fallbacks_.push_back(std::move(fb));
}

namespace {

// Matches raw path segments against a pattern; fills decoded params.
bool match_route(const std::vector<std::string>& pattern, const std::vector<std::string>& raw,
                 std::map<std::string, std::string>& params) {
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    bool is_var = p.size() > 2 && p.front() == '{' && p.back() == '}';
    if (is_var && p.size() > 4 && p.compare(p.size() - 3, 3, "**}") == 0) {
      if (i >= raw.size()) return false;
      std::string rest;
      for (size_t j = i; j < raw.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest += percent_decode(raw[j]);
      }
      if (rest.empty()) return false;
      params[p.substr(1, p.size() - 4)] = std::move(rest);
      return true;
    }
    if (i >= raw.size()) return false;
    if (is_var) {
      if (raw[i].empty()) return false;
      params[p.substr(1, p.size() - 2)] = percent_decode(raw[i]);
    } else if (p != raw[i]) {
      return false;
    }
  }
  return i == raw.size();
}

}  // namespace

void Router::handle(HttpRequest& req, Reply reply) const {
  auto raw = split_path(req.path);
  bool path_matched = false;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!match_route(r.segments, raw, params)) continue;
    path_matched = true;
    if (r.method != "*" && r.method != req.method &&
        !(r.method == "GET" && req.method == "HEAD"))
      continue;
    req.params = std::move(params);
    r.handler(req, std::move(reply));
    return;
  }
  for (const auto& fb : fallbacks_)
    if (fb(req, reply)) return;
  if (path_matched) {
    // A known path with the wrong method: 405 in Google's error envelope.
    reply(HttpResponse::json(405, "{\"error\":{\"code\":405,\"message\":\"Method " + req.method +
                                      " not allowed\",\"status\":\"METHOD_NOT_ALLOWED\"}}"));
    return;
  }
  reply(HttpResponse::error(core::Status::not_found("The requested URL " + req.path +
                                                    " was not found on this server.")));
}

}  // namespace gcpsim::net
