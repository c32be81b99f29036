// Transport-neutral HTTP/1.1 request and response, and the route table handlers register
// into. No Beast types here: handlers stay light to compile.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "net/body_hash.h"

namespace gcpsim::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Larger request bodies are spooled to disk (HttpRequest::body_file).
constexpr uint64_t kMaxInMemoryBody = 32ull * 1024 * 1024;
// No request body may exceed this (a single object upload request).
constexpr uint64_t kMaxRequestBody = 16ull * 1024 * 1024 * 1024;

// Case-insensitive lookup of the first header with that name.
std::optional<std::string> find_header(const Headers& h, std::string_view name);

// "/a/b/" → {"a", "b", ""}: a path's segments between slashes, undecoded (one leading
// slash dropped; empty segments kept).
std::vector<std::string> split_path(std::string_view path);
std::string percent_decode(std::string_view s, bool plus_as_space = false);
std::string percent_encode(std::string_view s, bool keep_slash = false);
// Text safe inside XML or HTML markup and attribute values (< > & ' ").
std::string xml_escape(std::string_view s);

struct HttpRequest {
  std::string method;       // "GET"
  std::string target;       // raw request target: "/v1/x?y=1"
  std::string path;         // raw (still percent-encoded) path part
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;
  std::string body;
  // Bodies over kMaxInMemoryBody are spooled to this temporary file instead of `body`
  // (deleted after the reply unless a handler renames it away). Handlers that cannot take
  // a spooled body answer 413.
  std::string body_file;
  uint64_t body_size = 0;   // bytes in body or body_file
  std::optional<BodyDigest> body_digest;  // body_file's MD5 and CRC32C, taken while it arrived (net/spool_hasher.h)
  std::string remote_ip;    // "127.0.0.1"
  bool loopback = true;
  std::map<std::string, std::string> params;  // filled by the router from {name} segments

  std::optional<std::string> header(std::string_view name) const { return find_header(headers, name); }
  std::optional<std::string> query_param(std::string_view name) const;
  std::string param(const std::string& name) const;
};

// Streaming body for responses such as SSE: the handler writes chunks from the engine
// thread; the connection sends them as they come (chunked encoding).
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  virtual bool write(std::string chunk) = 0;  // false once the client has gone
  virtual void end() = 0;
};

// Part of a file sent as the body without loading it (object downloads).
struct FileSlice {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  std::optional<FileSlice> file;  // when set, the body is these bytes instead of `body`
  // When set, headers go out first and this is called (on the engine) with a writer.
  std::function<void(std::shared_ptr<BodyWriter>)> stream;
  // The stream's chunks wait on the virtual clock (a stub's paced reply): the request stays
  // owed, as a timer holds it, until the stream ends, so the harness moves the clock for it.
  bool stream_on_clock = false;

  HttpResponse& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  static HttpResponse json(int status, std::string body);
  static HttpResponse text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  // Google's JSON error envelope with the code's HTTP status...
  static HttpResponse error(const core::Status& s);
  // ...or with an HTTP status of its own (the edge's 413 and 431).
  static HttpResponse error(const core::Status& s, int http_status);
};

using Reply = std::function<void(HttpResponse)>;
// Handlers run on the engine thread and call reply exactly once (now or later).
using HttpHandler = std::function<void(HttpRequest& req, Reply reply)>;

class Router {
 public:
  // method: "GET", … or "*". pattern segments: literal, "{name}" (one decoded segment) or
  // "{name**}" (the rest of the path, decoded, slashes kept). Trailing ":verb" is literal.
  void add(std::string method, std::string pattern, HttpHandler h);
  // An emulator-only route (under /_gcpsim/): the guard (net/guard.h) refuses non-loopback,
  // cross-origin and cross-site requests before the handler sees them.
  void add_guarded(std::string method, std::string pattern, HttpHandler h);
  // Consulted in order when no route matches; returns true when it took the request.
  void add_fallback(std::function<bool(HttpRequest&, Reply&)> fb);
  // Routes or answers 404 / 405 in Google's error format.
  void handle(HttpRequest& req, Reply reply) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  std::vector<Route> routes_;
  std::vector<std::function<bool(HttpRequest&, Reply&)>> fallbacks_;
};

}  // namespace gcpsim::net
